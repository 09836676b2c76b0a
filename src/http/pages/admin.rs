//! Account administration pages (admins only): the account list with filters, creating an
//! account, activating, deactivating and sending a reset link. The JSON equivalent is
//! `http::api::admin`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use entity::users;
use http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::account::parse_role;
use crate::error::Error;
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::{Administrator, encode_query_value};
use crate::http::pages::forms::FormErrors;
use crate::http::pages::{Layout, date_vn, render, render_error_page, render_status};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::services::admin::{self, NewAccount, UserFilter};
use crate::state::AppState;

/// Accounts per page of the list.
pub const PER_PAGE: u64 = 20;

/// Role codes, in the order the selects offer them.
const ROLES: [&str; 5] = [
    "resident",
    "organization_rep",
    "moderator",
    "agency_officer",
    "admin",
];

fn role_options(t: Tr) -> Vec<(&'static str, &'static str)> {
    ROLES
        .iter()
        .map(|code| (*code, t.get(&format!("role.{code}"))))
        .collect()
}

/// Filters of the list, from the query string (and echoed by the row buttons so the admin
/// comes back to the same view). Unknown or malformed values are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListFilter {
    /// Text in the email or name.
    #[serde(default)]
    pub q: String,
    /// Role code, `""` for all.
    #[serde(default)]
    pub role: String,
    /// Page number, from 1.
    #[serde(default)]
    pub page: String,
}

impl ListFilter {
    fn page_number(&self) -> u64 {
        self.page
            .trim()
            .parse()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    /// The list at `page` with these filters, with a notice after an action.
    fn href(&self, page: u64, notice: Option<&str>) -> String {
        let mut href = format!("/admin/users?page={page}");
        for (key, value) in [("q", self.q.trim()), ("role", self.role.trim())] {
            if !value.is_empty() {
                href.push_str(&format!("&{key}={}", encode_query_value(value)));
            }
        }
        if let Some(notice) = notice {
            href.push_str(&format!("&notice={notice}"));
        }
        href
    }
}

/// One account in the list.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// Id, for the row's buttons.
    pub id: String,
    /// Email.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Translated role.
    pub role_label: &'static str,
    /// Whether the account can sign in.
    pub active: bool,
    /// Whether the address is verified.
    pub verified: bool,
    /// Creation date.
    pub created: String,
    /// Whether this is the admin's own account (which they cannot deactivate).
    pub is_self: bool,
}

impl UserRow {
    fn new(user: &users::Model, t: Tr, admin_id: Uuid) -> Self {
        Self {
            id: user.id.to_string(),
            email: user.email.clone(),
            display_name: user.display_name.clone(),
            role_label: t.get(&format!("role.{}", user.role.as_str())),
            active: user.is_active,
            verified: user.email_verified_at.is_some(),
            created: date_vn(user.created_at),
            is_self: user.id == admin_id,
        }
    }
}

/// The account list.
#[derive(Template)]
#[template(path = "admin_users.html")]
pub struct UsersPage {
    /// Layout.
    pub layout: Layout,
    /// Accounts of this page.
    pub rows: Vec<UserRow>,
    /// The filters in force.
    pub filter: ListFilter,
    /// `(code, label)` of every role.
    pub roles: Vec<(&'static str, &'static str)>,
    /// This page's number.
    pub page: u64,
    /// Number of pages (at least 1).
    pub pages: u64,
    /// Accounts matching the filters.
    pub total: u64,
    /// Link to the previous page.
    pub prev_href: Option<String>,
    /// Link to the next page.
    pub next_href: Option<String>,
}

/// `GET /admin/users?q=&role=&page=`.
pub async fn show_users(
    State(state): State<AppState>,
    layout: Layout,
    Administrator(admin): Administrator,
    Query(filter): Query<ListFilter>,
) -> Result<Response, PageError> {
    let page = filter.page_number();
    let service_filter = UserFilter {
        role: parse_role(&filter.role).ok(),
        query: Some(filter.q.clone()),
    };
    let (users, total) = admin::list(&state.db, &service_filter, page, PER_PAGE)
        .await
        .map_err(|e| layout.fail(e))?;
    let t = layout.t;
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page_view = UsersPage {
        layout: layout.titled(t.get("admin.title")),
        rows: users
            .iter()
            .map(|u| UserRow::new(u, t, admin.user.id))
            .collect(),
        roles: role_options(t),
        page,
        pages,
        total,
        prev_href: (page > 1).then(|| filter.href(page.min(pages + 1) - 1, None)),
        next_href: (page < pages).then(|| filter.href(page + 1, None)),
        filter,
    };
    Ok(render(&page_view))
}

