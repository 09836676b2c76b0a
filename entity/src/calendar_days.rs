//! `calendar_days`: exceptions to the working-day calendar that admins announce each year:
//! make-up working days (a Saturday worked to bridge a holiday) and extra days off.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One exception.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "calendar_days")]
pub struct Model {
    /// The day.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    /// `true`: worked although a weekend or holiday; `false`: off although a working day.
    pub is_working_day: bool,
    /// Why (e.g. the decision announcing it).
    pub note: String,
    /// The admin who entered it.
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
