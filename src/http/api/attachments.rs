//! Files through the API: attachments of comments, documents of consultations.
//!
//! Uploads are `multipart/form-data` with one file in the field `file`. Downloads are answered
//! with the type recognized from the content, `Content-Disposition` with a safe name,
//! `X-Content-Type-Options: nosniff`, and `Cache-Control: private, no-store` unless what the
//! file belongs to is public.

use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use entity::{comment_attachments, documents};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::attachments::{AttachmentError, COMMENT_KINDS, CONSULTATION_KINDS, FileKind};
use crate::error::{Error, FieldErrors, Result};
use crate::http::auth::{Author, Commenter, Viewer, limit};
use crate::http::extract::ValidPath;
use crate::services::attachments::{self, Download, Upload, refusal};
use crate::state::AppState;

/// The upload form.
#[derive(Debug, ToSchema)]
pub struct UploadForm {
    /// The file (one per request).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// A file attached to a comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentResponse {
    /// Id (random; the download address is built from it).
    pub id: Uuid,
    /// The comment.
    pub comment_id: Uuid,
    /// Safe file name.
    pub file_name: String,
    /// MIME type recognized from the content.
    pub content_type: String,
    /// Size in bytes, after metadata removal.
    pub size_bytes: i64,
    /// Hex SHA-256 of the stored content.
    pub sha256: String,
    /// Upload time.
    pub created_at: DateTime<Utc>,
    /// Where to download it.
    pub url: String,
}

