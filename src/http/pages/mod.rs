//! Server-rendered HTML pages (askama templates in `frontend/templates`).

pub mod acceptance;
pub mod access;
pub mod account;
pub mod account_data;
pub mod account_reset;
pub mod account_tokens;
pub mod admin;
pub mod admin_calendar;
pub mod admin_routing;
pub mod audit;
pub mod authoring;
pub mod authoring_form;
pub mod authoring_tree;
pub mod comment_edit;
pub mod comment_files;
pub mod comment_views;
pub mod comments;
pub mod consultation_list;
pub mod consultations;
pub mod critiques;
pub mod feeds;
pub mod forms;
pub mod home;
pub mod import;
pub mod inbox;
pub mod moderation;
pub mod notifications;
pub mod open_data;
pub mod search;
pub mod supervision;
pub mod synthesis;
pub mod tracking;
pub mod uploads;

use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::request::Parts;
use http::{HeaderMap, StatusCode, Uri, header};

use crate::error::Error;
use crate::http::csrf::CSRF_COOKIE;
use crate::http::problem::PageError;
use crate::i18n::{Lang, Tr};
use crate::policy::Action;
use crate::services::consultations::Summary;
use crate::state::AppState;

/// Name of the cookie holding the interface language.
pub const LANG_COOKIE: &str = "lang";

/// What every page's layout needs.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Language of the page.
    pub lang: Lang,
    /// Language the switch link offers.
    pub other_lang: Lang,
    /// Translator.
    pub t: Tr,
    /// Current path and query, URL-encoded for use after `?next=`.
    pub path: String,
    /// Title of the page (without the site name).
    pub page_title: String,
    /// The signed-in account, for the navigation; `None` for visitors.
    pub account: Option<AccountNav>,
    /// Value of the hidden `csrf_token` field of every form on the page.
    pub csrf_token: String,
    /// A confirmation named by `?notice=<key>` after a redirect (only keys of the catalog).
    pub notice: Option<&'static str>,
}

/// The signed-in account as the navigation shows it.
#[derive(Debug, Clone)]
pub struct AccountNav {
    /// Name shown in the navigation.
    pub display_name: String,
    /// Whether the administration link is offered.
    pub is_admin: bool,
    /// Whether the link to the agency's consultations is offered.
    pub is_author: bool,
    /// Whether the link to the moderation queue is offered.
    pub is_moderator: bool,
    /// Whether the link to the agency's inbox is offered.
    pub is_officer: bool,
    /// Whether the link to the import page is offered (moderators and admins).
    pub is_importer: bool,
    /// Unread notifications, shown next to the bell link.
    pub unread: u64,
}

impl Layout {
    fn from_head(headers: &HeaderMap, uri: &Uri) -> Self {
        let lang = cookie(headers, LANG_COOKIE)
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default();
        let current = uri.path_and_query().map_or("/", |pq| pq.as_str());
        let path = url::form_urlencoded::byte_serialize(current.as_bytes()).collect();
        let t = lang.tr();
        let notice = uri
            .query()
            .into_iter()
            .flat_map(|q| url::form_urlencoded::parse(q.as_bytes()))
            .find(|(key, _)| key == "notice")
            .map(|(_, value)| format!("notice.{value}"))
            .filter(|key| t.has(key))
            .map(|key| t.get(&key));
        Self {
            lang,
            other_lang: lang.other(),
            t,
            path,
            page_title: String::new(),
            account: None,
            // The cookie's value when there is one (error pages); page handlers get the token
            // that `issue_form_token` settled for the request.
            csrf_token: cookie(headers, CSRF_COOKIE).unwrap_or_default(),
            notice,
        }
    }

    /// The layout for a request, read before the request is handed on.
    pub fn from_request_head(request: &Request) -> Self {
        Self::from_head(request.headers(), request.uri())
    }

    /// Sets the page title.
    pub fn titled(mut self, title: impl Into<String>) -> Self {
        self.page_title = title.into();
        self
    }

    /// Sets the page title, marked as having errors when `has_errors` (GOV.UK pattern).
    pub fn titled_form(self, title: &str, has_errors: bool) -> Self {
        if has_errors {
            let prefix = self.t.get("form.error_title_prefix");
            self.titled(format!("{prefix}{title}"))
        } else {
            self.titled(title)
        }
    }

    /// Wraps an error so it renders as an error page in this layout's language.
    pub fn fail(&self, error: Error) -> PageError {
        PageError {
            layout: self.clone(),
            error,
        }
    }
}

impl FromRequestParts<AppState> for Layout {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let mut layout = Self::from_head(&parts.headers, &parts.uri);
        // A viewer that cannot be resolved (database down) shows the page as to a visitor;
        // handlers that need the account extract `PageViewer`, which reports the failure.
        let viewer = access::resolve_viewer(parts, state)
            .await
            .unwrap_or_default();
        layout.account = viewer.signed_in.as_ref().map(|s| AccountNav {
            display_name: s.user.display_name.clone(),
            is_admin: viewer.actor().can(&Action::AdministerAccounts),
            is_author: viewer.actor().can(&Action::AuthorConsultations),
            is_moderator: viewer.actor().can(&Action::ModerateQueue),
            is_officer: viewer.actor().can(&Action::ReadInbox),
            is_importer: viewer.actor().can(&Action::ImportComments),
            unread: 0,
        });
        // One cheap count for the bell; a failure only hides the number.
        if let (Some(nav), Some(signed_in)) = (layout.account.as_mut(), &viewer.signed_in) {
            nav.unread = crate::services::notifications::unread_count(&state.db, signed_in.user.id)
                .await
                .unwrap_or(0);
        }
        layout.csrf_token = access::form_token(parts).await.token;
        Ok(layout)
    }
}

