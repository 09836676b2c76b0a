//! `notifications`: what a person is told in the app (the bell), besides mail.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One notification.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Whom it is for.
    pub user_id: Uuid,
    /// What happened, e.g. `comment_approved`, `assignment_due_soon`.
    pub kind: String,
    /// One line, in Vietnamese.
    pub title: String,
    /// Where to look (a path of gopy).
    pub link: String,
    /// When.
    pub created_at: DateTimeUtc,
    /// When its reader opened it.
    pub read_at: Option<DateTimeUtc>,
}

/// Relations of a notification.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The reader.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_notifications_user_id"
    )]
    User,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
