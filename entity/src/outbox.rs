//! `outbox`: the transactional outbox.
//!
//! Side effects (e-mails, search indexing, webhooks) are recorded in the same
//! transaction as the change that causes them, then performed by a worker
//! that reads unprocessed messages in `seq` order.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A message waiting to be (or already) processed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    /// Processing order, assigned by the database.
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// Message type, e.g. `mail.comment_received`.
    pub topic: String,
    /// Kind of object the message is about.
    pub aggregate_type: String,
    /// Identifier of the object the message is about.
    pub aggregate_id: String,
    /// Message content.
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    /// When the message was written.
    pub created_at: DateTimeUtc,
    /// Not to be processed before this instant (retry back-off).
    pub available_at: DateTimeUtc,
    /// When processing succeeded; `None` while pending.
    pub processed_at: Option<DateTimeUtc>,
    /// Number of processing attempts so far.
    pub attempts: i32,
    /// Error of the last failed attempt.
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
}

/// The outbox has no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
