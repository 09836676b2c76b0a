//! Writing a comment on a page: the form (residents and organization representatives with a
//! confirmed email, while the consultation is open), with photos and scans and, for an
//! organization, its formal letter, and the receipt with the tracking code and the files.
//! The JSON equivalents are `POST /api/v1/consultations/{id}/comments` and
//! `POST /api/v1/comments/{id}/attachments`.

use std::time::Duration;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::response::Response;
use entity::enums::Role;
use entity::users;
use http::{StatusCode, Uri};
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::time::date_vn;
use crate::error::Error;
use crate::http::auth::{Viewer, limit};
use crate::http::csrf::see_other;
use crate::http::pages::access::{AccountHolder, PageViewer, sign_in_location};
use crate::http::pages::comment_files::{
    AttachmentRow, FILES_FIELD, LETTER_FIELD, attach_all, attachment_rows, check_files,
};
use crate::http::pages::consultations::{clause_options, clause_paths};
use crate::http::pages::forms::{FormErrors, ticked};
use crate::http::pages::uploads::read_form;
use crate::http::pages::{Layout, render, render_error_page, render_status};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::policy::Action;
use crate::services::attachments::{self, MAX_ATTACHMENTS_PER_COMMENT, human_size};
use crate::services::comment_reading::{self, CommentView};
use crate::services::comments::{self, NewComment};
use crate::services::consultations::{self, Detail};
use crate::services::now;
use crate::services::sessions::random_token;
use crate::state::AppState;

/// Order of the fields in the form, which the error summary follows.
const FIELD_ORDER: [&str; 7] = [
    "clause_id",
    "stance",
    "body",
    "files",
    "consent",
    "on_behalf_of_organization",
    "letter",
];

/// The signed-in account when it may comment; otherwise the answer to give: the sign-in page
/// (returning to `next`) for visitors, a 403 page explaining who comments for other roles.
pub(super) fn require_commenter(
    layout: &Layout,
    viewer: &Viewer,
    next: &str,
) -> Result<users::Model, Box<Response>> {
    let Some(signed_in) = &viewer.signed_in else {
        return Err(Box::new(see_other(&sign_in_location(next))));
    };
    if !viewer.actor().can(&Action::Comment) {
        let message = layout.t.get("comment_form.forbidden").to_owned();
        return Err(Box::new(render_error_page(
            layout.clone(),
            StatusCode::FORBIDDEN,
            Some(message),
        )));
    }
    Ok(signed_in.user.clone())
}

/// What the form holds, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    clause_id: String,
    #[serde(default)]
    stance: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    consent: String,
    on_behalf_of_organization: Option<String>,
    #[serde(default)]
    idempotency_key: String,
    /// Ward or commune the comment is about (its code), optional.
    #[serde(default)]
    unit_code: String,
}

