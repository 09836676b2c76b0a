//! `documents`: files published with a consultation (plans, maps, reports).
//!
//! The bytes live in object storage under `storage_key`; the row keeps the
//! metadata and a SHA-256 digest.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A file attached to a consultation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The consultation.
    pub consultation_id: Uuid,
    /// Original file name.
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// Key of the object in storage.
    pub storage_key: String,
    /// Hex-encoded SHA-256 of the content.
    pub sha256: String,
    /// Officer who uploaded it.
    pub uploaded_by: Option<Uuid>,
    /// When it was uploaded.
    pub created_at: DateTimeUtc,
}

/// Relations of a document.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The consultation (deleting it deletes its documents).
    #[sea_orm(
        belongs_to = "super::consultations::Entity",
        from = "Column::ConsultationId",
        to = "super::consultations::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_documents_consultation_id"
    )]
    Consultation,
    /// Officer who uploaded it.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UploadedBy",
        to = "super::users::Column::Id",
        on_delete = "Restrict",
        fk_name = "fk_documents_uploaded_by"
    )]
    Uploader,
}

impl Related<super::consultations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Consultation.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Uploader.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
