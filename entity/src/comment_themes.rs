//! `comment_themes`: which comments a theme groups.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A comment under a theme.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "comment_themes")]
pub struct Model {
    /// The theme.
    #[sea_orm(primary_key, auto_increment = false)]
    pub theme_id: Uuid,
    /// The comment.
    #[sea_orm(primary_key, auto_increment = false)]
    pub comment_id: Uuid,
    /// When it was tagged.
    pub created_at: DateTimeUtc,
}

/// Relations of a tag.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The theme.
    #[sea_orm(
        belongs_to = "super::themes::Entity",
        from = "Column::ThemeId",
        to = "super::themes::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_comment_themes_theme_id"
    )]
    Theme,
    /// The comment.
    #[sea_orm(
        belongs_to = "super::comments::Entity",
        from = "Column::CommentId",
        to = "super::comments::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_comment_themes_comment_id"
    )]
    Comment,
}

impl Related<super::themes::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Theme.def()
    }
}

impl Related<super::comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
