//! Files attached to comments and documents attached to consultations.
//!
//! - **Comment attachments**: the author of a comment adds photos and scans (JPEG, PNG, PDF,
//!   see [`COMMENT_KINDS`]) while the comment waits for moderation (pending, or returned for an
//!   edit), at most [`MAX_ATTACHMENTS_PER_COMMENT`]. An organization representative's formal
//!   letter (văn bản góp ý, phản biện) is a PDF attached the same way to the comment made on
//!   behalf of the organization. Attachments are seen by whoever may see the comment: everyone
//!   once it is public, otherwise only its author and moderators (others are told "not found").
//! - **Consultation documents**: officers of the lead agency and admins add PDFs, images and
//!   Office files ([`CONSULTATION_KINDS`]); they are seen with the consultation (drafts only by
//!   their editors) and can be removed only while the consultation is a draft.
//!
//! Every upload is checked on its content ([`check`]), its metadata (EXIF, GPS, ...) removed
//! ([`strip_metadata`]) before it is stored under a random key, and its SHA-256 recorded.
//! Visibility is decided again on every download from the current state of the comment or
//! consultation, so a file never has a permanent public address while what it belongs to is
//! not public.

use std::collections::HashMap;

use axum::body::Bytes;
use entity::enums::{CommentStatus, ConsultationStatus};
use entity::{comment_attachments, comments, consultations, documents, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::attachments::{
    AttachmentError, COMMENT_KINDS, CONSULTATION_KINDS, FileKind, check, safe_file_name_for, sniff,
    strip_metadata,
};
use crate::error::{Error, FieldErrors, Result};
use crate::policy::{Action, Actor};
use crate::services::authoring::find_editable;
use crate::services::comment_reading::public_condition;
use crate::services::comments::is_public;
use crate::services::{new_id, now};
use crate::storage::Storage;

/// Most files one comment may carry.
pub const MAX_ATTACHMENTS_PER_COMMENT: u64 = 5;

/// Storage key prefix of comment attachments.
const ATTACHMENT_PREFIX: &str = "attachments";
/// Storage key prefix of consultation documents.
const DOCUMENT_PREFIX: &str = "documents";

/// A file as it arrived, before any check.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Name given by the sender's device.
    pub file_name: String,
    /// Declared content type, if any.
    pub content_type: Option<String>,
    /// Content.
    pub bytes: Vec<u8>,
}

/// A stored file ready to be served.
#[derive(Debug, Clone)]
pub struct Download {
    /// Safe file name for `Content-Disposition`.
    pub file_name: String,
    /// What the content is, recognized from the bytes themselves.
    pub kind: Option<FileKind>,
    /// Content.
    pub bytes: Bytes,
    /// Hex SHA-256 of the content, as recorded at upload.
    pub sha256: String,
    /// Whether everyone may see it (so shared caches may keep it).
    pub public: bool,
}

impl Download {
    /// Content type to serve, from the sniffed kind (`application/octet-stream` when unknown).
    pub fn content_type(&self) -> &'static str {
        self.kind
            .map_or("application/octet-stream", FileKind::content_type)
    }
}

/// The error answered for a refused file: 422 with the stable code of `error` on the `file`
/// field and a message in Vietnamese.
pub fn refusal(error: &AttachmentError, allowed: &[FileKind]) -> Error {
    let message = match error {
        AttachmentError::Empty => "Tệp trống, không có nội dung.".to_owned(),
        AttachmentError::TooLarge { max, .. } => {
            format!("Tệp quá lớn: tối đa {}.", human_size(*max))
        }
        AttachmentError::NotAllowedType { .. } => format!(
            "Loại tệp này không được nhận. Chỉ nhận: {}.",
            allowed
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        AttachmentError::ContentMismatch { detected, .. } => format!(
            "Nội dung tệp là {detected}, không khớp với tên hoặc loại tệp đã khai báo."
        ),
        AttachmentError::BadName { .. } => {
            "Tên tệp không hợp lệ (không được chứa dấu / hoặc \\, ký tự điều khiển, hoặc dài quá 200 ký tự).".to_owned()
        }
        AttachmentError::Malformed { kind, .. } => {
            format!("Tệp {kind} bị hỏng hoặc không đọc được.")
        }
    };
    let mut errors = FieldErrors::default();
    errors.push("file", error.code(), message);
    Error::Invalid(errors)
}

/// `10 MB`, `512 KB`, `300 byte`.
pub fn human_size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MB", bytes / MIB)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} byte")
    }
}

