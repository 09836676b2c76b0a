//! `critiques`: the Fatherland Front's critique documents ("văn bản phản biện, kiến nghị") on a
//! consultation, sent to its lead agency, with the agency's written reply and its deadline.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::CritiqueStatus;

/// A critique document.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "critiques")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The consultation.
    pub consultation_id: Uuid,
    /// Title.
    pub title: String,
    /// Text; cites comments by tracking code.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// Draft, sent or answered.
    pub status: CritiqueStatus,
    /// The moderator who drafted it.
    pub created_by: Option<Uuid>,
    /// When drafted.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
    /// When sent to the lead agency.
    pub sent_at: Option<DateTimeUtc>,
    /// The reply's due date, in working days from the sending.
    pub due_on: Option<Date>,
    /// The agency's written reply.
    #[sea_orm(column_type = "Text", nullable)]
    pub reply_body: Option<String>,
    /// The officer who replied.
    pub replied_by: Option<Uuid>,
    /// When.
    pub replied_at: Option<DateTimeUtc>,
    /// When it was found overdue (set once).
    pub overdue_at: Option<DateTimeUtc>,
}

/// Relations of a critique.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The consultation.
    #[sea_orm(
        belongs_to = "super::consultations::Entity",
        from = "Column::ConsultationId",
        to = "super::consultations::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_critiques_consultation_id"
    )]
    Consultation,
    /// Its citations.
    #[sea_orm(has_many = "super::critique_citations::Entity")]
    Citations,
}

impl Related<super::consultations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Consultation.def()
    }
}

impl Related<super::critique_citations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Citations.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
