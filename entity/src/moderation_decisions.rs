//! `moderation_decisions`: the moderation history of comments.
//!
//! Rows are only ever inserted; the comment's `status` reflects the latest
//! decision.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::Decision;

/// One moderator decision on a comment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "moderation_decisions")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The comment.
    pub comment_id: Uuid,
    /// The moderator.
    pub moderator_id: Uuid,
    /// What was decided.
    pub decision: Decision,
    /// Machine-readable reason (for rejections and edit requests).
    pub reason_code: Option<String>,
    /// Free-text note to the author or to other moderators.
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    /// Redactions applied to the public text (character ranges, reasons).
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub redactions: Option<Json>,
    /// When the decision was taken.
    pub created_at: DateTimeUtc,
}

/// Relations of a moderation decision.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The comment.
    #[sea_orm(
        belongs_to = "super::comments::Entity",
        from = "Column::CommentId",
        to = "super::comments::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_moderation_decisions_comment_id"
    )]
    Comment,
    /// The moderator.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::ModeratorId",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_moderation_decisions_moderator_id"
    )]
    Moderator,
}

impl Related<super::comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comment.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Moderator.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
