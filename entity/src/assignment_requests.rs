//! `assignment_requests`: an agency asking to transfer an assignment to another agency, or for
//! more time; a moderator grants or refuses.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One request.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "assignment_requests")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The assignment.
    pub assignment_id: Uuid,
    /// `transfer` or `extension`.
    pub kind: String,
    /// The officer's reason.
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    /// Transfers: the agency suggested.
    pub target_agency_id: Option<Uuid>,
    /// Extensions: working days asked for.
    pub extra_working_days: Option<i32>,
    /// `pending`, `granted` or `refused`.
    pub status: String,
    /// The officer.
    pub requested_by: Uuid,
    /// When.
    pub requested_at: DateTimeUtc,
    /// The moderator who decided.
    pub decided_by: Option<Uuid>,
    /// When.
    pub decided_at: Option<DateTimeUtc>,
    /// The moderator's note.
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_note: Option<String>,
}

/// Relations of a request.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The assignment.
    #[sea_orm(
        belongs_to = "super::assignments::Entity",
        from = "Column::AssignmentId",
        to = "super::assignments::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_assignment_requests_assignment_id"
    )]
    Assignment,
}

impl Related<super::assignments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Assignment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
