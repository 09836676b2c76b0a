//! `themes`: the subjects moderators group a consultation's comments under for its synthesis.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A theme of a consultation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "themes")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The consultation.
    pub consultation_id: Uuid,
    /// Its label, unique within the consultation.
    pub label: String,
    /// The moderator who created it.
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// Relations of a theme.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The consultation.
    #[sea_orm(
        belongs_to = "super::consultations::Entity",
        from = "Column::ConsultationId",
        to = "super::consultations::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_themes_consultation_id"
    )]
    Consultation,
    /// Its comments.
    #[sea_orm(has_many = "super::comment_themes::Entity")]
    CommentThemes,
}

impl Related<super::consultations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Consultation.def()
    }
}

impl Related<super::comment_themes::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CommentThemes.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
