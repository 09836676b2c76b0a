//! Which agency should answer a comment: the routing rules (data that admins edit) tried in
//! priority order, falling back to the consultation's lead agency.

use entity::enums::AgencyKind;
use entity::{agencies, agency_units, clauses, comments, consultations, routing_rules};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::config::AnswerWorkingDays;
use crate::error::Result;

/// Rule targets.
pub const TARGET_AGENCY: &str = "agency";
/// The consultation's lead agency.
pub const TARGET_LEAD_AGENCY: &str = "lead_agency";
/// The People's Committee of the comment's ward or commune.
pub const TARGET_UNIT_COMMITTEE: &str = "unit_committee";

/// What the rules propose for one comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// The agency.
    pub agency_id: Uuid,
    /// The rule that chose it; `None` for the fallback (the lead agency).
    pub rule_id: Option<Uuid>,
    /// Working days to answer.
    pub working_days: u32,
}

/// The active rules, in the order they are tried.
pub async fn active_rules<C: ConnectionTrait>(db: &C) -> Result<Vec<routing_rules::Model>> {
    Ok(routing_rules::Entity::find()
        .filter(routing_rules::Column::IsActive.eq(true))
        .order_by_asc(routing_rules::Column::Priority)
        .order_by_asc(routing_rules::Column::CreatedAt)
        .all(db)
        .await?)
}

/// The agency the first matching rule names, else the consultation's lead agency.
pub async fn propose<C: ConnectionTrait>(
    db: &C,
    rules: &[routing_rules::Model],
    comment: &comments::Model,
    consultation: &consultations::Model,
    days: &AnswerWorkingDays,
) -> Result<Proposal> {
    let default_days = days.for_kind(consultation.kind);
    let folded = crate::domain::text::fold(&comment.body);
    let mut clause_key: Option<Option<Uuid>> = None;
    for rule in rules {
        if rule.consultation_id.is_some_and(|id| id != consultation.id) {
            continue;
        }
        if rule
            .consultation_kind
            .as_deref()
            .is_some_and(|kind| kind != consultation.kind.as_str())
        {
            continue;
        }
        if rule.unit_id.is_some() && rule.unit_id != comment.unit_id {
            continue;
        }
        if let Some(keyword) = rule.keyword.as_deref() {
            let keyword = crate::domain::text::fold(keyword);
            if keyword.trim().is_empty() || !folded.contains(keyword.trim()) {
                continue;
            }
        }
        if let Some(wanted) = rule.clause_stable_key {
            if clause_key.is_none() {
                clause_key = Some(match comment.clause_id {
                    Some(id) => clauses::Entity::find_by_id(id)
                        .one(db)
                        .await?
                        .map(|c| c.stable_key),
                    None => None,
                });
            }
            if clause_key.flatten() != Some(wanted) {
                continue;
            }
        }
        let agency_id = match rule.target.as_str() {
            TARGET_AGENCY => rule.agency_id,
            TARGET_LEAD_AGENCY => Some(consultation.lead_agency_id),
            TARGET_UNIT_COMMITTEE => match comment.unit_id {
                Some(unit) => unit_committee(db, unit).await?,
                None => None,
            },
            _ => None,
        };
        // A rule whose target cannot be found for this comment (no unit, no committee) is
        // skipped rather than stopping the search.
        if let Some(agency_id) = agency_id {
            return Ok(Proposal {
                agency_id,
                rule_id: Some(rule.id),
                working_days: rule
                    .working_days
                    .and_then(|d| u32::try_from(d).ok())
                    .filter(|d| *d > 0)
                    .unwrap_or(default_days),
            });
        }
    }
    Ok(Proposal {
        agency_id: consultation.lead_agency_id,
        rule_id: None,
        working_days: default_days,
    })
}

/// The People's Committee in charge of a ward or commune today.
pub async fn unit_committee<C: ConnectionTrait>(db: &C, unit_id: Uuid) -> Result<Option<Uuid>> {
    let agency_ids: Vec<Uuid> = agency_units::Entity::find()
        .filter(agency_units::Column::UnitId.eq(unit_id))
        .all(db)
        .await?
        .into_iter()
        .map(|link| link.agency_id)
        .collect();
    if agency_ids.is_empty() {
        return Ok(None);
    }
    Ok(agencies::Entity::find()
        .filter(agencies::Column::Id.is_in(agency_ids))
        .filter(agencies::Column::Kind.eq(AgencyKind::PeopleCommittee))
        .filter(agencies::Column::ValidTo.is_null())
        .order_by_asc(agencies::Column::Code)
        .one(db)
        .await?
        .map(|a| a.id))
}
