//! `consent_records`: every publication consent a person gave, with its time (Personal Data
//! Protection Law). Records outlive the comment's edits and the account's erasure.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::Consent;

/// One consent given.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "consent_records")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Who gave it (none for comments keyed in from paper).
    pub user_id: Option<Uuid>,
    /// The comment it applies to, if any.
    pub comment_id: Option<Uuid>,
    /// The choice made.
    pub consent: Consent,
    /// Where it was given (`comment_submission`, `comment_edit` ...).
    pub context: String,
    /// When it was given.
    pub recorded_at: DateTimeUtc,
}

/// Relations of a consent record.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The person.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Restrict"
    )]
    User,
    /// The comment.
    #[sea_orm(
        belongs_to = "super::comments::Entity",
        from = "Column::CommentId",
        to = "super::comments::Column::Id",
        on_delete = "Cascade"
    )]
    Comment,
}

impl ActiveModelBehavior for ActiveModel {}
