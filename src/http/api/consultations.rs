//! `/api/v1/consultations`: published consultations and their clause trees.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use entity::enums::ConsultationStatus;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{FieldErrors, Result};
use crate::http::auth::Viewer;
use crate::http::extract::{ValidPath, ValidQuery};
use crate::http::pages::consultations::clause_rows;
use crate::i18n::Lang;
use crate::services::consultations::{self, Summary};
use crate::services::now;

/// Query parameters of the consultation list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListConsultationsQuery {
    /// Only consultations in this status: `open`, `closed` or `concluded`.
    pub status: Option<String>,
    /// Only this kind: `general_plan`, `zoning_plan`, `detailed_plan`, `investment_project`, `policy`.
    pub kind: Option<String>,
    /// Only consultations led by the agency with this code (e.g. `SXD`).
    pub lead_agency: Option<String>,
    /// Only consultations concerning the unit with this code (a legacy code finds today's unit).
    pub unit: Option<String>,
    /// Page number, from 1.
    pub page: Option<u64>,
    /// Items per page, 1 to 100 (default 20).
    pub per_page: Option<u64>,
}

/// An agency, as referenced from other resources.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyRef {
    /// Stable code.
    pub code: String,
    /// Vietnamese name.
    pub name: String,
}

/// A consultation in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationSummary {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Short summary.
    pub summary: String,
    /// `general_plan`, `zoning_plan`, `detailed_plan`, `investment_project` or `policy`.
    pub kind: String,
    /// `open`, `closed` or `concluded` (an open consultation past its window reads `closed`).
    pub status: String,
    /// Lead agency.
    pub lead_agency: AgencyRef,
    /// Start of the comment window.
    pub opens_at: DateTime<Utc>,
    /// End of the comment window.
    pub closes_at: DateTime<Utc>,
    /// Version number (a new version keeps the old one and its comments).
    pub version: i32,
    /// Published comments.
    pub comment_count: u64,
}

/// A page of consultations.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationList {
    /// Items of this page.
    pub items: Vec<ConsultationSummary>,
    /// Page number.
    pub page: u64,
    /// Items per page.
    pub per_page: u64,
    /// Items in all pages.
    pub total: u64,
}

/// A unit as referenced from other resources.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitRef {
    /// National code.
    pub code: Option<String>,
    /// Name.
    pub name: String,
}

/// A clause of a consultation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClauseResponse {
    /// Id in this version.
    pub id: Uuid,
    /// Key kept across versions.
    pub stable_key: Uuid,
    /// Parent clause.
    pub parent_id: Option<Uuid>,
    /// `chuong`, `muc`, `dieu`, `khoan` or `diem`.
    pub level: String,
    /// Number as printed ("I", "5", "a").
    pub number: String,
    /// Heading.
    pub heading: Option<String>,
    /// Text.
    pub body: String,
    /// Fragment id on the consultation page.
    pub anchor: String,
    /// Published comments on the clause.
    pub comment_count: u64,
}

/// One consultation with its text and clauses.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationResponse {
    /// List-level facts.
    #[serde(flatten)]
    pub summary: ConsultationSummary,
    /// Full text (Markdown).
    pub body: String,
    /// Legal basis.
    pub legal_basis: String,
    /// Why the window is shorter than the minimum, when it is.
    pub short_window_reason: Option<String>,
    /// Units concerned.
    pub units: Vec<UnitRef>,
    /// Clauses in document order.
    pub clauses: Vec<ClauseResponse>,
    /// What moderators decided so far: counts by outcome and rejection reason.
    pub moderation: crate::services::moderation::PublicCounts,
}

