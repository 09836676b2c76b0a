//! Assignments through the API: an agency's inbox, answers, transfers and extensions; and the
//! moderators' decisions on transfers and extensions.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{FieldErrors, Result};
use crate::http::auth::{CurrentUser, InboxOfficer, RequestDecider};
use crate::http::extract::{ValidJson, ValidPath, ValidQuery};
use crate::services::assignments::{
    self, AnswerInput, InboxItem, InboxView, RequestDecision, RequestItem,
};
use crate::state::AppState;

/// Which assignments to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// `todo` (default: open ones, most urgent first), `answered` or `all`.
    pub view: Option<String>,
    /// Page, from 1.
    pub page: Option<u64>,
    /// Per page, 1 to 100 (default 20).
    pub per_page: Option<u64>,
}

/// An answer given.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerResponse {
    /// `accepted`, `partially_accepted`, `not_accepted` or `explained`.
    pub disposition: String,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A pending transfer or extension request.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingRequestResponse {
    /// Id.
    pub id: Uuid,
    /// `transfer` or `extension`.
    pub kind: String,
    /// Why.
    pub reason: String,
}

/// One assignment of an agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentResponse {
    /// Id.
    pub id: Uuid,
    /// `open`, `answered`, `transfer_requested`, `transferred`, `closed`.
    pub status: String,
    /// Whether this agency leads the answer.
    pub is_lead: bool,
    /// Due date (Vietnam), in working days from the assignment.
    pub due_on: NaiveDate,
    /// Past due without an answer.
    pub overdue: bool,
    /// Within two working days of the due date.
    pub due_soon: bool,
    /// When it was assigned.
    pub assigned_at: DateTime<Utc>,
    /// The comment.
    pub comment_id: Uuid,
    /// Its tracking code.
    pub tracking_code: String,
    /// The consultation's title.
    pub consultation_title: String,
    /// The comment's published text (personal data hidden).
    pub body: String,
    /// Stance.
    pub stance: String,
    /// Campaign of near-duplicates.
    pub campaign_id: Option<Uuid>,
    /// Other open assignments of this agency in the same campaign.
    pub campaign_open: usize,
    /// A transfer or extension waiting for a moderator.
    pub pending_request: Option<PendingRequestResponse>,
    /// Answers given.
    pub answers: Vec<AnswerResponse>,
}

fn assignment_response(item: InboxItem) -> AssignmentResponse {
    AssignmentResponse {
        id: item.assignment.id,
        status: item.assignment.status.as_str().to_owned(),
        is_lead: item.assignment.is_lead,
        due_on: item.assignment.due_on,
        overdue: item.overdue,
        due_soon: item.due_soon,
        assigned_at: item.assignment.assigned_at,
        comment_id: item.comment.id,
        tracking_code: item.comment.tracking_code,
        consultation_title: item.consultation_title,
        body: item.comment.public_body.unwrap_or_default(),
        stance: item.comment.stance.as_str().to_owned(),
        campaign_id: item.comment.campaign_id,
        campaign_open: item.campaign_open,
        pending_request: item.pending_request.map(|r| PendingRequestResponse {
            id: r.id,
            kind: r.kind,
            reason: r.reason,
        }),
        answers: item
            .responses
            .into_iter()
            .map(|r| AnswerResponse {
                disposition: r.disposition.as_str().to_owned(),
                body: r.body,
                created_at: r.created_at,
            })
            .collect(),
    }
}

/// A page of the inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxResponse {
    /// Assignments.
    pub items: Vec<AssignmentResponse>,
    /// Page.
    pub page: u64,
    /// Per page.
    pub per_page: u64,
    /// Total.
    pub total: u64,
}

