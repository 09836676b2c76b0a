//! `campaigns`: groups of near-duplicate comments (form letters, petitions).
//!
//! Moderators merge near-identical comments into a campaign so that agencies
//! answer them once while every signatory still counts.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A group of near-duplicate comments on one consultation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The consultation.
    pub consultation_id: Uuid,
    /// Moderator's description of the campaign.
    #[sea_orm(column_type = "Text", nullable)]
    pub label: Option<String>,
    /// When the campaign was created.
    pub created_at: DateTimeUtc,
}

/// Relations of a campaign.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The consultation.
    #[sea_orm(
        belongs_to = "super::consultations::Entity",
        from = "Column::ConsultationId",
        to = "super::consultations::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_campaigns_consultation_id"
    )]
    Consultation,
    /// Comments merged into this campaign.
    #[sea_orm(has_many = "super::comments::Entity", via_rel = "Relation::Campaign")]
    Comments,
}

impl Related<super::consultations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Consultation.def()
    }
}

impl Related<super::comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comments.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