/// Clauses in document order with their anchors and published comment counts.
pub fn clause_responses(
    rows: &[entity::clauses::Model],
    counts: &std::collections::HashMap<Uuid, u64>,
) -> Vec<ClauseResponse> {
    let presented = clause_rows(rows, counts, Lang::Vi.tr());
    rows.iter()
        .zip(presented)
        .map(|(c, row)| ClauseResponse {
            id: c.id,
            stable_key: c.stable_key,
            parent_id: c.parent_id,
            level: c.level.as_str().to_owned(),
            number: c.number.clone(),
            heading: c.heading.clone(),
            body: c.body.clone(),
            anchor: row.anchor,
            comment_count: row.comment_count,
        })
        .collect()
}

fn summary_response(s: &Summary) -> ConsultationSummary {
    let c = &s.consultation;
    ConsultationSummary {
        id: c.id,
        title: c.title.clone(),
        summary: c.summary.clone(),
        kind: c.kind.as_str().to_owned(),
        status: s.status.as_str().to_owned(),
        lead_agency: AgencyRef {
            code: s.lead_agency.code.clone(),
            name: s.lead_agency.name.clone(),
        },
        opens_at: c.opens_at,
        closes_at: c.closes_at,
        version: c.version,
        comment_count: s.comment_count,
    }
}

/// Lists published consultations.
#[utoipa::path(
    get, path = "/api/v1/consultations", tag = "consultations",
    params(ListConsultationsQuery),
    responses(
        (status = 200, description = "A page of consultations", body = ConsultationList),
        (status = 400, description = "Unknown or malformed parameter", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Parameter out of range", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_consultations(
    State(db): State<DatabaseConnection>,
    ValidQuery(query): ValidQuery<ListConsultationsQuery>,
) -> Result<Json<ConsultationList>> {
    let mut errors = FieldErrors::default();
    let status = match query.status.as_deref() {
        None => None,
        Some("open") => Some(ConsultationStatus::Open),
        Some("closed") => Some(ConsultationStatus::Closed),
        Some("concluded") => Some(ConsultationStatus::Concluded),
        Some(_) => {
            errors.push(
                "status",
                "unknown_value",
                "Use one of: open, closed, concluded",
            );
            None
        }
    };
    let filter = consultations::resolve_filter(
        &db,
        query.kind.as_deref(),
        query.lead_agency.as_deref(),
        query.unit.as_deref(),
        &mut errors,
    )
    .await?;
    let page = query.page.unwrap_or(1);
    if page == 0 || page > 100_000 {
        errors.push("page", "out_of_range", "Pages are numbered from 1");
    }
    let per_page = query.per_page.unwrap_or(20);
    if !(1..=100).contains(&per_page) {
        errors.push("per_page", "out_of_range", "Use 1 to 100 items per page");
    }
    errors.into_result()?;
    let (rows, total) =
        consultations::list_public(&db, filter.with_status(status), now(), page, per_page).await?;
    Ok(Json(ConsultationList {
        items: rows.iter().map(summary_response).collect(),
        page,
        per_page,
        total,
    }))
}

/// Shows one published consultation with its clauses.
#[utoipa::path(
    get, path = "/api/v1/consultations/{id}", tag = "consultations",
    params(("id" = Uuid, Path, description = "Consultation id")),
    responses(
        (status = 200, description = "The consultation", body = ConsultationResponse),
        (status = 404, description = "No published consultation has this id", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_consultation(
    State(db): State<DatabaseConnection>,
    viewer: Viewer,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Json<ConsultationResponse>> {
    let detail = consultations::get_for(&db, id, now(), &viewer.actor()).await?;
    let clauses = clause_responses(&detail.clauses, &detail.clause_comment_counts);
    let c = &detail.summary.consultation;
    Ok(Json(ConsultationResponse {
        body: c.body.clone(),
        legal_basis: c.legal_basis.clone(),
        short_window_reason: c.short_window_reason.clone(),
        units: detail
            .units
            .iter()
            .map(|u| UnitRef {
                code: u.code.clone(),
                name: u.name.clone(),
            })
            .collect(),
        clauses,
        moderation: detail.moderation.clone(),
        summary: summary_response(&detail.summary),
    }))
}
