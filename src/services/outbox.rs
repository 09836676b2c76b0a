//! The transactional outbox: side effects written in the same transaction as the change that
//! causes them, and carried out afterwards by a worker (see `jobs`).

use entity::outbox;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::mail::OutgoingMail;
use crate::services::now;

/// Topic of outbox rows that send one mail.
pub const MAIL_TOPIC: &str = "mail";

/// The payload of a mail row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailPayload {
    /// Recipient address.
    pub to: String,
    /// Recipient's name.
    pub to_name: Option<String>,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
}

impl From<MailPayload> for OutgoingMail {
    fn from(p: MailPayload) -> Self {
        Self {
            to: p.to,
            to_name: p.to_name,
            subject: p.subject,
            text: p.text,
        }
    }
}

/// Queues one mail, in the caller's transaction.
pub async fn enqueue_mail<C: ConnectionTrait>(
    db: &C,
    aggregate_type: &str,
    aggregate_id: &str,
    mail: MailPayload,
) -> Result<()> {
    let at = now();
    let payload = serde_json::to_value(&mail)
        .map_err(|e| crate::error::Error::Internal(anyhow::anyhow!("mail payload: {e}")))?;
    outbox::ActiveModel {
        topic: Set(MAIL_TOPIC.to_owned()),
        aggregate_type: Set(aggregate_type.to_owned()),
        aggregate_id: Set(aggregate_id.to_owned()),
        payload: Set(payload),
        created_at: Set(at),
        available_at: Set(at),
        processed_at: Set(None),
        attempts: Set(0),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Topic of outbox rows that ask every node to re-index one object.
pub const SEARCH_TOPIC: &str = "search";

/// Asks every node's search index to re-read one object (`comment`, `consultation`), in the
/// caller's transaction. The row is never claimed: each node keeps its own position in the
/// outbox (see `crate::search::indexer`).
pub async fn enqueue_index<C: ConnectionTrait>(
    db: &C,
    aggregate_type: &str,
    aggregate_id: uuid::Uuid,
) -> Result<()> {
    enqueue_index_many(db, aggregate_type, &[aggregate_id]).await
}

/// The same for many objects of one type (bulk imports and decisions).
pub async fn enqueue_index_many<C: ConnectionTrait>(
    db: &C,
    aggregate_type: &str,
    ids: &[uuid::Uuid],
) -> Result<()> {
    let at = now();
    for chunk in ids.chunks(1000) {
        let rows = chunk.iter().map(|id| outbox::ActiveModel {
            topic: Set(SEARCH_TOPIC.to_owned()),
            aggregate_type: Set(aggregate_type.to_owned()),
            aggregate_id: Set(id.to_string()),
            payload: Set(serde_json::json!({})),
            created_at: Set(at),
            available_at: Set(at),
            processed_at: Set(None),
            attempts: Set(0),
            last_error: Set(None),
            ..Default::default()
        });
        outbox::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
