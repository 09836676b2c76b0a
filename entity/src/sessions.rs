//! `sessions`: server-side browser sessions.
//!
//! The primary key is a hash of the cookie token, so a leaked database does
//! not yield usable cookies. Sessions are deleted with their user.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A logged-in browser session.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// Hash of the session cookie token (not the token itself).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The logged-in user.
    pub user_id: Uuid,
    /// Anti-CSRF token bound to this session; never serialised.
    #[serde(skip_serializing)]
    pub csrf_token: String,
    /// When the session was opened.
    pub created_at: DateTimeUtc,
    /// Last request seen with this session.
    pub last_seen_at: DateTimeUtc,
    /// When the session stops being valid.
    pub expires_at: DateTimeUtc,
    /// User agent at login, for the "your sessions" page.
    pub user_agent: Option<String>,
    /// Client IP address at login.
    pub ip: Option<String>,
}

/// Relations of a session.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The logged-in user.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_sessions_user_id"
    )]
    User,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
