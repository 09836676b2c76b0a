//! `audit_events`: the append-only, hash-chained audit log.
//!
//! `seq` orders the chain; each event's `hash` covers its content and the
//! previous event's hash (`prev_hash`), so any later change is detectable.
//! `actor_id` has no foreign key on purpose: the record must outlive the
//! account.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One audited action.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    /// Position in the chain, assigned by the database.
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// Stable public identifier of the event, unique.
    #[sea_orm(unique)]
    pub id: Uuid,
    /// When the action happened.
    pub occurred_at: DateTimeUtc,
    /// Who acted (`None` for the system); deliberately not a foreign key.
    pub actor_id: Option<Uuid>,
    /// What was done, e.g. `comment.approve`.
    pub action: String,
    /// Kind of object acted upon, e.g. `comment`.
    pub entity_type: String,
    /// Identifier of the object acted upon.
    pub entity_id: String,
    /// Details of the action.
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    /// Hash of the previous event (empty or a fixed seed for the first).
    pub prev_hash: String,
    /// Hash of this event, chained to `prev_hash`.
    pub hash: String,
}

/// The audit log has no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
