//! `email_tokens`: single-use, expiring tokens sent by mail (verification, password reset).
//!
//! Only a hash of the token is stored. Tokens are deleted with their user.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::TokenPurpose;

/// A token sent by mail.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "email_tokens")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The account the token acts for.
    pub user_id: Uuid,
    /// What the token is for.
    pub purpose: TokenPurpose,
    /// SHA-256 of the token; never serialised.
    #[sea_orm(unique)]
    #[serde(skip_serializing)]
    pub token_hash: String,
    /// When the token was sent.
    pub created_at: DateTimeUtc,
    /// After this time the token is refused.
    pub expires_at: DateTimeUtc,
    /// When the token was used; a used token is refused.
    pub used_at: Option<DateTimeUtc>,
}

/// Relations of an emailed token.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The account.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