/// A checked, cleaned file.
struct Prepared {
    kind: FileKind,
    bytes: Bytes,
    sha256: String,
    file_name: String,
}

/// Checks the content, strips metadata, digests and names the file.
fn prepare(upload: Upload, allowed: &[FileKind], max_bytes: usize) -> Result<Prepared> {
    let kind = check(
        &upload.file_name,
        upload.content_type.as_deref(),
        &upload.bytes,
        allowed,
        max_bytes,
    )
    .map_err(|e| refusal(&e, allowed))?;
    let cleaned = strip_metadata(kind, &upload.bytes).map_err(|e| refusal(&e, allowed))?;
    let sha256 = hex::encode(Sha256::digest(&cleaned));
    Ok(Prepared {
        kind,
        file_name: safe_file_name_for(&upload.file_name, kind),
        bytes: Bytes::from(cleaned),
        sha256,
    })
}

/// Checks a file meant for a comment that does not exist yet (the checks of an upload,
/// metadata removal included) without storing it, so a form with a refused file can be sent
/// back before anything is saved. The error is the one [`attach_to_comment`] would give.
pub fn check_comment_file(upload: &Upload, allowed: &[FileKind], max_bytes: usize) -> Result<()> {
    prepare(upload.clone(), allowed, max_bytes).map(|_| ())
}

/// Whether `actor` may see `comment` (the rules of `comment_reading::get`).
fn may_read_comment(actor: &Actor, comment: &comments::Model) -> bool {
    is_public(comment)
        || actor.can(&Action::ReadUnpublishedComment {
            author_id: comment.author_id,
        })
}

/// Whether `actor` may see `consultation` (the rules of `consultations::get_for`).
fn may_read_consultation(actor: &Actor, consultation: &consultations::Model) -> bool {
    consultation.status != ConsultationStatus::Draft
        || actor.can(&Action::PublishConsultation {
            lead_agency_id: consultation.lead_agency_id,
        })
}

async fn count_attachments<C: sea_orm::ConnectionTrait>(db: &C, comment_id: Uuid) -> Result<u64> {
    Ok(comment_attachments::Entity::find()
        .filter(comment_attachments::Column::CommentId.eq(comment_id))
        .count(db)
        .await?)
}

/// Refuses a comment that no longer accepts files, or already has as many as allowed.
fn ensure_accepts_files(comment: &comments::Model, count: u64) -> Result<()> {
    if !matches!(
        comment.status,
        CommentStatus::Pending | CommentStatus::EditRequested
    ) {
        return Err(Error::Conflict {
            code: "already_moderated",
            detail: "Ý kiến đã được kiểm duyệt, không thể đính kèm thêm tệp.".into(),
        });
    }
    if count >= MAX_ATTACHMENTS_PER_COMMENT {
        return Err(Error::Conflict {
            code: "too_many_attachments",
            detail: format!(
                "Mỗi ý kiến chỉ được đính kèm tối đa {MAX_ATTACHMENTS_PER_COMMENT} tệp."
            ),
        });
    }
    Ok(())
}

/// Checks, before the file is read, that `author` may attach a file to the comment: their own,
/// still waiting for moderation, with room for another file. A comment they may not see is
/// "not found"; someone else's public comment is forbidden.
pub async fn ensure_can_attach(
    db: &DatabaseConnection,
    author: &users::Model,
    actor: &Actor,
    comment_id: Uuid,
) -> Result<comments::Model> {
    let comment = comments::Entity::find_by_id(comment_id)
        .one(db)
        .await?
        .filter(|c| may_read_comment(actor, c))
        .ok_or(Error::NotFound("comment"))?;
    if comment.author_id != Some(author.id) {
        return Err(Error::Forbidden);
    }
    ensure_accepts_files(&comment, count_attachments(db, comment.id).await?)?;
    Ok(comment)
}

