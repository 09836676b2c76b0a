//! `api_tokens`: personal tokens for the JSON API.
//!
//! Only a hash of the token is stored. Tokens are deleted with their user.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A personal API token.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owner of the token.
    pub user_id: Uuid,
    /// Label chosen by the owner.
    pub name: String,
    /// Hash of the secret token, unique; never serialised.
    #[sea_orm(unique)]
    #[serde(skip_serializing)]
    pub token_hash: String,
    /// When the token was created.
    pub created_at: DateTimeUtc,
    /// Last time the token was used.
    pub last_used_at: Option<DateTimeUtc>,
    /// When the token was revoked; revoked tokens are refused.
    pub revoked_at: Option<DateTimeUtc>,
}

/// Relations of an API token.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Owner of the token.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_api_tokens_user_id"
    )]
    User,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
