//! Changing one's own comment on a page while it waits for moderation (pending, or returned
//! for an edit): the form prefilled with the current stance, text and consent. The version it
//! replaces is kept and shown on the comment's page. Once moderation has decided, the page says
//! that the comment can no longer be changed. The JSON equivalent is `PATCH /api/v1/comments/{id}`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use entity::comments;
use http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::Error;
use crate::http::auth::{SignedIn, Viewer};
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::PageViewer;
use crate::http::pages::comment_views::editable;
use crate::http::pages::comments::{Choice, choices, require_commenter};
use crate::http::pages::forms::FormErrors;
use crate::http::pages::{Layout, render, render_status};
use crate::http::problem::PageError;
use crate::services::comment_reading::{self, CommentView};
use crate::services::comments::{self as comment_service, CommentEdit};
use crate::services::consultations;
use crate::state::AppState;

/// Order of the fields in the form, which the error summary follows.
const FIELD_ORDER: [&str; 3] = ["stance", "body", "consent"];

/// What the edit form holds, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    stance: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    consent: String,
}

/// The edit page: the form, or (when `closed`) why the comment can no longer change.
#[derive(Template)]
#[template(path = "comment_edit.html")]
pub struct EditPage {
    /// Layout.
    pub layout: Layout,
    /// Comment id.
    pub comment_id: String,
    /// Consultation id.
    pub consultation_id: String,
    /// Consultation title.
    pub consultation_title: String,
    /// Whether moderation has decided, so nothing can change.
    pub closed: bool,
    /// Stance choices.
    pub stances: Vec<Choice>,
    /// Publication choices.
    pub consents: Vec<Choice>,
    /// The values shown.
    pub form: EditForm,
    /// Errors of the last attempt.
    pub errors: FormErrors,
}

/// The author's own comment, or the answer to give instead: the sign-in page, the 403 page
/// for accounts that do not comment, "not found" for anyone else's comment.
async fn own_comment(
    state: &AppState,
    layout: &Layout,
    viewer: &Viewer,
    id: &str,
) -> Result<(SignedIn, comments::Model), Response> {
    let next = format!("/comments/{id}/edit");
    require_commenter(layout, viewer, &next).map_err(|response| *response)?;
    let not_found = || layout.fail(Error::NotFound("comment")).into_response();
    let id = Uuid::parse_str(id).map_err(|_| not_found())?;
    let signed_in = viewer.signed_in.clone().ok_or_else(not_found)?;
    let view = comment_reading::get(&state.db, id, &viewer.actor())
        .await
        .map_err(|e| layout.fail(e).into_response())?;
    match view {
        CommentView::Full(c, _) if c.author_id == Some(signed_in.user.id) => Ok((signed_in, *c)),
        _ => Err(not_found()),
    }
}

impl EditPage {
    async fn new(
        state: &AppState,
        layout: Layout,
        comment: &comments::Model,
        form: EditForm,
    ) -> Result<Self, PageError> {
        let titles = consultations::titles(&state.db, vec![comment.consultation_id])
            .await
            .map_err(|e| layout.fail(e))?;
        let t = layout.t;
        let closed = !editable(&comment.status);
        let title = if closed {
            "comment_edit.closed_title"
        } else {
            "comment_edit.title"
        };
        Ok(Self {
            layout: layout.titled(t.get(title)),
            comment_id: comment.id.to_string(),
            consultation_id: comment.consultation_id.to_string(),
            consultation_title: titles
                .get(&comment.consultation_id)
                .cloned()
                .unwrap_or_default(),
            closed,
            stances: choices(t, "stance", &["support", "oppose", "suggest", "question"]),
            consents: choices(
                t,
                "consent",
                &["public_named", "public_anonymous", "private"],
            ),
            form,
            errors: FormErrors::default(),
        })
    }
}

/// `GET /comments/{id}/edit`: the form, prefilled; for the author only (others: not found).
pub async fn show_edit(
    State(state): State<AppState>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (_, comment) = match own_comment(&state, &layout, &viewer, &id).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let form = EditForm {
        stance: comment.stance.as_str().to_owned(),
        body: comment.body.clone(),
        consent: comment.consent.as_str().to_owned(),
    };
    let page = EditPage::new(&state, layout, &comment, form).await?;
    Ok(render(&page))
}

/// `POST /comments/{id}/edit`: saves the change (the replaced version is kept) and returns to
/// the comment; errors come back next to their fields; after moderation, 409 with the reason.
pub async fn save_edit(
    State(state): State<AppState>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> Result<Response, PageError> {
    let (signed_in, comment) = match own_comment(&state, &layout, &viewer, &id).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let change = CommentEdit {
        stance: Some(form.stance.clone()),
        body: Some(form.body.clone()),
        consent: Some(form.consent.clone()),
    };
    let mut page = EditPage::new(&state, layout.clone(), &comment, form).await?;
    match comment_service::edit(&state.db, &signed_in.user, comment.id, change).await {
        Ok(_) => Ok(see_other(&format!(
            "/comments/{}?notice=comment_edited",
            comment.id
        ))),
        Err(Error::Invalid(fields)) => {
            let t = page.layout.t;
            let mut errors = FormErrors::from_fields(t, &fields);
            errors.list.sort_by_key(|(field, _)| {
                FIELD_ORDER
                    .iter()
                    .position(|f| f == field)
                    .unwrap_or(FIELD_ORDER.len())
            });
            page.layout = page
                .layout
                .clone()
                .titled_form(t.get("comment_edit.title"), true);
            page.errors = errors;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(Error::Conflict {
            code: "already_moderated",
            ..
        }) => {
            page.closed = true;
            page.layout = page
                .layout
                .clone()
                .titled(page.layout.t.get("comment_edit.closed_title"));
            Ok(render_status(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(layout.fail(e)),
    }
}
