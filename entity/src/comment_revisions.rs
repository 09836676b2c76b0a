//! `comment_revisions`: earlier versions of a comment.
//!
//! When an author edits a comment (typically after a moderator asked for an
//! edit), the previous stance, clause and text are copied here first.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::Stance;

/// A superseded version of a comment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "comment_revisions")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The comment.
    pub comment_id: Uuid,
    /// Stance at that time.
    pub stance: Stance,
    /// Clause targeted at that time.
    pub clause_id: Option<Uuid>,
    /// Text at that time.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// When this version was replaced.
    pub edited_at: DateTimeUtc,
}

/// Relations of a comment revision.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The comment (deleting it deletes its revisions).
    #[sea_orm(
        belongs_to = "super::comments::Entity",
        from = "Column::CommentId",
        to = "super::comments::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_comment_revisions_comment_id"
    )]
    Comment,
    /// Clause targeted at that time.
    #[sea_orm(
        belongs_to = "super::clauses::Entity",
        from = "Column::ClauseId",
        to = "super::clauses::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_comment_revisions_clause_id"
    )]
    Clause,
}

impl Related<super::comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comment.def()
    }
}

impl Related<super::clauses::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Clause.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
