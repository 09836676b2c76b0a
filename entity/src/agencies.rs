//! `agencies`: government bodies that run consultations and answer comments.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::AgencyKind;

/// A government agency (People's Committee, department, utility...).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "agencies")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Short stable code, unique (e.g. "SXD" for the construction department).
    #[sea_orm(unique)]
    pub code: String,
    /// Official Vietnamese name.
    pub name: String,
    /// English name, if any.
    pub name_en: Option<String>,
    /// Kind of agency.
    pub kind: AgencyKind,
    /// Public contact e-mail.
    pub email: Option<String>,
    /// Public contact phone number.
    pub phone: Option<String>,
    /// Supervising agency, if any.
    pub parent_id: Option<Uuid>,
    /// First day the agency exists.
    pub valid_from: Date,
    /// Last day the agency exists; `None` while it is current.
    pub valid_to: Option<Date>,
    /// When the row was created.
    pub created_at: DateTimeUtc,
}

/// Relations of an agency.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The supervising agency.
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::ParentId",
        to = "Column::Id",
        on_delete = "NoAction",
        fk_name = "fk_agencies_parent_id"
    )]
    Parent,
    /// Agencies supervised by this one.
    #[sea_orm(has_many = "Entity", via_rel = "Relation::Parent")]
    Children,
    /// Units under this agency's jurisdiction (join rows).
    #[sea_orm(has_many = "super::agency_units::Entity", via_rel = "Relation::Agency")]
    AgencyUnits,
    /// Officers working for this agency.
    #[sea_orm(has_many = "super::users::Entity", via_rel = "Relation::Agency")]
    Users,
    /// Consultations led by this agency.
    #[sea_orm(
        has_many = "super::consultations::Entity",
        via_rel = "Relation::LeadAgency"
    )]
    LedConsultations,
    /// Comments assigned to this agency.
    #[sea_orm(has_many = "super::assignments::Entity", via_rel = "Relation::Agency")]
    Assignments,
    /// Answers given by this agency.
    #[sea_orm(
        has_many = "super::agency_responses::Entity",
        via_rel = "Relation::Agency"
    )]
    AgencyResponses,
}

impl Related<super::agency_units::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AgencyUnits.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Users.def()
    }
}

impl Related<super::consultations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::LedConsultations.def()
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

impl Related<super::admin_units::Entity> for Entity {
    fn to() -> RelationDef {
        super::agency_units::Relation::Unit.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::agency_units::Relation::Agency.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
