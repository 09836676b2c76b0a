//! `comments`: what residents and organisations say about a consultation.
//!
//! A comment arrives online or is keyed in by a clerk from a paper form, a
//! meeting, an e-mail or a hotline call. It is moderated (see
//! [`moderation_decisions`](super::moderation_decisions)), then assigned to
//! agencies (see [`assignments`](super::assignments)) which answer it (see
//! [`agency_responses`](super::agency_responses)).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{Channel, CommentStatus, Consent, Stance};

/// A comment on a consultation, optionally on one clause.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "comments")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Short code given to the author to follow the comment, unique.
    #[sea_orm(unique)]
    pub tracking_code: String,
    /// The consultation.
    pub consultation_id: Uuid,
    /// The clause commented on, if any.
    pub clause_id: Option<Uuid>,
    /// Author's account, if the author has one.
    pub author_id: Option<Uuid>,
    /// Organisation on whose behalf the comment is made.
    pub organization_id: Option<Uuid>,
    /// Author's name as written on a paper form or said at a meeting.
    pub author_name: Option<String>,
    /// How the comment was received.
    pub channel: Channel,
    /// Clerk who keyed the comment in, for offline channels.
    pub entered_by: Option<Uuid>,
    /// Position taken.
    pub stance: Stance,
    /// Text as submitted (current revision).
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// What the author agreed to publish.
    pub consent: Consent,
    /// Moderation state.
    pub status: CommentStatus,
    /// Redacted text shown publicly, when it differs from `body`.
    #[sea_orm(column_type = "Text", nullable)]
    pub public_body: Option<String>,
    /// Administrative unit the comment is about.
    pub unit_id: Option<Uuid>,
    /// Latitude of the place the comment is about (WGS 84).
    pub lat: Option<f64>,
    /// Longitude of the place the comment is about (WGS 84).
    pub lon: Option<f64>,
    /// Campaign of near-duplicates this comment was merged into.
    pub campaign_id: Option<Uuid>,
    /// Client-supplied key making submission retries harmless; unique per
    /// author.
    pub idempotency_key: Option<String>,
    /// When the comment was submitted.
    pub created_at: DateTimeUtc,
    /// When the comment was last changed.
    pub updated_at: DateTimeUtc,
    /// When the last moderation decision was taken.
    pub moderated_at: Option<DateTimeUtc>,
    /// SimHash of the diacritic-folded text, for finding near-duplicates.
    pub fingerprint: Option<i64>,
    /// Reason code of the latest decision (e.g. `off_topic` for a rejection).
    pub status_reason: Option<String>,
}

/// Relations of a comment.
///
/// There is no `Related<users::Entity>`: a comment refers to users both as
/// [`Relation::Author`] and as [`Relation::EnteredBy`].
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The consultation.
    #[sea_orm(
        belongs_to = "super::consultations::Entity",
        from = "Column::ConsultationId",
        to = "super::consultations::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_comments_consultation_id"
    )]
    Consultation,
    /// The clause commented on.
    #[sea_orm(
        belongs_to = "super::clauses::Entity",
        from = "Column::ClauseId",
        to = "super::clauses::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_comments_clause_id"
    )]
    Clause,
    /// The author's account.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::AuthorId",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_comments_author_id"
    )]
    Author,
    /// The organisation on whose behalf the comment is made.
    #[sea_orm(
        belongs_to = "super::organizations::Entity",
        from = "Column::OrganizationId",
        to = "super::organizations::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_comments_organization_id"
    )]
    Organization,
    /// The clerk who keyed the comment in.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::EnteredBy",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_comments_entered_by"
    )]
    EnteredBy,
    /// The administrative unit the comment is about.
    #[sea_orm(
        belongs_to = "super::admin_units::Entity",
        from = "Column::UnitId",
        to = "super::admin_units::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_comments_unit_id"
    )]
    Unit,
    /// The campaign this comment was merged into.
    #[sea_orm(
        belongs_to = "super::campaigns::Entity",
        from = "Column::CampaignId",
        to = "super::campaigns::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_comments_campaign_id"
    )]
    Campaign,
    /// Earlier versions of the text.
    #[sea_orm(
        has_many = "super::comment_revisions::Entity",
        via_rel = "Relation::Comment"
    )]
    Revisions,
    /// Attached files.
    #[sea_orm(
        has_many = "super::comment_attachments::Entity",
        via_rel = "Relation::Comment"
    )]
    Attachments,
    /// Endorsements by other users.
    #[sea_orm(
        has_many = "super::endorsements::Entity",
        via_rel = "Relation::Comment"
    )]
    Endorsements,
    /// Moderation history.
    #[sea_orm(
        has_many = "super::moderation_decisions::Entity",
        via_rel = "Relation::Comment"
    )]
    ModerationDecisions,
    /// Agencies asked to answer.
    #[sea_orm(has_many = "super::assignments::Entity", via_rel = "Relation::Comment")]
    Assignments,
    /// Answers from agencies.
    #[sea_orm(
        has_many = "super::agency_responses::Entity",
        via_rel = "Relation::Comment"
    )]
    AgencyResponses,
}

impl Related<super::consultations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Consultation.def()
    }
}

impl Related<super::clauses::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Clause.def()
    }
}

impl Related<super::organizations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl Related<super::admin_units::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Unit.def()
    }
}

impl Related<super::campaigns::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Campaign.def()
    }
}

impl Related<super::comment_revisions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Revisions.def()
    }
}

impl Related<super::comment_attachments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Attachments.def()
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
        Relation::Assignments.def()
    }
}

impl Related<super::agency_responses::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AgencyResponses.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