/// A radio button choice: value, label, hint.
pub type Choice = (&'static str, &'static str, &'static str);

/// Radio choices `<kind>.<value>`, with the hint `comment_form.<kind>_<value>_hint` if any.
pub fn choices(t: Tr, kind: &str, values: &[&'static str]) -> Vec<Choice> {
    values
        .iter()
        .map(|v| {
            let hint = format!("comment_form.{kind}_{v}_hint");
            let hint = if t.has(&hint) { t.get(&hint) } else { "" };
            (*v, t.get(&format!("{kind}.{v}")), hint)
        })
        .collect()
}

/// Why the form is not shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocked {
    /// The form can be used.
    No,
    /// The consultation does not accept comments now (the dates are in `opens_on`/`closes_on`).
    Window,
    /// The account's email address is not confirmed yet.
    Unverified,
}

/// The comment form page (or, when `blocked`, why it cannot be used).
#[derive(Template)]
#[template(path = "comment_form.html")]
pub struct CommentFormPage {
    /// Layout.
    pub layout: Layout,
    /// Why the form is not shown, if it is not.
    pub blocked: Blocked,
    /// Consultation id.
    pub consultation_id: String,
    /// Consultation title.
    pub consultation_title: String,
    /// Window start, dd/mm/yyyy.
    pub opens_on: String,
    /// Window end, dd/mm/yyyy.
    pub closes_on: String,
    /// `(clause id, label)` choices.
    pub clause_options: Vec<(String, String)>,
    /// `(unit code, name)` of the wards and communes the consultation concerns.
    pub unit_options: Vec<(String, String)>,
    /// Stance choices.
    pub stances: Vec<Choice>,
    /// Publication choices.
    pub consents: Vec<Choice>,
    /// Whether the author represents an organization (the "on behalf" box is offered).
    pub representative: bool,
    /// The values as typed.
    pub form: CommentForm,
    /// Whether the "on behalf" box is ticked.
    pub on_behalf: bool,
    /// Errors of the last attempt.
    pub errors: FormErrors,
    /// Most files a comment carries.
    pub max_files: u64,
    /// Largest file, readable ("10 MB").
    pub max_file_size: String,
    /// Whether files were chosen in the attempt sent back (browsers do not keep them).
    pub files_chosen: bool,
}

impl CommentFormPage {
    fn new(
        state: &AppState,
        layout: Layout,
        detail: &Detail,
        author: &users::Model,
        form: CommentForm,
    ) -> Self {
        let t = layout.t;
        let consultation = &detail.summary.consultation;
        let paths = clause_paths(&detail.clauses, t);
        Self {
            layout: layout.titled(t.get("comment_form.title")),
            blocked: Blocked::No,
            consultation_id: consultation.id.to_string(),
            consultation_title: consultation.title.clone(),
            opens_on: date_vn(consultation.opens_at),
            closes_on: date_vn(consultation.closes_at),
            clause_options: clause_options(&detail.clauses, &paths),
            unit_options: detail
                .units
                .iter()
                .filter_map(|u| u.code.clone().map(|code| (code, u.name.clone())))
                .collect(),
            stances: choices(t, "stance", &["support", "oppose", "suggest", "question"]),
            consents: choices(
                t,
                "consent",
                &["public_named", "public_anonymous", "private"],
            ),
            representative: author.role == Role::OrganizationRep
                && author.organization_id.is_some(),
            on_behalf: ticked(form.on_behalf_of_organization.as_deref()),
            form,
            errors: FormErrors::default(),
            max_files: MAX_ATTACHMENTS_PER_COMMENT,
            max_file_size: human_size(state.settings.max_attachment_bytes),
            files_chosen: false,
        }
    }

    fn blocked(mut self, why: Blocked) -> Self {
        let key = match why {
            Blocked::Window => "comment_form.closed_title",
            Blocked::Unverified => "comment_form.unverified_title",
            Blocked::No => "comment_form.title",
        };
        self.layout = self.layout.clone().titled(self.layout.t.get(key));
        self.blocked = why;
        self
    }
}

/// `?clause=` preselects the clause.
#[derive(Debug, Default, Deserialize)]
pub struct ClauseQuery {
    clause: Option<String>,
}

/// `GET /consultations/{id}/comment?clause=`: the comment form.
pub async fn show_comment_form(
    State(state): State<AppState>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    uri: Uri,
    Path(id): Path<String>,
    query: Result<Query<ClauseQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let next = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let author = match require_commenter(&layout, &viewer, next) {
        Ok(author) => author,
        Err(response) => return Ok(*response),
    };
    let detail = load(&state, &layout, &id).await?;
    let clause = query
        .ok()
        .and_then(|Query(q)| q.clause)
        .filter(|c| Uuid::parse_str(c).is_ok_and(|c| detail.clauses.iter().any(|r| r.id == c)))
        .unwrap_or_default();
    let form = CommentForm {
        clause_id: clause,
        idempotency_key: random_token(),
        ..CommentForm::default()
    };
    let page = CommentFormPage::new(&state, layout, &detail, &author, form);
    if author.email_verified_at.is_none() {
        return Ok(render(&page.blocked(Blocked::Unverified)));
    }
    if comments::ensure_open(&detail.summary.consultation, now()).is_err() {
        return Ok(render(&page.blocked(Blocked::Window)));
    }
    Ok(render(&page))
}

/// `POST /consultations/{id}/comment` (`multipart/form-data` with up to 5 files, or a plain
/// form): submits the comment for moderation, attaches the files and shows the receipt; a
/// retry with the same hidden key (a double tap, a weak network) gives the same one. Files are
/// checked before the comment is saved, so a refused file sends the whole form back as typed.
pub async fn submit_comment(
    State(state): State<AppState>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let next = format!("/consultations/{id}/comment");
    let author = match require_commenter(&layout, &viewer, &next) {
        Ok(author) => author,
        Err(response) => return Ok(*response),
    };
    let sent = read_form(&state, &layout, request).await?;
    let form: CommentForm = sent.fields().map_err(|e| layout.fail(e))?;
    let detail = load(&state, &layout, &id).await?;
    let mut page = CommentFormPage::new(&state, layout.clone(), &detail, &author, form.clone());
    page.files_chosen = !sent.files.is_empty();
    if author.email_verified_at.is_none() {
        let page = page.blocked(Blocked::Unverified);
        return Ok(render_status(StatusCode::FORBIDDEN, &page));
    }
    let consultation_id = detail.summary.consultation.id;
    limit(
        &state,
        &format!("comment:{}", author.id),
        30,
        Duration::from_secs(3600),
    )
    .map_err(|e| layout.fail(e))?;
    let t = layout.t;
    let on_behalf = ticked(form.on_behalf_of_organization.as_deref());
    let files = sent.files_of(FILES_FIELD);
    let letters = sent.files_of(LETTER_FIELD);
    let file_errors = check_files(&state, t, &files, &letters, on_behalf);
    if !file_errors.is_empty() {
        return Ok(with_errors(page, file_errors));
    }
    let clause_id = match form.clause_id.trim() {
        "" => None,
        value => match Uuid::parse_str(value) {
            Ok(clause) => Some(clause),
            Err(_) => {
                let mut errors = FormErrors::default();
                errors.push("clause_id", t.get("field.clause_id.unknown"));
                return Ok(with_errors(page, errors));
            }
        },
    };
    let input = NewComment {
        clause_id,
        stance: form.stance,
        body: form.body,
        consent: form.consent,
        on_behalf_of_organization: on_behalf,
        idempotency_key: Some(form.idempotency_key),
        unit_code: Some(form.unit_code.clone()).filter(|c| !c.trim().is_empty()),
        ..NewComment::default()
    };
    match comments::submit(&state.db, &author, consultation_id, input, &state.base_url).await {
        Ok(submitted) => {
            state.mail_queued();
            let comment_id = submitted.comment.id;
            let mut receipt = format!("/comments/{comment_id}/receipt");
            // A replay is the comment already sent, with its files.
            if !submitted.replayed {
                let uploads = files.into_iter().chain(letters);
                if !attach_all(&state, &viewer, &author, comment_id, uploads).await {
                    receipt.push_str("?notice=attachments_failed");
                }
            }
            Ok(see_other(&receipt))
        }
        Err(Error::Invalid(fields)) => Ok(with_errors(page, FormErrors::from_fields(t, &fields))),
        Err(Error::Conflict {
            code: "outside_comment_window",
            ..
        }) => Ok(render_status(
            StatusCode::CONFLICT,
            &page.blocked(Blocked::Window),
        )),
        Err(e) => Err(layout.fail(e)),
    }
}

/// The form sent back (422) with its errors, in the order of the fields.
fn with_errors(mut page: CommentFormPage, mut errors: FormErrors) -> Response {
    errors.list.sort_by_key(|(field, _)| {
        FIELD_ORDER
            .iter()
            .position(|f| f == field)
            .unwrap_or(FIELD_ORDER.len())
    });
    let t = page.layout.t;
    page.layout = page
        .layout
        .clone()
        .titled_form(t.get("comment_form.title"), true);
    page.errors = errors;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// The published consultation of the path, or the 404 page.
async fn load(state: &AppState, layout: &Layout, id: &str) -> Result<Detail, PageError> {
    let id = Uuid::parse_str(id).map_err(|_| layout.fail(Error::NotFound("consultation")))?;
    consultations::get_public(&state.db, id, now())
        .await
        .map_err(|e| layout.fail(e))
}

/// The receipt after sending a comment.
#[derive(Template)]
#[template(path = "comment_receipt.html")]
pub struct ReceiptPage {
    /// Layout.
    pub layout: Layout,
    /// Tracking code.
    pub code: String,
    /// Address of the tracking page, as printed (absolute).
    pub track_url: String,
    /// Comment id, for the link to it.
    pub comment_id: String,
    /// Consultation id.
    pub consultation_id: String,
    /// Consultation title.
    pub consultation_title: String,
    /// Where the receipt was mailed.
    pub email: String,
    /// The files attached.
    pub attachments: Vec<AttachmentRow>,
    /// Hash of the submission's event in the audit chain.
    pub submission_hash: Option<String>,
}

/// `GET /comments/{id}/receipt`: the tracking code and what happens next; only for the author.
pub async fn show_receipt(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(holder): AccountHolder,
    PageViewer(viewer): PageViewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let not_found = || layout.fail(Error::NotFound("comment"));
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let view = comment_reading::get(&state.db, id, &viewer.actor())
        .await
        .map_err(|e| layout.fail(e))?;
    let comment = match view {
        CommentView::Full(c, _) if c.author_id == Some(holder.user.id) => c,
        _ => return Err(not_found()),
    };
    let detail = consultations::get_public(&state.db, comment.consultation_id, now())
        .await
        .map_err(|e| layout.fail(e))?;
    let files = attachments::list_for_comment(&state.db, &viewer.actor(), comment.id)
        .await
        .map_err(|e| layout.fail(e))?;
    let submission_hash = crate::services::audit::submission_hash(&state.db, comment.id)
        .await
        .map_err(|e| layout.fail(e))?;
    let t = layout.t;
    let page = ReceiptPage {
        submission_hash,
        attachments: attachment_rows(&files),
        layout: layout.titled(t.get("receipt.title")),
        track_url: format!(
            "{}/track/{}",
            state.base_url.trim_end_matches('/'),
            comment.tracking_code
        ),
        code: comment.tracking_code.clone(),
        comment_id: comment.id.to_string(),
        consultation_id: comment.consultation_id.to_string(),
        consultation_title: detail.summary.consultation.title.clone(),
        email: holder.user.email.clone(),
    };
    Ok(render(&page))
}
