//! `acceptance_signoffs`: versions of a consultation's acceptance table that its lead agency
//! signed off. The rows of each version are frozen in `acceptance_rows`; the hash of those rows
//! is also on the audit chain.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One signed-off version.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "acceptance_signoffs")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The consultation.
    pub consultation_id: Uuid,
    /// 1, 2 ... per consultation.
    pub version: i32,
    /// SHA-256 (hex) of the frozen rows.
    pub content_hash: String,
    /// How many rows were frozen.
    pub row_count: i64,
    /// The officer who signed.
    pub signed_by: Option<Uuid>,
    /// When.
    pub signed_at: DateTimeUtc,
}

/// Relations of a sign-off.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The consultation.
    #[sea_orm(
        belongs_to = "super::consultations::Entity",
        from = "Column::ConsultationId",
        to = "super::consultations::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_acceptance_signoffs_consultation_id"
    )]
    Consultation,
    /// Its rows.
    #[sea_orm(has_many = "super::acceptance_rows::Entity")]
    Rows,
}

impl Related<super::consultations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Consultation.def()
    }
}

impl Related<super::acceptance_rows::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Rows.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
