//! `admin_units`: provinces, districts and communes, with their history.
//!
//! Units are never deleted: a unit that disappears in a reform gets a
//! `valid_to` date and is linked to its successors through
//! [`unit_successions`](super::unit_successions).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::UnitLevel;

/// An administrative unit, valid from `valid_from` until `valid_to`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "admin_units")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// National statistical code; legacy districts have none.
    pub code: Option<String>,
    /// Official name, without the unit type (e.g. "Bến Thành").
    pub name: String,
    /// Vietnamese unit type as written: "Thành phố", "Tỉnh", "Quận",
    /// "Huyện", "Thị xã", "Phường", "Xã" or "Thị trấn".
    pub unit_type: String,
    /// Level in the hierarchy.
    pub level: UnitLevel,
    /// Enclosing unit, if any.
    pub parent_id: Option<Uuid>,
    /// First day the unit exists.
    pub valid_from: Date,
    /// Last day the unit exists; `None` while it is current.
    pub valid_to: Option<Date>,
    /// Latitude of a representative point (WGS 84).
    pub lat: Option<f64>,
    /// Longitude of a representative point (WGS 84).
    pub lon: Option<f64>,
    /// Area in square kilometres.
    pub area_km2: Option<f64>,
}

/// Relations of an administrative unit.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The enclosing unit.
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::ParentId",
        to = "Column::Id",
        on_delete = "NoAction",
        fk_name = "fk_admin_units_parent_id"
    )]
    Parent,
    /// Units directly inside this one.
    #[sea_orm(has_many = "Entity", via_rel = "Relation::Parent")]
    Children,
    /// Successions in which this unit is the old unit.
    #[sea_orm(
        has_many = "super::unit_successions::Entity",
        via_rel = "Relation::Predecessor"
    )]
    SuccessionsAsPredecessor,
    /// Successions in which this unit is the new unit.
    #[sea_orm(
        has_many = "super::unit_successions::Entity",
        via_rel = "Relation::Successor"
    )]
    SuccessionsAsSuccessor,
    /// Agencies having jurisdiction over this unit (join rows).
    #[sea_orm(has_many = "super::agency_units::Entity", via_rel = "Relation::Unit")]
    AgencyUnits,
    /// Consultations concerning this unit (join rows).
    #[sea_orm(
        has_many = "super::consultation_units::Entity",
        via_rel = "Relation::Unit"
    )]
    ConsultationUnits,
    /// Comments located in this unit.
    #[sea_orm(has_many = "super::comments::Entity", via_rel = "Relation::Unit")]
    Comments,
}

impl Related<super::agency_units::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AgencyUnits.def()
    }
}

impl Related<super::consultation_units::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ConsultationUnits.def()
    }
}

impl Related<super::comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comments.def()
    }
}

impl Related<super::agencies::Entity> for Entity {
    fn to() -> RelationDef {
        super::agency_units::Relation::Agency.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::agency_units::Relation::Unit.def().rev())
    }
}

impl Related<super::consultations::Entity> for Entity {
    fn to() -> RelationDef {
        super::consultation_units::Relation::Consultation.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::consultation_units::Relation::Unit.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
