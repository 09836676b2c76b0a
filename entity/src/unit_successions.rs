//! `unit_successions`: which old unit became (part of) which new unit.
//!
//! For example an old ward merged into today's ward. A unit split in two has
//! two rows; two units merged into one have two rows as well.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One predecessor → successor link between administrative units.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "unit_successions")]
pub struct Model {
    /// The unit that ceased to exist.
    #[sea_orm(primary_key, auto_increment = false)]
    pub predecessor_id: Uuid,
    /// The unit that took over (part of) its territory.
    #[sea_orm(primary_key, auto_increment = false)]
    pub successor_id: Uuid,
}

/// Relations of a succession link.
///
/// Both point to [`admin_units`](super::admin_units), so there is no
/// `Related` implementation: join through the relation you mean.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The old unit.
    #[sea_orm(
        belongs_to = "super::admin_units::Entity",
        from = "Column::PredecessorId",
        to = "super::admin_units::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_unit_successions_predecessor_id"
    )]
    Predecessor,
    /// The new unit.
    #[sea_orm(
        belongs_to = "super::admin_units::Entity",
        from = "Column::SuccessorId",
        to = "super::admin_units::Column::Id",
        on_delete = "Cascade",
        fk_name = "fk_unit_successions_successor_id"
    )]
    Successor,
}

impl ActiveModelBehavior for ActiveModel {}
