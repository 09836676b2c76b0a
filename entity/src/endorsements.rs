//! `endorsements`: users saying "I agree" with a published comment.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One user's endorsement of one comment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "endorsements")]
pub struct Model {
    /// The endorsed comment.
    #[sea_orm(primary_key, auto_increment = false)]
    pub comment_id: Uuid,
    /// The endorsing user.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// When the endorsement was given.
    pub created_at: DateTimeUtc,
}

/// Relations of an endorsement.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The endorsed comment.
    #[sea_orm(
        belongs_to = "super::comments::Entity",
        from = "Column::CommentId",
        to = "super::comments::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_endorsements_comment_id"
    )]
    Comment,
    /// The endorsing user.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_endorsements_user_id"
    )]
    User,
}

impl Related<super::comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comment.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