/// The inbox of the officer's agency: open assignments, most urgent first.
#[utoipa::path(
    get, path = "/api/v1/inbox", tag = "assignments", params(InboxQuery),
    responses(
        (status = 200, description = "A page of the inbox", body = InboxResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an agency officer", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown view or page out of range", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn get_inbox(
    State(state): State<AppState>,
    InboxOfficer(user): InboxOfficer,
    ValidQuery(query): ValidQuery<InboxQuery>,
) -> Result<Json<InboxResponse>> {
    let mut errors = FieldErrors::default();
    let view = match query.view.as_deref() {
        None | Some("todo") => InboxView::ToDo,
        Some("answered") => InboxView::Answered,
        Some("all") => InboxView::All,
        Some(_) => {
            errors.push("view", "unknown", "Use todo, answered or all");
            InboxView::ToDo
        }
    };
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(20);
    if page == 0 {
        errors.push("page", "out_of_range", "Pages are numbered from 1");
    }
    if !(1..=100).contains(&per_page) {
        errors.push("per_page", "out_of_range", "Between 1 and 100 a page");
    }
    errors.into_result()?;
    let (items, total) = assignments::inbox(&state.db, &user.actor(), view, page, per_page).await?;
    Ok(Json(InboxResponse {
        items: items.into_iter().map(assignment_response).collect(),
        page,
        per_page,
        total,
    }))
}

/// One assignment (officers of its agency, moderators).
#[utoipa::path(
    get, path = "/api/v1/assignments/{id}", tag = "assignments",
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses(
        (status = 200, description = "The assignment", body = AssignmentResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assignment for this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn get_assignment(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Json<AssignmentResponse>> {
    let item = assignments::get(&state.db, &user.actor(), id).await?;
    Ok(Json(assignment_response(item)))
}

/// An answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// `accepted` (tiếp thu), `partially_accepted` (tiếp thu một phần), `not_accepted`
    /// (không tiếp thu) or `explained` (giải trình).
    pub disposition: String,
    /// The answer, 10 to 10,000 characters; public on the comment page.
    pub body: String,
    /// Give the same answer to every open assignment of this agency in the comment's campaign.
    #[serde(default)]
    pub whole_campaign: bool,
}

/// The assignments answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnsweredResponse {
    /// Assignment ids.
    pub answered: Vec<Uuid>,
}

/// Answers an assignment (and, optionally, the rest of its campaign).
#[utoipa::path(
    post, path = "/api/v1/assignments/{id}/answer", tag = "assignments", request_body = AnswerBody,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses(
        (status = 200, description = "Answered; the author is told", body = AnsweredResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an agency officer", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assignment for this agency", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not open (`assignment_not_open`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn answer(
    State(state): State<AppState>,
    InboxOfficer(user): InboxOfficer,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<AnswerBody>,
) -> Result<Json<AnsweredResponse>> {
    let answered = assignments::answer(
        &state.db,
        &user.actor(),
        id,
        AnswerInput {
            disposition: body.disposition,
            body: body.body,
            whole_campaign: body.whole_campaign,
        },
        &state.base_url,
    )
    .await?;
    state.mail_queued();
    Ok(Json(AnsweredResponse { answered }))
}

/// A transfer request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// Why (e.g. "không thuộc thẩm quyền").
    pub reason: String,
    /// The agency that should answer instead, if known.
    pub target_agency_id: Option<Uuid>,
}

/// An extension request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionBody {
    /// Why.
    pub reason: String,
    /// Working days asked for, 1 to 30.
    pub extra_working_days: u32,
}

/// A transfer or extension request.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestResponse {
    /// Id.
    pub id: Uuid,
    /// Assignment.
    pub assignment_id: Uuid,
    /// `transfer` or `extension`.
    pub kind: String,
    /// `pending`, `granted` or `refused`.
    pub status: String,
    /// Why.
    pub reason: String,
    /// Transfers: the agency suggested.
    pub target_agency_id: Option<Uuid>,
    /// Extensions: working days asked for.
    pub extra_working_days: Option<i32>,
    /// When asked.
    pub requested_at: DateTime<Utc>,
    /// The moderator's note.
    pub decision_note: Option<String>,
}

fn request_response(r: entity::assignment_requests::Model) -> RequestResponse {
    RequestResponse {
        id: r.id,
        assignment_id: r.assignment_id,
        kind: r.kind,
        status: r.status,
        reason: r.reason,
        target_agency_id: r.target_agency_id,
        extra_working_days: r.extra_working_days,
        requested_at: r.requested_at,
        decision_note: r.decision_note,
    }
}

/// Asks moderators to pass the assignment to another agency.
#[utoipa::path(
    post, path = "/api/v1/assignments/{id}/transfer", tag = "assignments", request_body = TransferBody,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses(
        (status = 201, description = "Requested; moderators are told", body = RequestResponse),
        (status = 403, description = "Not an agency officer", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assignment for this agency", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not open, or a request is already waiting (`request_pending`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn transfer(
    State(state): State<AppState>,
    InboxOfficer(user): InboxOfficer,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<TransferBody>,
) -> Result<(http::StatusCode, Json<RequestResponse>)> {
    let request = assignments::request_transfer(
        &state.db,
        &user.actor(),
        id,
        &body.reason,
        body.target_agency_id,
    )
    .await?;
    Ok((http::StatusCode::CREATED, Json(request_response(request))))
}

/// Asks moderators for more working days.
#[utoipa::path(
    post, path = "/api/v1/assignments/{id}/extension", tag = "assignments", request_body = ExtensionBody,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses(
        (status = 201, description = "Requested; moderators are told", body = RequestResponse),
        (status = 403, description = "Not an agency officer", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assignment for this agency", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not open, or a request is already waiting (`request_pending`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn extension(
    State(state): State<AppState>,
    InboxOfficer(user): InboxOfficer,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<ExtensionBody>,
) -> Result<(http::StatusCode, Json<RequestResponse>)> {
    let request = assignments::request_extension(
        &state.db,
        &user.actor(),
        id,
        &body.reason,
        body.extra_working_days,
    )
    .await?;
    Ok((http::StatusCode::CREATED, Json(request_response(request))))
}

/// Which requests to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// `pending` (default), `granted` or `refused`.
    pub status: Option<String>,
}

/// A request with its context.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestItemResponse {
    /// The request.
    #[serde(flatten)]
    pub request: RequestResponse,
    /// The agency asking.
    pub agency_name: String,
    /// The agency suggested.
    pub target_agency_name: Option<String>,
    /// The comment's tracking code.
    pub tracking_code: String,
    /// The assignment's due date.
    pub due_on: NaiveDate,
}

/// Transfer and extension requests, oldest first (moderators).
#[utoipa::path(
    get, path = "/api/v1/assignment-requests", tag = "assignments", params(RequestsQuery),
    responses(
        (status = 200, description = "Requests", body = Vec<RequestItemResponse>),
        (status = 403, description = "Not a moderator", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn list_requests(
    State(state): State<AppState>,
    RequestDecider(user): RequestDecider,
    ValidQuery(query): ValidQuery<RequestsQuery>,
) -> Result<Json<Vec<RequestItemResponse>>> {
    let status = query.status.as_deref().unwrap_or(assignments::PENDING);
    if ![
        assignments::PENDING,
        assignments::GRANTED,
        assignments::REFUSED,
    ]
    .contains(&status)
    {
        let mut errors = FieldErrors::default();
        errors.push("status", "unknown", "Use pending, granted or refused");
        return Err(crate::error::Error::Invalid(errors));
    }
    let items = assignments::requests(&state.db, &user.actor(), status).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|item: RequestItem| RequestItemResponse {
                due_on: item.assignment.due_on,
                agency_name: item.agency_name,
                target_agency_name: item.target_agency_name,
                tracking_code: item.tracking_code,
                request: request_response(item.request),
            })
            .collect(),
    ))
}

/// A moderator's decision on a request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestDecisionBody {
    /// Grant (`true`) or refuse (`false`).
    pub grant: bool,
    /// Note to the agency (required to refuse).
    pub note: Option<String>,
    /// Transfers: the agency that takes over (default: the one suggested).
    pub target_agency_id: Option<Uuid>,
}

/// Grants or refuses a transfer or an extension.
#[utoipa::path(
    post, path = "/api/v1/assignment-requests/{id}/decision", tag = "assignments", request_body = RequestDecisionBody,
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, description = "Decided; the agency is told", body = RequestResponse),
        (status = 403, description = "Not a moderator", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided (`request_decided`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors (a refusal without a note, a transfer without an agency)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn decide_request(
    State(state): State<AppState>,
    RequestDecider(user): RequestDecider,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<RequestDecisionBody>,
) -> Result<Json<RequestResponse>> {
    let request = assignments::decide_request(
        &state.db,
        &user.actor(),
        id,
        RequestDecision {
            grant: body.grant,
            note: body.note,
            target_agency_id: body.target_agency_id,
        },
        &state.settings.answer_working_days,
    )
    .await?;
    Ok(Json(request_response(request)))
}
