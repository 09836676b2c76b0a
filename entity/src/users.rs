//! `users`: accounts of residents, organisation representatives, moderators,
//! agency officers and administrators.
//!
//! Accounts are soft-deleted (`deleted_at`) because comments, decisions and
//! answers keep referring to them.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::Role;

/// A user account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Login e-mail, unique, stored lowercased.
    #[sea_orm(unique)]
    pub email: String,
    /// Phone number, if given.
    pub phone: Option<String>,
    /// Name shown next to public comments.
    pub display_name: String,
    /// Password hash in PHC string format; never serialised.
    #[serde(skip_serializing)]
    pub password_hash: String,
    /// What the account may do.
    pub role: Role,
    /// Agency of an agency officer.
    pub agency_id: Option<Uuid>,
    /// Organisation of an organisation representative.
    pub organization_id: Option<Uuid>,
    /// When the e-mail address was confirmed.
    pub email_verified_at: Option<DateTimeUtc>,
    /// Whether the account may log in.
    pub is_active: bool,
    /// Consecutive failed logins (reset on success).
    pub failed_logins: i32,
    /// Login refused until this instant after too many failures.
    pub locked_until: Option<DateTimeUtc>,
    /// When the account was created.
    pub created_at: DateTimeUtc,
    /// When the account was last changed.
    pub updated_at: DateTimeUtc,
    /// When the account was deleted (soft delete).
    pub deleted_at: Option<DateTimeUtc>,
}

/// Relations of a user.
///
/// There is no `Related<comments::Entity>`: a comment refers to users both as
/// author and as the clerk who keyed it in; use
/// [`Relation::AuthoredComments`] or [`Relation::EnteredComments`].
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The officer's agency.
    #[sea_orm(
        belongs_to = "super::agencies::Entity",
        from = "Column::AgencyId",
        to = "super::agencies::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_users_agency_id"
    )]
    Agency,
    /// The representative's organisation.
    #[sea_orm(
        belongs_to = "super::organizations::Entity",
        from = "Column::OrganizationId",
        to = "super::organizations::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_users_organization_id"
    )]
    Organization,
    /// Browser sessions.
    #[sea_orm(has_many = "super::sessions::Entity", via_rel = "Relation::User")]
    Sessions,
    /// API tokens.
    #[sea_orm(has_many = "super::api_tokens::Entity", via_rel = "Relation::User")]
    ApiTokens,
    /// Consultations created by this user.
    #[sea_orm(
        has_many = "super::consultations::Entity",
        via_rel = "Relation::Creator"
    )]
    CreatedConsultations,
    /// Documents uploaded by this user.
    #[sea_orm(has_many = "super::documents::Entity", via_rel = "Relation::Uploader")]
    UploadedDocuments,
    /// Comments written by this user.
    #[sea_orm(has_many = "super::comments::Entity", via_rel = "Relation::Author")]
    AuthoredComments,
    /// Comments this user keyed in for someone else (paper, meeting...).
    #[sea_orm(has_many = "super::comments::Entity", via_rel = "Relation::EnteredBy")]
    EnteredComments,
    /// Comments this user endorsed.
    #[sea_orm(has_many = "super::endorsements::Entity", via_rel = "Relation::User")]
    Endorsements,
    /// Moderation decisions taken by this user.
    #[sea_orm(
        has_many = "super::moderation_decisions::Entity",
        via_rel = "Relation::Moderator"
    )]
    ModerationDecisions,
    /// Assignments made by this user.
    #[sea_orm(
        has_many = "super::assignments::Entity",
        via_rel = "Relation::AssignedBy"
    )]
    AssignmentsMade,
    /// Answers written by this officer.
    #[sea_orm(
        has_many = "super::agency_responses::Entity",
        via_rel = "Relation::Officer"
    )]
    AgencyResponses,
}

impl Related<super::agencies::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Agency.def()
    }
}

impl Related<super::organizations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl Related<super::sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sessions.def()
    }
}

impl Related<super::api_tokens::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApiTokens.def()
    }
}

impl Related<super::consultations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CreatedConsultations.def()
    }
}

impl Related<super::documents::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UploadedDocuments.def()
    }
}

impl Related<super::endorsements::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Endorsements.def()
    }
}

impl Related<super::moderation_decisions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ModerationDecisions.def()
    }
}

impl Related<super::assignments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AssignmentsMade.def()
    }
}

impl Related<super::agency_responses::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AgencyResponses.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
