//! The edit page's other forms: the pasted text that becomes the clause tree, corrections to
//! one clause, documents, and the steps of a consultation's life (publish, close, new version,
//! delete the draft). Every handler calls one service and goes back to the edit page.

use axum::extract::multipart::Multipart;
use axum::extract::{FromRequest, Path, Request, State};
use axum::response::Response;
use http::{StatusCode, header};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::Error;
use crate::http::auth::constant_time_eq;
use crate::http::csrf::{CSRF_COOKIE, CSRF_FIELD, CsrfForm, see_other};
use crate::http::pages::authoring::{EditState, Officer, consultation_id, edit_page};
use crate::http::pages::forms::{FormErrors, NoFields};
use crate::http::pages::{Layout, cookie};
use crate::http::problem::PageError;
use crate::policy::Actor;
use crate::services::attachments::{self, Upload};
use crate::services::authoring::{self, ClauseEdit};
use crate::state::AppState;

/// Back to the edit page with a confirmation.
fn back(id: Uuid, notice: &str, fragment: &str) -> Response {
    see_other(&format!(
        "/agency/consultations/{id}?notice={notice}{fragment}"
    ))
}

/// The edit page again, with a refusal of the service shown in its error summary: field
/// errors as they are, a conflict (not a draft, window passed ...) on the form's `field`.
async fn refused(
    state: &AppState,
    layout: Layout,
    actor: &Actor,
    id: Uuid,
    field: &str,
    error: Error,
    text: String,
) -> Result<Response, PageError> {
    let t = layout.t;
    let (status, errors) = match error {
        Error::Invalid(fields) => {
            let mut errors = FormErrors::default();
            for (name, message) in FormErrors::from_fields(t, &fields).list {
                // Clause corrections name the clause's own fields.
                let name = if field.starts_with("clause-") {
                    format!("{field}-{name}")
                } else {
                    name
                };
                errors.push(&name, message);
            }
            (StatusCode::UNPROCESSABLE_ENTITY, errors)
        }
        Error::Conflict { code, .. } => {
            let key = format!("authoring.conflict_{code}");
            let message = if t.has(&key) {
                t.get(&key)
            } else {
                t.get("authoring.conflict")
            };
            let mut errors = FormErrors::default();
            errors.push(field, message);
            (StatusCode::CONFLICT, errors)
        }
        other => return Err(layout.fail(other)),
    };
    let edit = EditState {
        form: None,
        text,
        errors,
    };
    edit_page(state, layout, actor, id, status, edit).await
}

/// The pasted text.
#[derive(Debug, Deserialize)]
pub struct TextForm {
    /// The draft's text; chương, mục, điều, khoản and điểm are recognised.
    #[serde(default)]
    pub text: String,
}

/// `POST /agency/consultations/{id}/text`: replaces the clause tree by the one recognised.
pub async fn set_text(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<TextForm>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id).map_err(|e| layout.fail(e))?;
    let actor = officer.actor();
    match authoring::set_clauses_from_text(&state.db, &actor, id, &form.text).await {
        Ok(_) => Ok(back(id, "text_recognised", "#tree")),
        Err(e) => refused(&state, layout, &actor, id, "text", e, form.text).await,
    }
}

/// Corrections to one clause.
#[derive(Debug, Deserialize)]
pub struct ClauseForm {
    /// Number as printed.
    #[serde(default)]
    pub number: String,
    /// Heading (empty removes it).
    #[serde(default)]
    pub heading: String,
    /// Text.
    #[serde(default)]
    pub body: String,
}

fn clause_id(id: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(id).map_err(|_| Error::NotFound("clause"))
}

/// `POST /agency/consultations/{id}/clauses/{clause_id}`: corrects one recognised clause.
pub async fn edit_clause(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
    Path((id, clause)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ClauseForm>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id).map_err(|e| layout.fail(e))?;
    let clause = clause_id(&clause).map_err(|e| layout.fail(e))?;
    let actor = officer.actor();
    let edit = ClauseEdit {
        number: Some(form.number),
        heading: Some(form.heading),
        body: Some(form.body),
    };
    match authoring::edit_clause(&state.db, &actor, id, clause, edit).await {
        Ok(_) => Ok(back(id, "clause_saved", &format!("#clause-{clause}"))),
        Err(e) => {
            let field = format!("clause-{clause}");
            refused(&state, layout, &actor, id, &field, e, String::new()).await
        }
    }
}

/// `POST /agency/consultations/{id}/clauses/{clause_id}/delete`: removes a clause and the
/// clauses under it.
pub async fn delete_clause(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
    Path((id, clause)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id).map_err(|e| layout.fail(e))?;
    let clause = clause_id(&clause).map_err(|e| layout.fail(e))?;
    let actor = officer.actor();
    match authoring::delete_clause(&state.db, &actor, id, clause).await {
        Ok(()) => Ok(back(id, "clause_deleted", "#tree")),
        Err(e) => refused(&state, layout, &actor, id, "tree", e, String::new()).await,
    }
}

