//! The files of a comment on pages: checking the photos, scans and organization letter sent
//! with the comment form before anything is saved, attaching them once the comment exists, and
//! listing them with links to the download, which checks on every request that the viewer may
//! still see the comment (a pending comment's files: only its author and moderators).

use entity::{comment_attachments, users};
use uuid::Uuid;

use crate::domain::attachments::{COMMENT_KINDS, FileKind};
use crate::error::Error;
use crate::http::auth::Viewer;
use crate::http::pages::forms::FormErrors;
use crate::i18n::Tr;
use crate::services::attachments::{self, MAX_ATTACHMENTS_PER_COMMENT, Upload, human_size};
use crate::state::AppState;

/// The file field for photos and scans (several files).
pub const FILES_FIELD: &str = "files";
/// The file field for an organization's formal letter (văn bản góp ý, phản biện), a PDF.
pub const LETTER_FIELD: &str = "letter";
/// What the letter may be.
const LETTER_KINDS: &[FileKind] = &[FileKind::Pdf];

/// A file attached to a comment, as pages list it. The link goes to the download that checks,
/// on every request, that the viewer may still see the comment.
#[derive(Debug, Clone)]
pub struct AttachmentRow {
    /// Id (download link `/api/v1/attachments/{id}`).
    pub id: String,
    /// Safe file name.
    pub file_name: String,
    /// Kind recognized from the content: `PDF`, `JPEG`, `PNG`.
    pub kind: &'static str,
    /// Size, readable.
    pub size: String,
}

/// Rows for a comment's files.
pub fn attachment_rows(files: &[comment_attachments::Model]) -> Vec<AttachmentRow> {
    files
        .iter()
        .map(|a| AttachmentRow {
            id: a.id.to_string(),
            file_name: a.file_name.clone(),
            kind: match a.content_type.as_str() {
                "application/pdf" => "PDF",
                "image/jpeg" => "JPEG",
                "image/png" => "PNG",
                _ => "",
            },
            size: readable_size(a.size_bytes),
        })
        .collect()
}

/// `1.5 MB`, `12 KB` (at least 1 KB).
fn readable_size(bytes: i64) -> String {
    let bytes = bytes.max(0);
    if bytes >= 1024 * 1024 {
        let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// The problems of the files chosen: how many, and each one's content, named by file.
pub fn check_files(
    state: &AppState,
    t: Tr,
    files: &[Upload],
    letters: &[Upload],
    on_behalf: bool,
) -> FormErrors {
    let mut errors = FormErrors::default();
    let max = state.settings.max_attachment_bytes;
    let count = files.len().saturating_add(letters.len());
    if u64::try_from(count).unwrap_or(u64::MAX) > MAX_ATTACHMENTS_PER_COMMENT {
        errors.push(FILES_FIELD, t.get("field.files.too_many"));
    }
    if letters.len() > 1 {
        errors.push(LETTER_FIELD, t.get("field.letter.one_file"));
    }
    if !letters.is_empty() && !on_behalf {
        errors.push(LETTER_FIELD, t.get("field.letter.needs_on_behalf"));
    }
    for (field, uploads, kinds) in [
        (FILES_FIELD, files, COMMENT_KINDS),
        (LETTER_FIELD, letters, LETTER_KINDS),
    ] {
        for upload in uploads {
            if let Err(e) = attachments::check_comment_file(upload, kinds, max) {
                errors.push(field, file_message(t, field, &upload.file_name, &e, max));
            }
        }
    }
    errors
}

/// "anh.pdf: The content is a PNG image ...", in the reader's language.
pub fn file_message(t: Tr, field: &str, file_name: &str, error: &Error, max: usize) -> String {
    let code = match error {
        Error::Invalid(fields) => fields.0.first().map_or("invalid", |f| f.code.as_str()),
        _ => "invalid",
    };
    let specific = format!("field.{field}.{code}");
    let message = if t.has(&specific) {
        t.get(&specific).to_owned()
    } else {
        t.get(&format!("field.{field}.invalid")).to_owned()
    };
    let message = if code == "too_large" {
        format!("{message} {}", human_size(max))
    } else {
        message
    };
    if file_name.is_empty() {
        message
    } else {
        format!("{file_name}: {message}")
    }
}

/// Attaches checked files to a new comment; false when one could not be stored (the comment
/// is kept, and the receipt lists what was attached).
pub async fn attach_all(
    state: &AppState,
    viewer: &Viewer,
    author: &users::Model,
    comment_id: Uuid,
    uploads: impl Iterator<Item = Upload>,
) -> bool {
    let actor = viewer.actor();
    let max = state.settings.max_attachment_bytes;
    let mut all = true;
    for upload in uploads {
        let stored = attachments::attach_to_comment(
            &state.db,
            &state.storage,
            max,
            author,
            &actor,
            comment_id,
            upload,
        )
        .await;
        if let Err(e) = stored {
            tracing::error!(error = %e, %comment_id, "could not attach a checked file to a new comment");
            all = false;
        }
    }
    all
}
