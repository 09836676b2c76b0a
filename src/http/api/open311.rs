//! `/open311/v2`: a read-only Open311 GeoReport v2 endpoint (JSON only). Services are the
//! published consultations, service requests the published comments; see
//! `services::open311`. Bad filters answer 400 with a problem document.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::http::extract::{ValidPath, ValidQuery};
use crate::services::open311::{self, RequestFilter, ServiceRequest};
use crate::state::AppState;

/// Requests per page unless asked otherwise.
pub const DEFAULT_PAGE_SIZE: u64 = 50;
/// Most requests per page.
pub const MAX_PAGE_SIZE: u64 = 100;

/// A service: one published consultation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Service {
    /// The consultation's id.
    pub service_code: String,
    /// Its title.
    pub service_name: String,
    /// Its summary.
    pub description: String,
    /// Always false: no extra attributes.
    pub metadata: bool,
    /// Always `realtime`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind code and the status, comma separated.
    pub keywords: String,
    /// The kind of consultation, in Vietnamese.
    pub group: String,
}

/// A service request: one published comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Request {
    /// The tracking code.
    pub service_request_id: String,
    /// `open` (no answer yet) or `closed` (answered).
    pub status: String,
    /// The latest answer.
    pub status_notes: Option<String>,
    /// The consultation's title.
    pub service_name: String,
    /// The consultation's id.
    pub service_code: String,
    /// The published text.
    pub description: String,
    /// The agencies it is assigned to.
    pub agency_responsible: String,
    /// Submission time.
    pub requested_datetime: DateTime<Utc>,
    /// Last change or answer.
    pub updated_datetime: DateTime<Utc>,
    /// The administrative unit, if any.
    pub address: Option<String>,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    #[serde(rename = "long")]
    pub lon: Option<f64>,
    /// The comment's public page.
    pub media_url: Option<String>,
}

/// The Vietnamese label of a consultation kind.
pub fn kind_vi(kind: &str) -> &'static str {
    match kind {
        "general_plan" => "Quy hoạch chung",
        "zoning_plan" => "Quy hoạch phân khu",
        "detailed_plan" => "Quy hoạch chi tiết",
        "investment_project" => "Dự án đầu tư công",
        _ => "Chính sách, văn bản quy phạm pháp luật",
    }
}

/// The published consultations as Open311 services.
#[utoipa::path(
    get, path = "/open311/v2/services.json", tag = "open-data",
    responses((status = 200, description = "The services", body = Vec<Service>))
)]
pub async fn list_services(State(state): State<AppState>) -> Result<Json<Vec<Service>>> {
    Ok(Json(
        open311::services(&state.db)
            .await?
            .into_iter()
            .map(|c| Service {
                service_code: c.id.to_string(),
                service_name: c.title,
                description: c.summary,
                metadata: false,
                kind: "realtime".to_owned(),
                keywords: format!("{},{}", c.kind, c.status),
                group: kind_vi(c.kind).to_owned(),
            })
            .collect(),
    ))
}

/// Open311 filters, as typed (other Open311 parameters such as `jurisdiction_id` are ignored).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// A consultation id.
    pub service_code: Option<String>,
    /// Submitted at or after (RFC 3339).
    pub start_date: Option<String>,
    /// Submitted at or before (RFC 3339).
    pub end_date: Option<String>,
    /// `open`, `closed`, or both comma separated.
    pub status: Option<String>,
    /// Page, from 1.
    pub page: Option<String>,
    /// Requests per page, 1 to 100 (default 50).
    pub page_size: Option<String>,
}

fn bad(code: &'static str, detail: &str) -> Error {
    Error::bad_request(code, detail)
}

fn date(value: Option<&str>, name: &'static str) -> Result<Option<DateTime<Utc>>> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|d| d.with_timezone(&Utc))
                .map_err(|_| {
                    bad(
                        name,
                        "Dates are RFC 3339 date-times, e.g. 2026-01-31T00:00:00Z.",
                    )
                })
        })
        .transpose()
}

