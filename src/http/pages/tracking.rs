//! Following a comment by its tracking code: a form to type the code, and the status page
//! anyone holding the code may open (no personal data). The JSON equivalent is
//! `GET /api/v1/track/{code}`.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use http::StatusCode;
use serde::Deserialize;

use crate::domain::time::datetime_vn;
use crate::error::Error;
use crate::http::csrf::see_other;
use crate::http::pages::access::encode_query_value;
use crate::http::pages::comment_views::status_class;
use crate::http::pages::forms::FormErrors;
use crate::http::pages::{Layout, render, render_status};
use crate::http::problem::PageError;
use crate::services::comments::{self, Tracked};
use crate::state::AppState;

/// One step of the history as the page shows it.
#[derive(Debug, Clone)]
pub struct Step {
    /// Translated status.
    pub label: &'static str,
    /// When, `hh:mm dd/mm/yyyy` in Vietnam time.
    pub at: String,
}

/// The tracking page: the form, and the comment's status when a code was found.
#[derive(Template)]
#[template(path = "track.html")]
pub struct TrackPage {
    /// Layout.
    pub layout: Layout,
    /// The code as typed (kept in the field).
    pub code: String,
    /// Error of the code field.
    pub errors: FormErrors,
    /// What was found.
    pub found: Option<Found>,
}

/// A found comment's public facts.
#[derive(Debug, Clone)]
pub struct Found {
    /// Canonical code.
    pub code: String,
    /// Consultation id.
    pub consultation_id: String,
    /// Consultation title.
    pub consultation_title: String,
    /// Status code, for styling.
    pub status: &'static str,
    /// Translated current status.
    pub status_label: &'static str,
    /// What the current status means.
    pub status_text: &'static str,
    /// History, oldest first.
    pub history: Vec<Step>,
    /// The public comment's id, when it is published.
    pub comment_id: Option<String>,
}

/// `?code=` typed in the form.
#[derive(Debug, Default, Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

/// `GET /track?code=`: the form; with a code, goes to that code's page (404 with the form
/// again when no comment has it).
pub async fn show_track_form(
    State(state): State<AppState>,
    layout: Layout,
    query: Result<Query<CodeQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let typed = query.ok().and_then(|Query(q)| q.code);
    let t = layout.t;
    let Some(typed) = typed else {
        return Ok(render(&TrackPage {
            layout: layout.titled(t.get("track.title")),
            code: String::new(),
            errors: FormErrors::default(),
            found: None,
        }));
    };
    if typed.trim().is_empty() {
        let page = TrackPage {
            layout: layout.titled_form(t.get("track.title"), true),
            code: String::new(),
            errors: code_error(t.get("track.error_required")),
            found: None,
        };
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    match comments::track(&state.db, &typed).await {
        Ok(tracked) => Ok(see_other(&format!(
            "/track/{}",
            encode_query_value(&tracked.code)
        ))),
        Err(Error::NotFound(_)) => Ok(not_found(layout, typed)),
        Err(e) => Err(layout.fail(e)),
    }
}

/// `GET /track/{code}`: status and history of the comment with this code.
pub async fn show_tracked(
    State(state): State<AppState>,
    layout: Layout,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    match comments::track(&state.db, &code).await {
        Ok(tracked) => {
            let t = layout.t;
            let found = found(tracked, layout.t);
            let title = format!("{}{}", t.get("track.title_prefix"), found.code);
            Ok(render(&TrackPage {
                layout: layout.titled(title),
                // The form below is for another code.
                code: String::new(),
                errors: FormErrors::default(),
                found: Some(found),
            }))
        }
        Err(Error::NotFound(_)) => Ok(not_found(layout, code)),
        Err(e) => Err(layout.fail(e)),
    }
}

/// The form again, with "no comment has this code" (404).
fn not_found(layout: Layout, typed: String) -> Response {
    let t = layout.t;
    let page = TrackPage {
        layout: layout.titled_form(t.get("track.title"), true),
        // What was typed goes back in the field (the template escapes it).
        code: typed.chars().take(40).collect(),
        errors: code_error(t.get("track.error_unknown")),
        found: None,
    };
    render_status(StatusCode::NOT_FOUND, &page)
}

fn found(tracked: Tracked, t: crate::i18n::Tr) -> Found {
    let status = tracked.status.as_str();
    Found {
        code: tracked.code,
        consultation_id: tracked.consultation.0.to_string(),
        consultation_title: tracked.consultation.1,
        status: status_class(&tracked.status),
        status_label: t.get(&format!("comment_status.{status}")),
        status_text: t.get(&format!("track.meaning_{status}")),
        history: tracked
            .history
            .iter()
            .map(|s| Step {
                label: t.get(&format!("comment_status.{}", s.status)),
                at: datetime_vn(s.at),
            })
            .collect(),
        comment_id: tracked.public_comment_id.map(|id| id.to_string()),
    }
}

fn code_error(message: &str) -> FormErrors {
    let mut errors = FormErrors::default();
    errors.push("code", message);
    errors
}
