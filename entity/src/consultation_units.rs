//! `consultation_units`: the administrative units a consultation concerns.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Consultation ↔ administrative unit join row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "consultation_units")]
pub struct Model {
    /// The consultation.
    #[sea_orm(primary_key, auto_increment = false)]
    pub consultation_id: Uuid,
    /// A unit it concerns.
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
}

/// Relations of a consultation-unit row.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The consultation (deleting it deletes these rows).
    #[sea_orm(
        belongs_to = "super::consultations::Entity",
        from = "Column::ConsultationId",
        to = "super::consultations::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_consultation_units_consultation_id"
    )]
    Consultation,
    /// The administrative unit.
    #[sea_orm(
        belongs_to = "super::admin_units::Entity",
        from = "Column::UnitId",
        to = "super::admin_units::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_consultation_units_unit_id"
    )]
    Unit,
}

impl Related<super::consultations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Consultation.def()
    }
}

impl Related<super::admin_units::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Unit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
