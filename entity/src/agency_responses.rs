//! `agency_responses`: an agency's published answer to a comment.
//!
//! `comment_id` and `agency_id` duplicate the assignment's so that the public
//! pages can list answers per comment without a join.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::Disposition;

/// An agency's answer to a comment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "agency_responses")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The assignment being answered.
    pub assignment_id: Uuid,
    /// The comment answered.
    pub comment_id: Uuid,
    /// The answering agency.
    pub agency_id: Uuid,
    /// Officer who wrote the answer.
    pub officer_id: Option<Uuid>,
    /// How the comment was taken into account.
    pub disposition: Disposition,
    /// Text of the answer.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// When the answer was published.
    pub created_at: DateTimeUtc,
}

/// Relations of an agency response.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The assignment being answered.
    #[sea_orm(
        belongs_to = "super::assignments::Entity",
        from = "Column::AssignmentId",
        to = "super::assignments::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_agency_responses_assignment_id"
    )]
    Assignment,
    /// The comment answered.
    #[sea_orm(
        belongs_to = "super::comments::Entity",
        from = "Column::CommentId",
        to = "super::comments::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_agency_responses_comment_id"
    )]
    Comment,
    /// The answering agency.
    #[sea_orm(
        belongs_to = "super::agencies::Entity",
        from = "Column::AgencyId",
        to = "super::agencies::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_agency_responses_agency_id"
    )]
    Agency,
    /// Officer who wrote the answer.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::OfficerId",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_agency_responses_officer_id"
    )]
    Officer,
}

impl Related<super::assignments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Assignment.def()
    }
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
        Relation::Officer.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
