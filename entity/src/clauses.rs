//! `clauses`: the structured text of a consultation.
//!
//! Vietnamese legal texts nest chương › mục › điều › khoản › điểm; each
//! clause points to its parent and carries its document-order `position`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::ClauseLevel;

/// One node of a consultation's text.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "clauses")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The consultation version this clause belongs to.
    pub consultation_id: Uuid,
    /// Enclosing clause, if any.
    pub parent_id: Option<Uuid>,
    /// Identity of the clause kept across consultation versions.
    pub stable_key: Uuid,
    /// Structural level.
    pub level: ClauseLevel,
    /// Number as printed: "I", "5", "a"...
    pub number: String,
    /// Heading, if any.
    #[sea_orm(column_type = "Text", nullable)]
    pub heading: Option<String>,
    /// Text of the clause itself (without its children).
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// Position in document order within the consultation.
    pub position: i32,
}

/// Relations of a clause.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The consultation (deleting it deletes its clauses).
    #[sea_orm(
        belongs_to = "super::consultations::Entity",
        from = "Column::ConsultationId",
        to = "super::consultations::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_clauses_consultation_id"
    )]
    Consultation,
    /// The enclosing clause (deleting it deletes its sub-clauses).
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::ParentId",
        to = "Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_clauses_parent_id"
    )]
    Parent,
    /// Sub-clauses.
    #[sea_orm(has_many = "Entity", via_rel = "Relation::Parent")]
    Children,
    /// Comments on this clause.
    #[sea_orm(has_many = "super::comments::Entity", via_rel = "Relation::Clause")]
    Comments,
    /// Comment revisions that targeted this clause.
    #[sea_orm(
        has_many = "super::comment_revisions::Entity",
        via_rel = "Relation::Clause"
    )]
    CommentRevisions,
}

impl Related<super::consultations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Consultation.def()
    }
}

impl Related<super::comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comments.def()
    }
}

impl Related<super::comment_revisions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CommentRevisions.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
