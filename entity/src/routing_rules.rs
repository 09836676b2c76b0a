//! `routing_rules`: how gopy proposes the agency responsible for an approved comment.
//!
//! Rules are data that admins edit. A rule matches a comment when every condition it sets
//! holds (consultation, consultation kind, clause, keyword in the text, unit); among the
//! matching rules the lowest `priority` wins. The moderator confirms or picks another agency.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One routing rule.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "routing_rules")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Name shown to admins.
    pub name: String,
    /// Lower numbers are tried first.
    pub priority: i32,
    /// Only comments on this consultation.
    pub consultation_id: Option<Uuid>,
    /// Only comments on consultations of this kind (`general_plan` ...).
    pub consultation_kind: Option<String>,
    /// Only comments on this clause (its key, stable across versions).
    pub clause_stable_key: Option<Uuid>,
    /// Only comments whose text contains this word or phrase (compared without diacritics).
    pub keyword: Option<String>,
    /// Only comments about this ward or commune.
    pub unit_id: Option<Uuid>,
    /// `agency` (the agency below), `lead_agency` (the consultation's) or `unit_committee`
    /// (the People's Committee of the comment's ward or commune).
    pub target: String,
    /// The agency, when `target` is `agency`.
    pub agency_id: Option<Uuid>,
    /// Working days to answer, instead of the default for the consultation's kind.
    pub working_days: Option<i32>,
    /// Whether the rule is used.
    pub is_active: bool,
    /// Created.
    pub created_at: DateTimeUtc,
    /// Last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations of a rule.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
