//! `comment_flags`: what the automatic screening found in a comment's text.
//!
//! Recomputed whenever the text changes; moderators see each flag with its exact span.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One finding: its kind and where it is in the comment's text.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "comment_flags")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The comment.
    pub comment_id: Uuid,
    /// `phone`, `citizen_id`, `email`, `bank_account`, `address`, `abuse`, `link`,
    /// `repeated_characters` or `repeated_text`.
    pub kind: String,
    /// Start of the span, in characters (Unicode scalar values) of the comment's text.
    pub start_char: i32,
    /// End of the span (exclusive), in characters.
    pub end_char: i32,
    /// The text of the span.
    #[sea_orm(column_type = "Text")]
    pub excerpt: String,
}

/// Relations of a flag.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The comment.
    #[sea_orm(
        belongs_to = "super::comments::Entity",
        from = "Column::CommentId",
        to = "super::comments::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_comment_flags_comment_id"
    )]
    Comment,
}

impl Related<super::comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