/// The page with the form that creates an account.
#[derive(Template)]
#[template(path = "admin_new_user.html")]
pub struct NewUserPage {
    /// Layout.
    pub layout: Layout,
    /// The form as typed.
    pub form: NewUserForm,
    /// `(code, label)` of every role.
    pub roles: Vec<(&'static str, &'static str)>,
    /// Errors of the last attempt.
    pub errors: FormErrors,
}

/// The new-account form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewUserForm {
    /// Email.
    #[serde(default)]
    pub email: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// Role code.
    #[serde(default)]
    pub role: String,
    /// Agency code (officers).
    #[serde(default)]
    pub agency: String,
    /// Organization code (representatives, moderators).
    #[serde(default)]
    pub organization: String,
}

/// `GET /admin/users/new`.
pub async fn show_new_user(layout: Layout, Administrator(_): Administrator) -> Response {
    let t = layout.t;
    render(&NewUserPage {
        layout: layout.titled(t.get("admin.new_title")),
        form: NewUserForm {
            role: "resident".to_owned(),
            ..NewUserForm::default()
        },
        roles: role_options(t),
        errors: FormErrors::default(),
    })
}

fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// `POST /admin/users`: creates the account and mails its holder a link to choose a password.
pub async fn create_user(
    State(state): State<AppState>,
    layout: Layout,
    Administrator(_): Administrator,
    CsrfForm(form): CsrfForm<NewUserForm>,
) -> Result<Response, PageError> {
    let t = layout.t;
    let mut errors = FormErrors::default();
    let created = match parse_role(&form.role) {
        Err(_) => {
            errors.push("role", t.get("field.role.unknown_role"));
            None
        }
        Ok(role) => {
            let input = NewAccount {
                email: form.email.clone(),
                display_name: form.display_name.clone(),
                role,
                agency_code: optional(&form.agency),
                organization_code: optional(&form.organization),
            };
            match admin::create(&state.db, input, &state.base_url, state.settings.password).await {
                Ok(user) => Some(user),
                Err(Error::Invalid(fields)) => {
                    errors = FormErrors::from_fields(t, &fields);
                    None
                }
                Err(Error::Conflict { .. }) => {
                    errors.push("email", t.get("field.email.taken"));
                    None
                }
                Err(e) => return Err(layout.fail(e)),
            }
        }
    };
    if created.is_some() {
        state.mail_queued();
        return Ok(see_other("/admin/users?notice=user_created"));
    }
    let page = NewUserPage {
        layout: layout.titled_form(t.get("admin.new_title"), true),
        form,
        roles: role_options(t),
        errors,
    };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn set_active(
    state: &AppState,
    layout: Layout,
    admin_id: Uuid,
    id: &str,
    back: &ListFilter,
    active: bool,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(id).map_err(|_| layout.fail(Error::NotFound("user")))?;
    match admin::set_active(&state.db, admin_id, id, active).await {
        Ok(_) => {
            let notice = if active {
                "user_activated"
            } else {
                "user_deactivated"
            };
            Ok(see_other(&back.href(back.page_number(), Some(notice))))
        }
        Err(Error::Conflict { .. }) => {
            let message = layout.t.get("admin.error_deactivate_self").to_owned();
            Ok(render_error_page(
                layout,
                StatusCode::CONFLICT,
                Some(message),
            ))
        }
        Err(e) => Err(layout.fail(e)),
    }
}

/// `POST /admin/users/{id}/activate`.
pub async fn activate(
    State(state): State<AppState>,
    layout: Layout,
    Administrator(admin): Administrator,
    Path(id): Path<String>,
    CsrfForm(back): CsrfForm<ListFilter>,
) -> Result<Response, PageError> {
    set_active(&state, layout, admin.user.id, &id, &back, true).await
}

/// `POST /admin/users/{id}/deactivate`: the account can no longer sign in; its sessions end.
pub async fn deactivate(
    State(state): State<AppState>,
    layout: Layout,
    Administrator(admin): Administrator,
    Path(id): Path<String>,
    CsrfForm(back): CsrfForm<ListFilter>,
) -> Result<Response, PageError> {
    set_active(&state, layout, admin.user.id, &id, &back, false).await
}

/// `POST /admin/users/{id}/reset`: mails the holder a password-reset link.
pub async fn send_reset(
    State(state): State<AppState>,
    layout: Layout,
    Administrator(_): Administrator,
    Path(id): Path<String>,
    CsrfForm(back): CsrfForm<ListFilter>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| layout.fail(Error::NotFound("user")))?;
    admin::send_reset(&state.db, id, &state.base_url)
        .await
        .map_err(|e| layout.fail(e))?;
    state.mail_queued();
    Ok(see_other(
        &back.href(back.page_number(), Some("reset_sent")),
    ))
}