fn number(value: Option<&str>, default: u64, max: u64, code: &'static str) -> Result<u64> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| bad(code, &format!("A whole number from 1 to {max}."))),
    }
}

/// Reads the filters; anything malformed is a 400.
pub fn parse_filter(query: &RequestsQuery) -> Result<(RequestFilter, u64, u64)> {
    let service_code = query
        .service_code
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| {
            Uuid::parse_str(v).map_err(|_| {
                bad(
                    "invalid_service_code",
                    "service_code is a consultation id from services.json.",
                )
            })
        })
        .transpose()?;
    let start = date(query.start_date.as_deref(), "invalid_start_date")?;
    let end = date(query.end_date.as_deref(), "invalid_end_date")?;
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        return Err(bad("invalid_date_range", "start_date is after end_date."));
    }
    let closed = match query.status.as_deref().filter(|v| !v.is_empty()) {
        None => None,
        Some(list) => {
            let (mut open, mut closed) = (false, false);
            for s in list.split(',') {
                match s.trim() {
                    "open" => open = true,
                    "closed" => closed = true,
                    _ => return Err(bad("invalid_status", "status is open, closed, or both.")),
                }
            }
            if open && closed { None } else { Some(closed) }
        }
    };
    let page = number(query.page.as_deref(), 1, 100_000, "invalid_page")?;
    let page_size = number(
        query.page_size.as_deref(),
        DEFAULT_PAGE_SIZE,
        MAX_PAGE_SIZE,
        "invalid_page_size",
    )?;
    Ok((
        RequestFilter {
            service_code,
            start,
            end,
            closed,
            tracking_code: None,
        },
        page,
        page_size,
    ))
}

fn request_of(base_url: &str, r: ServiceRequest) -> Request {
    Request {
        service_request_id: r.tracking_code,
        status: if r.closed { "closed" } else { "open" }.to_owned(),
        status_notes: r.status_notes,
        service_name: r.service_name,
        service_code: r.service_code.to_string(),
        description: r.description,
        agency_responsible: r.agency_responsible,
        requested_datetime: r.requested,
        updated_datetime: r.updated,
        address: r.address,
        lat: r.lat,
        lon: r.lon,
        media_url: Some(format!(
            "{}/comments/{}",
            base_url.trim_end_matches('/'),
            r.comment_id
        )),
    }
}

/// The published comments as Open311 service requests, newest first.
#[utoipa::path(
    get, path = "/open311/v2/requests.json", tag = "open-data",
    params(RequestsQuery),
    responses(
        (status = 200, description = "A page of requests", body = Vec<Request>),
        (status = 400, description = "A malformed filter", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_requests(
    State(state): State<AppState>,
    ValidQuery(query): ValidQuery<RequestsQuery>,
) -> Result<Json<Vec<Request>>> {
    let (filter, page, page_size) = parse_filter(&query)?;
    let rows = open311::requests(&state.db, &filter, page, page_size).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| request_of(&state.base_url, r))
            .collect(),
    ))
}

/// One request by tracking code (`/open311/v2/requests/{code}.json`), as a one-item list.
#[utoipa::path(
    get, path = "/open311/v2/requests/{id}", tag = "open-data",
    params(("id" = String, Path, description = "The tracking code followed by `.json`")),
    responses(
        (status = 200, description = "The request", body = Vec<Request>),
        (status = 404, description = "No such public comment", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_request(
    State(state): State<AppState>,
    ValidPath(id): ValidPath<String>,
) -> Result<Json<Vec<Request>>> {
    let code = id
        .strip_suffix(".json")
        .filter(|c| !c.is_empty())
        .ok_or(Error::NotFound("service request"))?;
    let filter = RequestFilter {
        tracking_code: Some(code.to_owned()),
        ..RequestFilter::default()
    };
    let rows = open311::requests(&state.db, &filter, 1, 1).await?;
    if rows.is_empty() {
        return Err(Error::NotFound("service request"));
    }
    Ok(Json(
        rows.into_iter()
            .map(|r| request_of(&state.base_url, r))
            .collect(),
    ))
}
