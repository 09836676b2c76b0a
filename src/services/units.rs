//! Administrative units as versioned data: today's units and the ones they replaced.

use chrono::NaiveDate;
use entity::{admin_units, unit_successions};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::{Error, Result};

/// A unit together with the units in force today that continue it.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The unit found by its code (in force on the given date, or the latest one).
    pub unit: admin_units::Model,
    /// The unit's parent, if any.
    pub parent: Option<admin_units::Model>,
    /// Units in force on the given date that took this unit over (itself when still in force).
    pub current: Vec<admin_units::Model>,
}

fn in_force(on: NaiveDate) -> Condition {
    Condition::all()
        .add(admin_units::Column::ValidFrom.lte(on))
        .add(
            Condition::any()
                .add(admin_units::Column::ValidTo.is_null())
                .add(admin_units::Column::ValidTo.gte(on)),
        )
}

/// Units in force on `on`, ordered by level then name.
pub async fn list_in_force<C: ConnectionTrait>(
    db: &C,
    on: NaiveDate,
) -> Result<Vec<admin_units::Model>> {
    Ok(admin_units::Entity::find()
        .filter(in_force(on))
        .order_by_asc(admin_units::Column::Level)
        .order_by_asc(admin_units::Column::Name)
        .order_by_asc(admin_units::Column::Id)
        .all(db)
        .await?)
}

/// Finds a unit by its national code and places it in the units in force on `on`: an old ward
/// named in an old record resolves to the ward or commune it was merged into.
pub async fn resolve<C: ConnectionTrait>(db: &C, code: &str, on: NaiveDate) -> Result<Resolved> {
    let versions = admin_units::Entity::find()
        .filter(admin_units::Column::Code.eq(code.trim()))
        .order_by_desc(admin_units::Column::ValidFrom)
        .order_by_asc(admin_units::Column::Id)
        .all(db)
        .await?;
    // Prefer the version in force on the date, else the newest one.
    let unit = versions
        .iter()
        .find(|u| u.valid_from <= on && u.valid_to.is_none_or(|to| to >= on))
        .or(versions.first())
        .cloned()
        .ok_or(Error::NotFound("unit"))?;
    let parent = match unit.parent_id {
        Some(id) => admin_units::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let mut current = Vec::new();
    let mut frontier = vec![unit.clone()];
    // Follow successions until units in force on `on` are reached (reforms can chain).
    for _ in 0..8 {
        let mut next = Vec::new();
        for u in frontier {
            if u.valid_from <= on && u.valid_to.is_none_or(|to| to >= on) {
                if !current.iter().any(|c: &admin_units::Model| c.id == u.id) {
                    current.push(u);
                }
                continue;
            }
            let successor_ids: Vec<_> = unit_successions::Entity::find()
                .filter(unit_successions::Column::PredecessorId.eq(u.id))
                .all(db)
                .await?
                .into_iter()
                .map(|s| s.successor_id)
                .collect();
            if successor_ids.is_empty() {
                continue;
            }
            next.extend(
                admin_units::Entity::find()
                    .filter(admin_units::Column::Id.is_in(successor_ids))
                    .order_by_asc(admin_units::Column::Name)
                    .order_by_asc(admin_units::Column::Id)
                    .all(db)
                    .await?,
            );
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    Ok(Resolved {
        unit,
        parent,
        current,
    })
}