impl From<comment_attachments::Model> for AttachmentResponse {
    fn from(a: comment_attachments::Model) -> Self {
        Self {
            url: format!("/api/v1/attachments/{}", a.id),
            id: a.id,
            comment_id: a.comment_id,
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

/// A document attached to a consultation.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentResponse {
    /// Id.
    pub id: Uuid,
    /// The consultation.
    pub consultation_id: Uuid,
    /// Safe file name.
    pub file_name: String,
    /// MIME type recognized from the content.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// Hex SHA-256 of the stored content.
    pub sha256: String,
    /// Upload time.
    pub created_at: DateTime<Utc>,
    /// Where to download it.
    pub url: String,
}

impl From<documents::Model> for DocumentResponse {
    fn from(d: documents::Model) -> Self {
        Self {
            url: format!("/api/v1/documents/{}", d.id),
            id: d.id,
            consultation_id: d.consultation_id,
            file_name: d.file_name,
            content_type: d.content_type,
            size_bytes: d.size_bytes,
            sha256: d.sha256,
            created_at: d.created_at,
        }
    }
}

/// Reads the one `file` field of a multipart body, refusing it as soon as it passes
/// `max_bytes`.
async fn read_upload(
    multipart: std::result::Result<Multipart, MultipartRejection>,
    max_bytes: usize,
    allowed: &[FileKind],
) -> Result<Upload> {
    let mut multipart = multipart.map_err(|_| {
        Error::bad_request(
            "unsupported_media_type",
            "Send the file as multipart/form-data in a field named `file`.",
        )
    })?;
    let too_large = |size| {
        refusal(
            &AttachmentError::TooLarge {
                size,
                max: max_bytes,
            },
            allowed,
        )
    };
    let unreadable = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(max_bytes.saturating_add(1))
        } else {
            Error::bad_request(
                "malformed_multipart",
                format!("The multipart body could not be read: {}", e.body_text()),
            )
        }
    };
    let mut upload: Option<Upload> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() != Some("file") {
            continue;
        }
        if upload.is_some() {
            let mut errors = FieldErrors::default();
            errors.push("file", "one_file_per_request", "Mỗi lần chỉ gửi một tệp.");
            return Err(Error::Invalid(errors));
        }
        let file_name = field.file_name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(ToOwned::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            let size = bytes.len().saturating_add(chunk.len());
            if size > max_bytes {
                return Err(too_large(size));
            }
            bytes.extend_from_slice(&chunk);
        }
        upload = Some(Upload {
            file_name,
            content_type,
            bytes,
        });
    }
    upload.ok_or_else(|| {
        let mut errors = FieldErrors::default();
        errors.push("file", "required", "Chọn một tệp để gửi.");
        Error::Invalid(errors)
    })
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded`, or `inline` for images.
fn content_disposition(download: &Download) -> HeaderValue {
    let disposition = match download.kind {
        Some(FileKind::Jpeg | FileKind::Png) => "inline",
        _ => "attachment",
    };
    let ascii: String = download
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in download.file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!(
        "{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The response carrying a stored file.
fn file_response(download: Download) -> Response {
    let cache = if download.public {
        "public, max-age=300"
    } else {
        "private, no-store"
    };
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(download.content_type()),
        ),
        (header::CONTENT_DISPOSITION, content_disposition(&download)),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (
            header::ETAG,
            HeaderValue::from_str(&format!("\"{}\"", download.sha256))
                .unwrap_or_else(|_| HeaderValue::from_static("\"\"")),
        ),
        // A file is never a page: nothing in it may run or load anything.
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; sandbox"),
        ),
    ];
    (headers, Body::from(download.bytes)).into_response()
}

/// Attaches a file (JPEG, PNG or PDF) to one's own comment while it waits for moderation.
#[utoipa::path(
    post, path = "/api/v1/comments/{id}/attachments", tag = "comments",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    params(("id" = Uuid, Path, description = "Comment id")),
    responses(
        (status = 201, description = "Stored, with its metadata (EXIF, GPS) removed", body = AttachmentResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a commenter, or not the comment's author", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already moderated (`already_moderated`) or 5 files already (`too_many_attachments`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "File refused; `errors[].code` is `empty`, `too_large`, `not_allowed_type`, `content_mismatch`, `bad_name`, `malformed`, `required` or `one_file_per_request`", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn upload_attachment(
    State(state): State<AppState>,
    Commenter(user): Commenter,
    ValidPath(id): ValidPath<Uuid>,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AttachmentResponse>)> {
    let author = &user.signed_in().user;
    let actor = user.actor();
    attachments::ensure_can_attach(&state.db, author, &actor, id).await?;
    limit(
        &state,
        &format!("attach:{}", author.id),
        60,
        Duration::from_secs(3600),
    )?;
    let max = state.settings.max_attachment_bytes;
    let upload = read_upload(multipart, max, COMMENT_KINDS).await?;
    let row =
        attachments::attach_to_comment(&state.db, &state.storage, max, author, &actor, id, upload)
            .await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Lists a comment's files (whoever may see the comment may see them).
#[utoipa::path(
    get, path = "/api/v1/comments/{id}/attachments", tag = "comments",
    params(("id" = Uuid, Path, description = "Comment id")),
    responses(
        (status = 200, description = "Files, oldest first", body = [AttachmentResponse]),
        (status = 404, description = "No such comment, or not public", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_attachments(
    State(state): State<AppState>,
    viewer: Viewer,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Json<Vec<AttachmentResponse>>> {
    let rows = attachments::list_for_comment(&state.db, &viewer.actor(), id).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Downloads a comment's file; visibility is checked on every request.
#[utoipa::path(
    get, path = "/api/v1/attachments/{id}", tag = "comments",
    params(("id" = Uuid, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The file, typed from its content"),
        (status = 404, description = "No such file, or its comment is not public", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn download_attachment(
    State(state): State<AppState>,
    viewer: Viewer,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Response> {
    let download =
        attachments::download_attachment(&state.db, &state.storage, &viewer.actor(), id).await?;
    Ok(file_response(download))
}

/// Adds a document (PDF, JPEG, PNG, DOCX, XLSX) to a consultation.
#[utoipa::path(
    post, path = "/api/v1/consultations/{id}/documents", tag = "authoring",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    params(("id" = Uuid, Path, description = "Consultation id")),
    responses(
        (status = 201, description = "Stored", body = DocumentResponse),
        (status = 403, description = "Only officers of the lead agency and admins", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation for this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "File refused; see `errors[].code`", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn upload_document(
    State(state): State<AppState>,
    Author(user): Author,
    ValidPath(id): ValidPath<Uuid>,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<DocumentResponse>)> {
    let actor = user.actor();
    attachments::ensure_can_add_document(&state.db, &actor, id).await?;
    let max = state.settings.max_document_bytes;
    let upload = read_upload(multipart, max, CONSULTATION_KINDS).await?;
    let row = attachments::add_document(
        &state.db,
        &state.storage,
        max,
        &actor,
        &user.signed_in().user,
        id,
        upload,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Lists a consultation's documents (drafts: only their editors).
#[utoipa::path(
    get, path = "/api/v1/consultations/{id}/documents", tag = "consultations",
    params(("id" = Uuid, Path, description = "Consultation id")),
    responses(
        (status = 200, description = "Documents, oldest first", body = [DocumentResponse]),
        (status = 404, description = "No such consultation", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_documents(
    State(state): State<AppState>,
    viewer: Viewer,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Json<Vec<DocumentResponse>>> {
    let rows = attachments::list_documents(&state.db, &viewer.actor(), id).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Downloads a consultation's document; visibility is checked on every request.
#[utoipa::path(
    get, path = "/api/v1/documents/{id}", tag = "consultations",
    params(("id" = Uuid, Path, description = "Document id")),
    responses(
        (status = 200, description = "The file, typed from its content"),
        (status = 404, description = "No such document, or its consultation is a draft", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn download_document(
    State(state): State<AppState>,
    viewer: Viewer,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Response> {
    let download =
        attachments::download_document(&state.db, &state.storage, &viewer.actor(), id).await?;
    Ok(file_response(download))
}

/// Removes a document while the consultation is a draft.
#[utoipa::path(
    delete, path = "/api/v1/documents/{id}", tag = "authoring",
    params(("id" = Uuid, Path, description = "Document id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such document for this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The consultation is published (`published_document_cannot_be_deleted`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn delete_document(
    State(state): State<AppState>,
    Author(user): Author,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<StatusCode> {
    attachments::delete_document(&state.db, &state.storage, &user.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
