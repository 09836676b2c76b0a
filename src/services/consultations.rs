//! Consultations as the public reads them: lists, one consultation with its clause tree.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::enums::ConsultationStatus;
use entity::{admin_units, agencies, clauses, comments, consultation_units, consultations};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::error::{Error, Result};

/// A consultation with what a list shows about it.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The stored consultation.
    pub consultation: consultations::Model,
    /// Status as the public sees it now (an open consultation past its window reads as closed).
    pub status: ConsultationStatus,
    /// The lead agency.
    pub lead_agency: agencies::Model,
    /// Number of published comments.
    pub comment_count: u64,
}

/// One consultation with its units and clauses.
#[derive(Debug, Clone)]
pub struct Detail {
    /// The list-level facts.
    pub summary: Summary,
    /// Units concerned.
    pub units: Vec<admin_units::Model>,
    /// Clauses in document order.
    pub clauses: Vec<clauses::Model>,
    /// Published comments per clause id.
    pub clause_comment_counts: HashMap<Uuid, u64>,
    /// Moderation outcomes so far, by outcome and rejection reason.
    pub moderation: crate::services::moderation::PublicCounts,
}

/// Which consultations a public list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only consultations in this (effective) status.
    pub status: Option<ConsultationStatus>,
    /// Only this kind.
    pub kind: Option<entity::enums::ConsultationKind>,
    /// Only consultations led by this agency.
    pub lead_agency_id: Option<Uuid>,
    /// Only consultations concerning one of these units (empty: any).
    pub unit_ids: Vec<Uuid>,
}

impl ListFilter {
    /// The same filter with a status.
    pub fn with_status(mut self, status: Option<ConsultationStatus>) -> Self {
        self.status = status;
        self
    }
}

/// Turns the codes people use (kind, agency code, unit code) into a filter; unknown values
/// are reported as field errors. A pre-2025 unit code finds consultations of today's unit(s).
pub async fn resolve_filter<C: ConnectionTrait>(
    db: &C,
    kind: Option<&str>,
    lead_agency: Option<&str>,
    unit: Option<&str>,
    errors: &mut crate::error::FieldErrors,
) -> Result<ListFilter> {
    use entity::enums::ConsultationKind as K;
    let mut filter = ListFilter::default();
    if let Some(kind) = kind {
        filter.kind = match kind {
            "general_plan" => Some(K::GeneralPlan),
            "zoning_plan" => Some(K::ZoningPlan),
            "detailed_plan" => Some(K::DetailedPlan),
            "investment_project" => Some(K::InvestmentProject),
            "policy" => Some(K::Policy),
            _ => {
                errors.push(
                    "kind",
                    "unknown_value",
                    "Use general_plan, zoning_plan, detailed_plan, investment_project or policy",
                );
                None
            }
        };
    }
    if let Some(code) = lead_agency {
        match agencies::Entity::find()
            .filter(agencies::Column::Code.eq(code.trim()))
            .one(db)
            .await?
        {
            Some(agency) => filter.lead_agency_id = Some(agency.id),
            None => errors.push("lead_agency", "unknown", "No agency has this code"),
        }
    }
    if let Some(code) = unit {
        let today = crate::services::now()
            .with_timezone(&crate::domain::time::VIETNAM)
            .date_naive();
        match crate::services::units::resolve(db, code, today).await {
            Ok(resolved) => {
                filter.unit_ids = resolved.current.iter().map(|u| u.id).collect();
                filter.unit_ids.push(resolved.unit.id);
            }
            Err(Error::NotFound(_)) => {
                errors.push("unit", "unknown", "No administrative unit has this code")
            }
            Err(e) => return Err(e),
        }
    }
    Ok(filter)
}

/// Status as the public sees it at `at`.
pub fn effective_status(c: &consultations::Model, at: DateTime<Utc>) -> ConsultationStatus {
    match c.status {
        ConsultationStatus::Open if at >= c.closes_at => ConsultationStatus::Closed,
        status => status,
    }
}

fn status_condition(status: &ConsultationStatus, at: DateTime<Utc>) -> Condition {
    use consultations::Column;
    match status {
        ConsultationStatus::Open => Condition::all()
            .add(Column::Status.eq(ConsultationStatus::Open))
            .add(Column::ClosesAt.gt(at)),
        ConsultationStatus::Closed => Condition::any()
            .add(Column::Status.eq(ConsultationStatus::Closed))
            .add(
                Condition::all()
                    .add(Column::Status.eq(ConsultationStatus::Open))
                    .add(Column::ClosesAt.lte(at)),
            ),
        other => Condition::all().add(Column::Status.eq(*other)),
    }
}

/// Lists published consultations (never drafts), newest window first, one page at a time.
pub async fn list_public<C: ConnectionTrait>(
    db: &C,
    filter: ListFilter,
    at: DateTime<Utc>,
    page: u64,
    per_page: u64,
) -> Result<(Vec<Summary>, u64)> {
    let mut query = consultations::Entity::find()
        .filter(consultations::Column::Status.ne(ConsultationStatus::Draft));
    if let Some(status) = &filter.status {
        query = query.filter(status_condition(status, at));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(consultations::Column::Kind.eq(kind));
    }
    if let Some(agency) = filter.lead_agency_id {
        query = query.filter(consultations::Column::LeadAgencyId.eq(agency));
    }
    if !filter.unit_ids.is_empty() {
        let concerned = sea_orm::sea_query::Query::select()
            .column(consultation_units::Column::ConsultationId)
            .from(consultation_units::Entity)
            .and_where(consultation_units::Column::UnitId.is_in(filter.unit_ids.clone()))
            .to_owned();
        query = query.filter(consultations::Column::Id.in_subquery(concerned));
    }
    // Open consultations first, closing soonest first; then the others, latest first.
    use sea_orm::sea_query::{Expr, SimpleExpr};
    let open = status_condition(&ConsultationStatus::Open, at);
    let open_first: SimpleExpr = Expr::case(open.clone(), 0).finally(1).into();
    let closing_soon: SimpleExpr = Expr::case(open, Expr::col(consultations::Column::ClosesAt))
        .finally(Expr::val(Option::<DateTime<Utc>>::None))
        .into();
    let query = query
        .order_by(open_first, sea_orm::Order::Asc)
        .order_by(closing_soon, sea_orm::Order::Asc)
        .order_by_desc(consultations::Column::ClosesAt)
        .order_by_asc(consultations::Column::Id);
    let paginator = query.paginate(db, per_page);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.saturating_sub(1)).await?;
    Ok((summarize(db, rows, at).await?, total))
}

