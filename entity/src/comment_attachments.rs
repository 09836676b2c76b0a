//! `comment_attachments`: files attached to a comment (photos, scans).
//!
//! The bytes live in object storage under `storage_key`; the row keeps the
//! metadata and a SHA-256 digest.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A file attached to a comment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "comment_attachments")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The comment.
    pub comment_id: Uuid,
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
    /// When it was uploaded.
    pub created_at: DateTimeUtc,
}

/// Relations of a comment attachment.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The comment (deleting it deletes its attachments).
    #[sea_orm(
        belongs_to = "super::comments::Entity",
        from = "Column::CommentId",
        to = "super::comments::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_comment_attachments_comment_id"
    )]
    Comment,
}

impl Related<super::comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
