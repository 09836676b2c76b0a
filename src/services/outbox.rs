//! The transactional outbox: side effects written in the same transaction as the change that
//! causes them, and carried out afterwards by a worker (see `jobs`).

use entity::outbox;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
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
