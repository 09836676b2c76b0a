//! `acceptance_rows`: the rows of a signed-off acceptance table, exactly as they were signed.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::Disposition;

/// One frozen row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "acceptance_rows")]
pub struct Model {
    /// The sign-off.
    #[sea_orm(primary_key, auto_increment = false)]
    pub signoff_id: Uuid,
    /// STT, from 1.
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: i64,
    /// "Toàn bộ dự thảo", "Điều 3, khoản 2" ...
    #[sea_orm(column_type = "Text")]
    pub clause: String,
    /// Who commented, as published.
    #[sea_orm(column_type = "Text")]
    pub commenter: String,
    /// `organization`, `resident` or `campaign`.
    pub group_kind: String,
    /// Tracking code of the comment (a campaign's first).
    pub tracking_code: String,
    /// Comments the row stands for.
    pub comment_count: i64,
    /// Published text.
    #[sea_orm(column_type = "Text")]
    pub content: String,
    /// The agency's disposition.
    pub disposition: Option<Disposition>,
    /// Its explanation.
    #[sea_orm(column_type = "Text")]
    pub explanation: String,
}

/// Relations of a frozen row.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The sign-off.
    #[sea_orm(
        belongs_to = "super::acceptance_signoffs::Entity",
        from = "Column::SignoffId",
        to = "super::acceptance_signoffs::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_acceptance_rows_signoff_id"
    )]
    Signoff,
}

impl Related<super::acceptance_signoffs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Signoff.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