/// The value of one cookie in the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Renders a template into an HTML response; a rendering failure becomes a 500 page.
pub fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<h1>500</h1>".to_owned()),
            )
                .into_response()
        }
    }
}

/// Renders a template with another status than 200 (a form sent back with errors: 422).
pub fn render_status<T: Template>(status: StatusCode, template: &T) -> Response {
    let mut response = render(template);
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

/// A page that only tells something: a heading, paragraphs and links onward ("check your
/// mailbox", "this link no longer works", "your account was erased").
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    /// Layout.
    pub layout: Layout,
    /// Heading (also the title).
    pub heading: &'static str,
    /// Paragraphs.
    pub paragraphs: Vec<&'static str>,
    /// `(href, label)` links onward.
    pub links: Vec<(&'static str, &'static str)>,
}

impl MessagePage {
    /// A message page titled by its heading.
    pub fn new(
        layout: Layout,
        heading: &'static str,
        paragraphs: Vec<&'static str>,
        links: Vec<(&'static str, &'static str)>,
    ) -> Self {
        Self {
            layout: layout.titled(heading),
            heading,
            paragraphs,
            links,
        }
    }
}

/// The error page template.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Layout.
    pub layout: Layout,
    /// HTTP status.
    pub status: u16,
    /// Heading.
    pub heading: String,
    /// Explanation.
    pub message: String,
}

/// Renders the error page for a status, in the layout's language.
pub fn render_error_page(layout: Layout, status: StatusCode, message: Option<String>) -> Response {
    let code = status.as_u16();
    let key = format!("error.{code}");
    let generic = if status.is_server_error() {
        "error.500"
    } else {
        "error.400"
    };
    let heading = if layout.t.has(&key) {
        layout.t.get(&key)
    } else {
        layout.t.get(generic)
    };
    let message_key = format!("error.{code}_message");
    let generic_message = if status.is_server_error() {
        "error.500_message"
    } else {
        "error.400_message"
    };
    let message = message.unwrap_or_else(|| {
        let key = if layout.t.has(&message_key) {
            message_key.as_str()
        } else {
            generic_message
        };
        layout.t.get(key).to_owned()
    });
    let page = ErrorPage {
        layout: layout.titled(heading),
        status: code,
        heading: heading.to_owned(),
        message,
    };
    let mut response = render(&page);
    *response.status_mut() = status;
    response
}

/// A consultation as a card in a list.
#[derive(Debug, Clone)]
pub struct ConsultationCard {
    /// Id, for links.
    pub id: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Translated kind.
    pub kind_label: &'static str,
    /// Status code (`open`, `closed` ...), for styling.
    pub status: &'static str,
    /// Translated status.
    pub status_label: &'static str,
    /// Lead agency's name.
    pub lead_agency: String,
    /// Window start, dd/mm/yyyy in Vietnam time.
    pub opens_on: String,
    /// Window end, dd/mm/yyyy in Vietnam time.
    pub closes_on: String,
    /// Whole days left to comment, when open.
    pub days_left: Option<i64>,
    /// Whether the window closes within a week.
    pub closing_soon: bool,
    /// Published comments.
    pub comment_count: u64,
}

pub use crate::domain::time::{VIETNAM, date_vn, datetime_vn};

impl ConsultationCard {
    /// Builds a card from a service summary.
    pub fn from_summary(s: &Summary, t: Tr, now: DateTime<Utc>) -> Self {
        let c = &s.consultation;
        let status = s.status.as_str();
        let open = status == "open";
        let days_left = open.then(|| {
            let seconds = (c.closes_at - now).num_seconds().max(0);
            (seconds + 86_399) / 86_400
        });
        let lead_agency = match (t.0, &s.lead_agency.name_en) {
            (Lang::En, Some(name)) => name.clone(),
            _ => s.lead_agency.name.clone(),
        };
        Self {
            id: c.id.to_string(),
            title: c.title.clone(),
            summary: c.summary.clone(),
            kind_label: t.get(&format!("kind.{}", c.kind.as_str())),
            status,
            status_label: t.get(&format!("status.{status}")),
            lead_agency,
            opens_on: date_vn(c.opens_at),
            closes_on: date_vn(c.closes_at),
            days_left,
            closing_soon: days_left.is_some_and(|d| d <= 7),
            comment_count: s.comment_count,
        }
    }
}

/// `GET /lang/{code}?next=/path`: remembers the language and returns to the page.
pub async fn switch_language(
    axum::extract::Path(code): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let next = query
        .get("next")
        .map(String::as_str)
        .filter(|n| is_local_path(n))
        .unwrap_or("/");
    let Some(lang) = Lang::parse(&code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
        lang.code()
    );
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, next.to_owned()),
            (header::SET_COOKIE, cookie),
        ],
    )
        .into_response()
}

/// Whether `next` stays on this site (no scheme, no `//host`, no backslash tricks).
pub fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
}