/// The home page's two lists: open consultations closing soonest first, then the others.
pub async fn home_lists<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
) -> Result<(Vec<Summary>, Vec<Summary>)> {
    let open = consultations::Entity::find()
        .filter(status_condition(&ConsultationStatus::Open, at))
        .order_by_asc(consultations::Column::ClosesAt)
        .order_by_asc(consultations::Column::Id)
        .all(db)
        .await?;
    let others = consultations::Entity::find()
        .filter(consultations::Column::Status.ne(ConsultationStatus::Draft))
        .filter(status_condition(&ConsultationStatus::Open, at).not())
        .order_by_desc(consultations::Column::ClosesAt)
        .order_by_asc(consultations::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    Ok((
        summarize(db, open, at).await?,
        summarize(db, others, at).await?,
    ))
}

/// One published consultation; drafts are not found.
pub async fn get_public<C: ConnectionTrait>(db: &C, id: Uuid, at: DateTime<Utc>) -> Result<Detail> {
    get_for(db, id, at, &crate::policy::Actor::anonymous()).await
}

/// One consultation as `actor` may see it: published ones for everyone, drafts only for those
/// who may edit them (others get "not found").
pub async fn get_for<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    at: DateTime<Utc>,
    actor: &crate::policy::Actor,
) -> Result<Detail> {
    let consultation = consultations::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| {
            c.status != ConsultationStatus::Draft
                || actor.can(&crate::policy::Action::PublishConsultation {
                    lead_agency_id: c.lead_agency_id,
                })
        })
        .ok_or(Error::NotFound("consultation"))?;
    let summary = summarize(db, vec![consultation], at)
        .await?
        .pop()
        .ok_or(Error::NotFound("consultation"))?;
    let unit_ids: Vec<Uuid> = consultation_units::Entity::find()
        .filter(consultation_units::Column::ConsultationId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|link| link.unit_id)
        .collect();
    let units = admin_units::Entity::find()
        .filter(admin_units::Column::Id.is_in(unit_ids))
        .order_by_asc(admin_units::Column::Name)
        .order_by_asc(admin_units::Column::Id)
        .all(db)
        .await?;
    let clauses = clauses::Entity::find()
        .filter(clauses::Column::ConsultationId.eq(id))
        .order_by_asc(clauses::Column::Position)
        .order_by_asc(clauses::Column::Id)
        .all(db)
        .await?;
    let counts: Vec<(Option<Uuid>, i64)> = comments::Entity::find()
        .select_only()
        .column(comments::Column::ClauseId)
        .column_as(comments::Column::Id.count(), "n")
        .filter(comments::Column::ConsultationId.eq(id))
        .filter(crate::services::comment_reading::public_condition())
        .group_by(comments::Column::ClauseId)
        .into_tuple()
        .all(db)
        .await?;
    let clause_comment_counts = counts
        .into_iter()
        .filter_map(|(clause, n)| clause.map(|c| (c, u64::try_from(n).unwrap_or(0))))
        .collect();
    let moderation = crate::services::moderation::public_counts(db, id).await?;
    Ok(Detail {
        summary,
        units,
        clauses,
        clause_comment_counts,
        moderation,
    })
}

async fn summarize<C: ConnectionTrait>(
    db: &C,
    rows: Vec<consultations::Model>,
    at: DateTime<Utc>,
) -> Result<Vec<Summary>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let agency_ids: Vec<Uuid> = rows.iter().map(|c| c.lead_agency_id).collect();
    let agencies: HashMap<Uuid, agencies::Model> = agencies::Entity::find()
        .filter(agencies::Column::Id.is_in(agency_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
    let counts: HashMap<Uuid, i64> = comments::Entity::find()
        .select_only()
        .column(comments::Column::ConsultationId)
        .column_as(comments::Column::Id.count(), "n")
        .filter(comments::Column::ConsultationId.is_in(ids))
        .filter(crate::services::comment_reading::public_condition())
        .group_by(comments::Column::ConsultationId)
        .into_tuple::<(Uuid, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for consultation in rows {
        let lead_agency = agencies
            .get(&consultation.lead_agency_id)
            .cloned()
            .ok_or_else(|| {
                Error::Internal(anyhow::anyhow!("consultation without its lead agency"))
            })?;
        let comment_count = counts.get(&consultation.id).copied().unwrap_or(0);
        out.push(Summary {
            status: effective_status(&consultation, at),
            comment_count: u64::try_from(comment_count).unwrap_or(0),
            lead_agency,
            consultation,
        });
    }
    Ok(out)
}

/// Titles of consultations by id (for lists of comments that name their consultation).
pub async fn titles<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> Result<HashMap<Uuid, String>> {
    Ok(consultations::Entity::find()
        .filter(consultations::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect())
}
