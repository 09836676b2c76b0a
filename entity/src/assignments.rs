//! `assignments`: a comment routed to an agency, with an answer deadline.
//!
//! A comment may be assigned to several agencies, one of them the lead. A
//! transfer closes the assignment as `transferred` and creates a new one for
//! the receiving agency. The deadline job stamps `reminded_at`, `overdue_at`
//! and `escalated_at`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::AssignmentStatus;

/// A request for an agency to answer a comment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "assignments")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The comment.
    pub comment_id: Uuid,
    /// The agency asked to answer.
    pub agency_id: Uuid,
    /// Whether this agency leads the answer.
    pub is_lead: bool,
    /// State of the assignment.
    pub status: AssignmentStatus,
    /// Who made the assignment (`None` when automatic).
    pub assigned_by: Option<Uuid>,
    /// When the assignment was made.
    pub assigned_at: DateTimeUtc,
    /// Day by which the agency must answer.
    pub due_on: Date,
    /// When a reminder was sent.
    pub reminded_at: Option<DateTimeUtc>,
    /// When the deadline job marked it overdue.
    pub overdue_at: Option<DateTimeUtc>,
    /// When it was escalated to the supervising agency.
    pub escalated_at: Option<DateTimeUtc>,
    /// When the agency answered.
    pub answered_at: Option<DateTimeUtc>,
}

/// Relations of an assignment.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The comment.
    #[sea_orm(
        belongs_to = "super::comments::Entity",
        from = "Column::CommentId",
        to = "super::comments::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_assignments_comment_id"
    )]
    Comment,
    /// The agency asked to answer.
    #[sea_orm(
        belongs_to = "super::agencies::Entity",
        from = "Column::AgencyId",
        to = "super::agencies::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_assignments_agency_id"
    )]
    Agency,
    /// Who made the assignment.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::AssignedBy",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_assignments_assigned_by"
    )]
    AssignedBy,
    /// Answers given under this assignment.
    #[sea_orm(
        has_many = "super::agency_responses::Entity",
        via_rel = "Relation::Assignment"
    )]
    Responses,
}

impl Related<super::comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comment.def()
    }
}

impl Related<super::agencies::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Agency.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AssignedBy.def()
    }
}

impl Related<super::agency_responses::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Responses.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
