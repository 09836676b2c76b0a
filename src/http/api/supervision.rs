//! `/api/v1/supervision`: each agency's record on the comments routed to it and each
//! consultation's participation, for a period; and the comments behind each figure.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{FieldErrors, Result};
use crate::http::extract::{ValidPath, ValidQuery};
use crate::services::supervision::{self, Metric, Period};
use crate::state::AppState;

/// The period.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, `YYYY-MM-DD` (default: 364 days before today, Vietnam time).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today); at most 3 years after `from`.
    pub to: Option<String>,
}

/// An agency's record.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyRecordResponse {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Assignments made in the period.
    pub assigned: u64,
    /// Answered.
    pub answered: u64,
    /// Answered on or before the due date.
    pub on_time: u64,
    /// Answered after it.
    pub late: u64,
    /// On time, as a share of the answered (0 to 1), or null when none was answered.
    pub on_time_share: Option<f64>,
    /// Median working days from assignment to answer.
    pub median_working_days: Option<f64>,
    /// Open past the due date now.
    pub overdue: u64,
    /// Passed on to another agency.
    pub transferred: u64,
}

/// Comments of a week.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekResponse {
    /// Monday of the week.
    pub week: NaiveDate,
    /// Comments received.
    pub count: u64,
}

/// A consultation's participation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationRecordResponse {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// `open`, `closed` or `concluded`.
    pub status: String,
    /// Comments received.
    pub received: u64,
    /// Approved.
    pub approved: u64,
    /// Approved and answered.
    pub answered: u64,
    /// Answered, as a share of the approved (0 to 1), or null.
    pub answered_share: Option<f64>,
    /// Comments received per week.
    pub weekly: Vec<WeekResponse>,
}

/// The dashboard.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupervisionResponse {
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Agencies with assignments in the period.
    pub agencies: Vec<AgencyRecordResponse>,
    /// Published consultations, newest first.
    pub consultations: Vec<ConsultationRecordResponse>,
}

/// The supervision dashboard for a period (public).
#[utoipa::path(
    get, path = "/api/v1/supervision", tag = "reports",
    params(PeriodQuery),
    responses(
        (status = 200, description = "The dashboard", body = SupervisionResponse),
        (status = 422, description = "Malformed or reversed dates, or a period over 3 years", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_supervision(
    State(state): State<AppState>,
    ValidQuery(query): ValidQuery<PeriodQuery>,
) -> Result<Json<SupervisionResponse>> {
    let period = Period::parse(query.from.as_deref(), query.to.as_deref())?;
    let d = supervision::dashboard(&state.db, period).await?;
    Ok(Json(SupervisionResponse {
        from: period.from,
        to: period.to,
        agencies: d
            .agencies
            .into_iter()
            .map(|a| AgencyRecordResponse {
                on_time_share: a.on_time_share(),
                code: a.code,
                name: a.name,
                assigned: a.assigned,
                answered: a.answered,
                on_time: a.on_time,
                late: a.late,
                median_working_days: a.median_working_days,
                overdue: a.overdue,
                transferred: a.transferred,
            })
            .collect(),
        consultations: d
            .consultations
            .into_iter()
            .map(|c| ConsultationRecordResponse {
                answered_share: (c.approved > 0).then(|| c.answered as f64 / c.approved as f64),
                id: c.id,
                title: c.title,
                status: c.status.as_str().to_owned(),
                received: c.received,
                approved: c.approved,
                answered: c.answered,
                weekly: c
                    .weekly
                    .into_iter()
                    .map(|(week, count)| WeekResponse { week, count })
                    .collect(),
            })
            .collect(),
    }))
}

/// Which figure, and which page.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ItemsQuery {
    /// `assigned`, `answered`, `on_time`, `late`, `overdue` or `transferred`.
    pub metric: String,
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Page, from 1.
    pub page: Option<u64>,
    /// Items per page, 1 to 100 (default 50).
    pub per_page: Option<u64>,
}

/// A comment behind a figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemResponse {
    /// Tracking code (`/api/v1/track/{code}` follows it).
    pub tracking_code: String,
    /// The comment, when public.
    pub public_comment_id: Option<Uuid>,
    /// Its consultation.
    pub consultation_title: String,
    /// Assigned on (Vietnam date).
    pub assigned_on: NaiveDate,
    /// Due on.
    pub due_on: NaiveDate,
    /// Answered on.
    pub answered_on: Option<NaiveDate>,
    /// Working days it took.
    pub working_days: Option<i64>,
}

/// A page of comments behind a figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemsResponse {
    /// The comments.
    pub items: Vec<ItemResponse>,
    /// Total.
    pub total: u64,
    /// Page.
    pub page: u64,
    /// Per page.
    pub per_page: u64,
}

/// The comments behind one of an agency's figures (public).
#[utoipa::path(
    get, path = "/api/v1/supervision/agencies/{code}/comments", tag = "reports",
    params(("code" = String, Path, description = "Agency code"), ItemsQuery),
    responses(
        (status = 200, description = "The comments", body = ItemsResponse),
        (status = 404, description = "No such agency", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown metric, bad dates or page", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_items(
    State(state): State<AppState>,
    ValidPath(code): ValidPath<String>,
    ValidQuery(query): ValidQuery<ItemsQuery>,
) -> Result<Json<ItemsResponse>> {
    let mut errors = FieldErrors::default();
    let metric = Metric::parse(&query.metric);
    if metric.is_none() {
        errors.push(
            "metric",
            "unknown_value",
            "metric is assigned, answered, on_time, late, overdue or transferred.",
        );
    }
    let page = query.page.unwrap_or(1);
    if page == 0 || page > 100_000 {
        errors.push("page", "out_of_range", "page is 1 to 100000.");
    }
    let per_page = query.per_page.unwrap_or(50);
    if !(1..=100).contains(&per_page) {
        errors.push("per_page", "out_of_range", "per_page is 1 to 100.");
    }
    errors.into_result()?;
    let period = Period::parse(query.from.as_deref(), query.to.as_deref())?;
    let agency = supervision::agency_by_code(&state.db, &code).await?;
    let Some(metric) = metric else {
        return Err(crate::error::Error::NotFound("metric"));
    };
    let (items, total) =
        supervision::items(&state.db, &agency, metric, period, page, per_page).await?;
    Ok(Json(ItemsResponse {
        items: items
            .into_iter()
            .map(|i| ItemResponse {
                tracking_code: i.tracking_code,
                public_comment_id: i.public_comment_id,
                consultation_title: i.consultation_title,
                assigned_on: i.assigned_on,
                due_on: i.due_on,
                answered_on: i.answered_on,
                working_days: i.working_days,
            })
            .collect(),
        total,
        page,
        per_page,
    }))
}
