//! `agency_units`: the administrative units an agency has jurisdiction over.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Agency ↔ administrative unit join row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "agency_units")]
pub struct Model {
    /// The agency.
    #[sea_orm(primary_key, auto_increment = false)]
    pub agency_id: Uuid,
    /// A unit in its jurisdiction.
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
}

/// Relations of a jurisdiction row.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The agency (deleting it deletes its jurisdiction rows).
    #[sea_orm(
        belongs_to = "super::agencies::Entity",
        from = "Column::AgencyId",
        to = "super::agencies::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_agency_units_agency_id"
    )]
    Agency,
    /// The administrative unit.
    #[sea_orm(
        belongs_to = "super::admin_units::Entity",
        from = "Column::UnitId",
        to = "super::admin_units::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_agency_units_unit_id"
    )]
    Unit,
}

impl Related<super::agencies::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Agency.def()
    }
}

impl Related<super::admin_units::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Unit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
