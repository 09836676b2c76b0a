//! `consultations`: public consultations on plans, projects and policies.
//!
//! Each published version of a consultation is its own row; a new version
//! points to the one it replaces through `previous_version_id`, and its
//! clauses keep their `stable_key` so comments can be followed across
//! versions.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{ConsultationKind, ConsultationStatus};

/// One version of a consultation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "consultations")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Plain-language summary.
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    /// Full presentation text.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// What is being consulted on.
    pub kind: ConsultationKind,
    /// Agency responsible for the consultation.
    pub lead_agency_id: Uuid,
    /// Legal basis for holding the consultation.
    #[sea_orm(column_type = "Text")]
    pub legal_basis: String,
    /// When comments start being accepted.
    pub opens_at: DateTimeUtc,
    /// When comments stop being accepted.
    pub closes_at: DateTimeUtc,
    /// Justification when the window is shorter than the legal minimum.
    #[sea_orm(column_type = "Text", nullable)]
    pub short_window_reason: Option<String>,
    /// Life-cycle state.
    pub status: ConsultationStatus,
    /// Version number, starting at 1.
    pub version: i32,
    /// The version this one replaces.
    pub previous_version_id: Option<Uuid>,
    /// Area concerned, as a GeoJSON geometry or feature collection.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub area_geojson: Option<Json>,
    /// Officer who created the draft.
    pub created_by: Option<Uuid>,
    /// When the consultation was first made public.
    pub published_at: Option<DateTimeUtc>,
    /// When the row was created.
    pub created_at: DateTimeUtc,
    /// When the row was last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations of a consultation.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Agency responsible for the consultation.
    #[sea_orm(
        belongs_to = "super::agencies::Entity",
        from = "Column::LeadAgencyId",
        to = "super::agencies::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_consultations_lead_agency_id"
    )]
    LeadAgency,
    /// The version this one replaces.
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::PreviousVersionId",
        to = "Column::Id",
        on_delete = "NoAction",
        fk_name = "fk_consultations_previous_version_id"
    )]
    PreviousVersion,
    /// Versions replacing this one.
    #[sea_orm(has_many = "Entity", via_rel = "Relation::PreviousVersion")]
    NextVersions,
    /// Officer who created the draft.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::CreatedBy",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_consultations_created_by"
    )]
    Creator,
    /// Administrative units concerned (join rows).
    #[sea_orm(
        has_many = "super::consultation_units::Entity",
        via_rel = "Relation::Consultation"
    )]
    ConsultationUnits,
    /// Structured text.
    #[sea_orm(
        has_many = "super::clauses::Entity",
        via_rel = "Relation::Consultation"
    )]
    Clauses,
    /// Attached files.
    #[sea_orm(
        has_many = "super::documents::Entity",
        via_rel = "Relation::Consultation"
    )]
    Documents,
    /// Groups of near-duplicate comments.
    #[sea_orm(
        has_many = "super::campaigns::Entity",
        via_rel = "Relation::Consultation"
    )]
    Campaigns,
    /// Comments received.
    #[sea_orm(
        has_many = "super::comments::Entity",
        via_rel = "Relation::Consultation"
    )]
    Comments,
}

impl Related<super::agencies::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::LeadAgency.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creator.def()
    }
}

impl Related<super::consultation_units::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ConsultationUnits.def()
    }
}

impl Related<super::clauses::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Clauses.def()
    }
}

impl Related<super::documents::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Documents.def()
    }
}

impl Related<super::campaigns::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Campaigns.def()
    }
}

impl Related<super::comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comments.def()
    }
}

impl Related<super::admin_units::Entity> for Entity {
    fn to() -> RelationDef {
        super::consultation_units::Relation::Unit.def()
    }

    fn via() -> Option<RelationDef> {
        Some(
            super::consultation_units::Relation::Consultation
                .def()
                .rev(),
        )
    }
}

impl ActiveModelBehavior for ActiveModel {}
