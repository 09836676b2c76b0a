//! `organizations`: civil-society organisations that comment as a body.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::OrganizationKind;

/// A civil-society organisation (Fatherland Front, mass organisation...).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Short stable code, unique.
    #[sea_orm(unique)]
    pub code: String,
    /// Official Vietnamese name.
    pub name: String,
    /// English name, if any.
    pub name_en: Option<String>,
    /// Kind of organisation.
    pub kind: OrganizationKind,
    /// Public contact e-mail.
    pub email: Option<String>,
    /// First day the organisation exists.
    pub valid_from: Date,
    /// Last day the organisation exists; `None` while it is current.
    pub valid_to: Option<Date>,
    /// When the row was created.
    pub created_at: DateTimeUtc,
}

/// Relations of an organisation.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Representatives of this organisation.
    #[sea_orm(has_many = "super::users::Entity", via_rel = "Relation::Organization")]
    Users,
    /// Comments submitted on behalf of this organisation.
    #[sea_orm(
        has_many = "super::comments::Entity",
        via_rel = "Relation::Organization"
    )]
    Comments,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Users.def()
    }
}

impl Related<super::comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comments.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