/// Attaches a file to the author's comment, after [`ensure_can_attach`]. The rules are checked
/// again in the transaction that records the file, so concurrent uploads never exceed the
/// limit.
pub async fn attach_to_comment(
    db: &DatabaseConnection,
    storage: &Storage,
    max_bytes: usize,
    author: &users::Model,
    actor: &Actor,
    comment_id: Uuid,
    upload: Upload,
) -> Result<comment_attachments::Model> {
    ensure_can_attach(db, author, actor, comment_id).await?;
    let prepared = prepare(upload, COMMENT_KINDS, max_bytes)?;
    let key = Storage::new_key(ATTACHMENT_PREFIX);
    storage.put(&key, prepared.bytes.clone()).await?;
    let recorded = record_attachment(db, author, comment_id, &key, &prepared).await;
    if recorded.is_err() {
        discard(storage, &key).await;
    }
    recorded
}

async fn record_attachment(
    db: &DatabaseConnection,
    author: &users::Model,
    comment_id: Uuid,
    key: &str,
    prepared: &Prepared,
) -> Result<comment_attachments::Model> {
    let txn = crate::db::begin_write(db).await?;
    // Locks the comment on PostgreSQL (SQLite's write transaction already serializes writers).
    let comment = comments::Entity::find_by_id(comment_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|c| c.author_id == Some(author.id))
        .ok_or(Error::NotFound("comment"))?;
    ensure_accepts_files(&comment, count_attachments(&txn, comment_id).await?)?;
    let row = comment_attachments::ActiveModel {
        id: Set(new_id()),
        comment_id: Set(comment_id),
        file_name: Set(prepared.file_name.clone()),
        content_type: Set(prepared.kind.content_type().to_owned()),
        size_bytes: Set(i64::try_from(prepared.bytes.len()).unwrap_or(i64::MAX)),
        storage_key: Set(key.to_owned()),
        sha256: Set(prepared.sha256.clone()),
        created_at: Set(now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Removes a stored object that ended up unused; a failure only leaves an orphan, logged.
async fn discard(storage: &Storage, key: &str) {
    if let Err(e) = storage.delete(key).await {
        tracing::warn!(error = %e, key, "could not remove an unused stored file");
    }
}

/// The files of a comment, oldest first, for whoever may see the comment.
pub async fn list_for_comment(
    db: &DatabaseConnection,
    actor: &Actor,
    comment_id: Uuid,
) -> Result<Vec<comment_attachments::Model>> {
    comments::Entity::find_by_id(comment_id)
        .one(db)
        .await?
        .filter(|c| may_read_comment(actor, c))
        .ok_or(Error::NotFound("comment"))?;
    Ok(comment_attachments::Entity::find()
        .filter(comment_attachments::Column::CommentId.eq(comment_id))
        .order_by_asc(comment_attachments::Column::CreatedAt)
        .order_by_asc(comment_attachments::Column::Id)
        .all(db)
        .await?)
}

/// The files of the public comments among `comment_ids`, by comment, oldest first: what a
/// public list of comments may show. Files of comments that are not public are left out.
pub async fn list_for_public_comments(
    db: &DatabaseConnection,
    comment_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Vec<comment_attachments::Model>>> {
    let mut by_comment: HashMap<Uuid, Vec<comment_attachments::Model>> = HashMap::new();
    if comment_ids.is_empty() {
        return Ok(by_comment);
    }
    let rows = comment_attachments::Entity::find()
        .inner_join(comments::Entity)
        .filter(comment_attachments::Column::CommentId.is_in(comment_ids))
        .filter(public_condition())
        .order_by_asc(comment_attachments::Column::CreatedAt)
        .order_by_asc(comment_attachments::Column::Id)
        .all(db)
        .await?;
    for row in rows {
        by_comment.entry(row.comment_id).or_default().push(row);
    }
    Ok(by_comment)
}

/// One comment attachment, if `actor` may see its comment now (otherwise "not found").
pub async fn download_attachment(
    db: &DatabaseConnection,
    storage: &Storage,
    actor: &Actor,
    id: Uuid,
) -> Result<Download> {
    let attachment = comment_attachments::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("attachment"))?;
    let comment = comments::Entity::find_by_id(attachment.comment_id)
        .one(db)
        .await?
        .filter(|c| may_read_comment(actor, c))
        .ok_or(Error::NotFound("attachment"))?;
    let bytes = storage.get(&attachment.storage_key).await?;
    Ok(Download {
        file_name: attachment.file_name,
        kind: sniff(&bytes),
        bytes,
        sha256: attachment.sha256,
        public: is_public(&comment),
    })
}

/// Checks, before the file is read, that `actor` may add documents to the consultation.
pub async fn ensure_can_add_document(
    db: &DatabaseConnection,
    actor: &Actor,
    consultation_id: Uuid,
) -> Result<consultations::Model> {
    find_editable(db, actor, consultation_id).await
}

/// Adds a document to a consultation (officers of its lead agency and admins).
pub async fn add_document(
    db: &DatabaseConnection,
    storage: &Storage,
    max_bytes: usize,
    actor: &Actor,
    uploader: &users::Model,
    consultation_id: Uuid,
    upload: Upload,
) -> Result<documents::Model> {
    let consultation = find_editable(db, actor, consultation_id).await?;
    let prepared = prepare(upload, CONSULTATION_KINDS, max_bytes)?;
    let key = Storage::new_key(DOCUMENT_PREFIX);
    storage.put(&key, prepared.bytes.clone()).await?;
    let inserted = documents::ActiveModel {
        id: Set(new_id()),
        consultation_id: Set(consultation.id),
        file_name: Set(prepared.file_name),
        content_type: Set(prepared.kind.content_type().to_owned()),
        size_bytes: Set(i64::try_from(prepared.bytes.len()).unwrap_or(i64::MAX)),
        storage_key: Set(key.clone()),
        sha256: Set(prepared.sha256),
        uploaded_by: Set(Some(uploader.id)),
        created_at: Set(now()),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(row) => Ok(row),
        Err(e) => {
            discard(storage, &key).await;
            Err(e.into())
        }
    }
}

/// The documents of a consultation, oldest first, for whoever may see the consultation.
pub async fn list_documents(
    db: &DatabaseConnection,
    actor: &Actor,
    consultation_id: Uuid,
) -> Result<Vec<documents::Model>> {
    consultations::Entity::find_by_id(consultation_id)
        .one(db)
        .await?
        .filter(|c| may_read_consultation(actor, c))
        .ok_or(Error::NotFound("consultation"))?;
    Ok(documents::Entity::find()
        .filter(documents::Column::ConsultationId.eq(consultation_id))
        .order_by_asc(documents::Column::CreatedAt)
        .order_by_asc(documents::Column::Id)
        .all(db)
        .await?)
}

/// One document, if `actor` may see its consultation now (otherwise "not found").
pub async fn download_document(
    db: &DatabaseConnection,
    storage: &Storage,
    actor: &Actor,
    id: Uuid,
) -> Result<Download> {
    let document = documents::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("document"))?;
    let consultation = consultations::Entity::find_by_id(document.consultation_id)
        .one(db)
        .await?
        .filter(|c| may_read_consultation(actor, c))
        .ok_or(Error::NotFound("document"))?;
    let bytes = storage.get(&document.storage_key).await?;
    Ok(Download {
        file_name: document.file_name,
        kind: sniff(&bytes),
        bytes,
        sha256: document.sha256,
        public: consultation.status != ConsultationStatus::Draft,
    })
}

/// Removes a document of a draft; once published, documents are part of the public record.
pub async fn delete_document(
    db: &DatabaseConnection,
    storage: &Storage,
    actor: &Actor,
    id: Uuid,
) -> Result<()> {
    let document = documents::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("document"))?;
    let consultation = find_editable(db, actor, document.consultation_id)
        .await
        .map_err(|e| match e {
            Error::NotFound(_) => Error::NotFound("document"),
            other => other,
        })?;
    if consultation.status != ConsultationStatus::Draft {
        return Err(Error::Conflict {
            code: "published_document_cannot_be_deleted",
            detail: "Dự thảo đã công bố: tài liệu là một phần của hồ sơ công khai, không thể xóa."
                .into(),
        });
    }
    documents::Entity::delete_by_id(document.id)
        .exec(db)
        .await?;
    discard(storage, &document.storage_key).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_carry_the_stable_code_on_the_file_field() {
        let error = refusal(
            &AttachmentError::TooLarge {
                size: 20 * 1024 * 1024,
                max: 10 * 1024 * 1024,
            },
            COMMENT_KINDS,
        );
        let Error::Invalid(fields) = error else {
            panic!("not a field error");
        };
        assert_eq!(fields.0[0].field, "file");
        assert_eq!(fields.0[0].code, "too_large");
        assert!(fields.0[0].message.contains("10 MB"));
        assert_eq!(human_size(1536), "1 KB");
        assert_eq!(human_size(300), "300 byte");
    }
}
