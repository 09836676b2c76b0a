//! Automatic screening of comment texts, stored with the comment: what the detectors of
//! [`crate::domain::screening`] found (with exact spans), and the near-duplicate fingerprint.
//!
//! Screening runs whenever a text is written (submission, edit, import), in the same
//! transaction, so the queue can filter on flags without recomputing them.

use std::sync::{Arc, LazyLock, RwLock};

use entity::{comment_flags, comments};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::domain::screening::{self, AbuseList, Finding};
use crate::error::Result;
use crate::services::new_id;

/// Flag kind for a text one account has already sent several times.
pub const REPEATED_TEXT: &str = "repeated_text";

/// How many earlier comments with the same text make a new one "repeated".
const REPEATS_BEFORE_FLAG: u64 = 2;

static ABUSE: LazyLock<RwLock<Arc<AbuseList>>> =
    LazyLock::new(|| RwLock::new(Arc::new(AbuseList::builtin())));

/// Installs the abusive-language list: the built-in one plus the words of `extra` (one entry a
/// line, `#` comments), read from the data directory at start-up.
pub fn configure_abuse_list(extra: Option<&str>) {
    let list = match extra {
        Some(extra) => AbuseList::builtin().with_extra(extra),
        None => AbuseList::builtin(),
    };
    if let Ok(mut slot) = ABUSE.write() {
        *slot = Arc::new(list);
    }
}

fn abuse_list() -> Arc<AbuseList> {
    ABUSE
        .read()
        .map(|list| Arc::clone(&list))
        .unwrap_or_else(|_| Arc::new(AbuseList::builtin()))
}

/// Everything the detectors find in `text`, in text order.
pub fn findings(text: &str) -> Vec<Finding> {
    screening::screen(text, &abuse_list()).findings
}

/// The stored form of a fingerprint (the same 64 bits, signed for SQL).
pub fn fingerprint(text: &str) -> i64 {
    i64::from_ne_bytes(screening::fingerprint(text).to_ne_bytes())
}

/// The fingerprint as the detectors use it.
pub fn fingerprint_bits(stored: i64) -> u64 {
    u64::from_ne_bytes(stored.to_ne_bytes())
}

/// Flag rows for `text` of comment `comment_id` (not yet inserted).
pub fn flag_rows(comment_id: Uuid, text: &str) -> Vec<comment_flags::ActiveModel> {
    findings(text)
        .into_iter()
        .map(|f| {
            let (start, end) = screening::char_range(text, f.start, f.end);
            comment_flags::ActiveModel {
                id: Set(new_id()),
                comment_id: Set(comment_id),
                kind: Set(f.kind.as_str().to_owned()),
                start_char: Set(i32::try_from(start).unwrap_or(i32::MAX)),
                end_char: Set(i32::try_from(end).unwrap_or(i32::MAX)),
                excerpt: Set(f.text),
            }
        })
        .collect()
}

/// Replaces the flags of one comment by those of its current `text`, adding
/// [`REPEATED_TEXT`] when its author already sent the same text several times.
pub async fn store<C: ConnectionTrait>(db: &C, comment: &comments::Model) -> Result<()> {
    comment_flags::Entity::delete_many()
        .filter(comment_flags::Column::CommentId.eq(comment.id))
        .exec(db)
        .await?;
    let mut rows = flag_rows(comment.id, &comment.body);
    if let (Some(author), Some(print)) = (comment.author_id, comment.fingerprint) {
        let earlier = comments::Entity::find()
            .filter(comments::Column::AuthorId.eq(author))
            .filter(comments::Column::Fingerprint.eq(print))
            .filter(comments::Column::Id.ne(comment.id))
            .count(db)
            .await?;
        if earlier >= REPEATS_BEFORE_FLAG {
            rows.push(comment_flags::ActiveModel {
                id: Set(new_id()),
                comment_id: Set(comment.id),
                kind: Set(REPEATED_TEXT.to_owned()),
                start_char: Set(0),
                end_char: Set(0),
                excerpt: Set(format!("{}", earlier + 1)),
            });
        }
    }
    insert_flags(db, rows).await
}

/// Inserts flag rows in chunks (bulk imports write many at once).
pub async fn insert_flags<C: ConnectionTrait>(
    db: &C,
    rows: Vec<comment_flags::ActiveModel>,
) -> Result<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        comment_flags::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
