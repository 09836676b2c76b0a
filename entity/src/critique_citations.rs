//! `critique_citations`: the comments and themes a critique document cites.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One citation: a comment or a theme.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "critique_citations")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The critique.
    pub critique_id: Uuid,
    /// A cited comment.
    pub comment_id: Option<Uuid>,
    /// A cited theme.
    pub theme_id: Option<Uuid>,
}

/// Relations of a citation.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The critique.
    #[sea_orm(
        belongs_to = "super::critiques::Entity",
        from = "Column::CritiqueId",
        to = "super::critiques::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_critique_citations_critique_id"
    )]
    Critique,
}

impl Related<super::critiques::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Critique.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