/// `POST /agency/consultations/{id}/documents` (`multipart/form-data`: `csrf_token` first,
/// then one `file`): adds a document. A form sent otherwise is checked for its CSRF field, then
/// answered with "choose a file".
pub async fn upload_document(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let id = consultation_id(&id).map_err(|e| layout.fail(e))?;
    let actor = officer.actor();
    let expected = cookie(request.headers(), CSRF_COOKIE).unwrap_or_default();
    let csrf_ok =
        |sent: &str| !expected.is_empty() && constant_time_eq(sent.as_bytes(), expected.as_bytes());
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if !multipart {
        let bytes = axum::body::to_bytes(request.into_body(), 64 * 1024)
            .await
            .unwrap_or_default();
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let sent = pairs
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map_or("", |(_, v)| v.as_str());
        if !csrf_ok(sent) {
            return Err(layout.fail(Error::CsrfRejected));
        }
        attachments::ensure_can_add_document(&state.db, &actor, id)
            .await
            .map_err(|e| layout.fail(e))?;
        return refused(
            &state,
            layout,
            &actor,
            id,
            "file",
            file_required(),
            String::new(),
        )
        .await;
    }
    let mut multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|_| {
            layout.fail(Error::bad_request(
                "malformed_multipart",
                "The form could not be read.",
            ))
        })?;
    // The CSRF field comes before the file, so nothing is read for a forged form.
    let first = multipart.next_field().await.ok().flatten();
    let sent = match first {
        Some(field) if field.name() == Some(CSRF_FIELD) => field.text().await.unwrap_or_default(),
        _ => String::new(),
    };
    if !csrf_ok(&sent) {
        return Err(layout.fail(Error::CsrfRejected));
    }
    attachments::ensure_can_add_document(&state.db, &actor, id)
        .await
        .map_err(|e| layout.fail(e))?;
    let max = state.settings.max_document_bytes;
    let upload = match read_file(&mut multipart, max).await {
        Ok(upload) => upload,
        Err(e) => return refused(&state, layout, &actor, id, "file", e, String::new()).await,
    };
    let stored = attachments::add_document(
        &state.db,
        &state.storage,
        max,
        &actor,
        &officer.0.user,
        id,
        upload,
    )
    .await;
    match stored {
        Ok(_) => Ok(back(id, "document_added", "#documents")),
        Err(e) => refused(&state, layout, &actor, id, "file", e, String::new()).await,
    }
}

/// The refusal of a form sent without a file.
fn file_required() -> Error {
    let mut errors = crate::error::FieldErrors::default();
    errors.push("file", "required", "Chọn một tệp để gửi.");
    Error::Invalid(errors)
}

/// Reads the `file` field (at most `max` bytes; a browser sends an empty one when no file
/// was chosen).
async fn read_file(multipart: &mut Multipart, max: usize) -> Result<Upload, Error> {
    let unreadable = || Error::bad_request("malformed_multipart", "The form could not be read.");
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable())? {
        if field.name() != Some("file") {
            continue;
        }
        let file_name = field.file_name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(ToOwned::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
            if bytes.len().saturating_add(chunk.len()) > max {
                return Err(attachments::refusal(
                    &crate::domain::attachments::AttachmentError::TooLarge {
                        size: bytes.len().saturating_add(chunk.len()),
                        max,
                    },
                    crate::domain::attachments::CONSULTATION_KINDS,
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() && file_name.is_empty() {
            return Err(file_required());
        }
        return Ok(Upload {
            file_name,
            content_type,
            bytes,
        });
    }
    Err(file_required())
}

/// The consultation a document belongs to, sent back by its delete button.
#[derive(Debug, Deserialize)]
pub struct DocumentForm {
    /// Consultation id, to return to its edit page.
    #[serde(default)]
    pub consultation: String,
}

/// `POST /agency/documents/{id}/delete`: removes a document of a draft.
pub async fn delete_document(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DocumentForm>,
) -> Result<Response, PageError> {
    let document = Uuid::parse_str(&id).map_err(|_| layout.fail(Error::NotFound("document")))?;
    let actor = officer.actor();
    attachments::delete_document(&state.db, &state.storage, &actor, document)
        .await
        .map_err(|e| layout.fail(e))?;
    Ok(match Uuid::parse_str(form.consultation.trim()) {
        Ok(id) => back(id, "document_deleted", "#documents"),
        Err(_) => see_other("/agency/consultations?notice=document_deleted"),
    })
}

/// `POST /agency/consultations/{id}/publish`: opens the draft for comments.
pub async fn publish(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id).map_err(|e| layout.fail(e))?;
    let actor = officer.actor();
    match authoring::publish(&state.db, &actor, id).await {
        Ok(_) => Ok(back(id, "published", "")),
        Err(e) => refused(&state, layout, &actor, id, "publish", e, String::new()).await,
    }
}

/// `POST /agency/consultations/{id}/close`: ends the comment window now.
pub async fn close(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id).map_err(|e| layout.fail(e))?;
    let actor = officer.actor();
    match authoring::close(&state.db, &actor, id).await {
        Ok(_) => Ok(back(id, "closed", "")),
        Err(e) => refused(&state, layout, &actor, id, "lifecycle", e, String::new()).await,
    }
}

/// `POST /agency/consultations/{id}/versions`: starts a new draft version and opens it.
pub async fn new_version(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id).map_err(|e| layout.fail(e))?;
    let actor = officer.actor();
    match authoring::new_version(&state.db, &actor, id).await {
        Ok(created) => Ok(back(created.id, "version_created", "")),
        Err(e) => refused(&state, layout, &actor, id, "lifecycle", e, String::new()).await,
    }
}

/// `POST /agency/consultations/{id}/delete`: deletes a draft.
pub async fn delete_draft(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id).map_err(|e| layout.fail(e))?;
    let actor = officer.actor();
    match authoring::delete_draft(&state.db, &actor, id).await {
        Ok(()) => Ok(see_other("/agency/consultations?notice=draft_deleted")),
        Err(e) => refused(&state, layout, &actor, id, "lifecycle", e, String::new()).await,
    }
}
