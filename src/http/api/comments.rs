//! Comments through the API: submit, follow by tracking code, read, endorse.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::comment::parse_stance;
use crate::error::{Error, FieldErrors, Result};
use crate::http::auth::{ClientIp, Commenter, Viewer, limit};
use crate::http::extract::{ValidJson, ValidPath, ValidQuery};
use crate::services::comment_reading::{self, CommentView, PublicComment, PublicFilter, Sort};
use crate::services::comments::{self, NewComment};
use crate::state::AppState;

/// A new comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCommentBody {
    /// Clause commented on; omit for the whole draft.
    pub clause_id: Option<Uuid>,
    /// `support`, `oppose`, `suggest` or `question`.
    pub stance: String,
    /// Text, 10 to 5,000 characters.
    pub body: String,
    /// `public_named`, `public_anonymous` or `private`.
    pub consent: String,
    /// Organization representatives: write on behalf of the organization.
    #[serde(default)]
    pub on_behalf_of_organization: bool,
    /// Ward or commune the comment is about (a pre-2025 code is placed in today's unit).
    pub unit_code: Option<String>,
    /// Place on the map: WGS 84 latitude (send with `lon`).
    pub lat: Option<f64>,
    /// Place on the map: WGS 84 longitude (send with `lat`).
    pub lon: Option<f64>,
}

/// A submitted comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedCommentResponse {
    /// Id.
    pub id: Uuid,
    /// Code to follow the comment at `/track/{code}`.
    pub tracking_code: String,
    /// `pending` until a moderator decides.
    pub status: String,
    /// Submission time.
    pub created_at: DateTime<Utc>,
    /// Hash of the submission's event in the audit chain (see `GET /api/v1/audit/head`).
    pub submission_hash: Option<String>,
}

/// Submits a comment for moderation.
#[utoipa::path(
    post, path = "/api/v1/consultations/{id}/comments", tag = "comments", request_body = CreateCommentBody,
    params(
        ("id" = Uuid, Path, description = "Consultation id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key returns the first comment"),
    ),
    responses(
        (status = 201, description = "Received (a retry with the same Idempotency-Key returns the same comment)", body = CreatedCommentResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "This account may not comment (residents and organization representatives do)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Outside the comment window (`outside_comment_window`), email not verified (`email_not_verified`), or an Idempotency-Key reused for another consultation (`idempotency_key_reused`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn create_comment(
    State(state): State<AppState>,
    Commenter(user): Commenter,
    ClientIp(ip): ClientIp,
    ValidPath(id): ValidPath<Uuid>,
    headers: HeaderMap,
    ValidJson(body): ValidJson<CreateCommentBody>,
) -> Result<Response> {
    let author = &user.signed_in().user;
    if author.email_verified_at.is_none() {
        return Err(Error::Conflict {
            code: "email_not_verified",
            detail: "Confirm your email address before commenting.".into(),
        });
    }
    limit(
        &state,
        &format!("comment:{}", author.id),
        30,
        Duration::from_secs(3600),
    )?;
    // A whole household or meeting room may share one address: a looser limit there.
    limit(
        &state,
        &format!("comment-ip:{ip}"),
        120,
        Duration::from_secs(3600),
    )?;
    let idempotency_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(ToOwned::to_owned);
    let input = NewComment {
        clause_id: body.clause_id,
        stance: body.stance,
        body: body.body,
        consent: body.consent,
        on_behalf_of_organization: body.on_behalf_of_organization,
        idempotency_key,
        unit_code: body.unit_code,
        lat: body.lat,
        lon: body.lon,
    };
    let submitted = comments::submit(&state.db, author, id, input, &state.base_url).await?;
    state.mail_queued();
    let c = &submitted.comment;
    let body = CreatedCommentResponse {
        id: c.id,
        tracking_code: c.tracking_code.clone(),
        status: c.status.as_str().to_owned(),
        created_at: c.created_at,
        submission_hash: crate::services::audit::submission_hash(&state.db, c.id).await?,
    };
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if submitted.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// One step in a comment's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackStepResponse {
    /// `submitted`, `pending`, `approved`, `rejected`, `edit_requested`.
    pub status: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A comment's status as anyone holding its code may see it (no personal data).
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackResponse {
    /// Canonical code.
    pub tracking_code: String,
    /// Consultation id.
    pub consultation_id: Uuid,
    /// Consultation title.
    pub consultation_title: String,
    /// Current status.
    pub status: String,
    /// History, oldest first.
    pub history: Vec<TrackStepResponse>,
    /// The comment's id when it is public.
    pub comment_id: Option<Uuid>,
}

/// Follows a comment by its tracking code.
#[utoipa::path(
    get, path = "/api/v1/track/{code}", tag = "comments",
    params(("code" = String, Path, description = "Tracking code, e.g. GY-7K3F-9QXMZ (case, spaces and look-alike letters are forgiven)")),
    responses(
        (status = 200, description = "Status and history", body = TrackResponse),
        (status = 404, description = "No comment has this code", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn track_comment(
    State(state): State<AppState>,
    ValidPath(code): ValidPath<String>,
) -> Result<Json<TrackResponse>> {
    let tracked = comments::track(&state.db, &code).await?;
    Ok(Json(TrackResponse {
        tracking_code: tracked.code,
        consultation_id: tracked.consultation.0,
        consultation_title: tracked.consultation.1,
        status: tracked.status.as_str().to_owned(),
        history: tracked
            .history
            .iter()
            .map(|s| TrackStepResponse {
                status: s.status.to_owned(),
                at: s.at,
            })
            .collect(),
        comment_id: tracked.public_comment_id,
    }))
}

/// Filters and order of a public comment list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListCommentsQuery {
    /// Only comments on this clause.
    pub clause_id: Option<Uuid>,
    /// Only this stance.
    pub stance: Option<String>,
    /// `newest` (default), `oldest` or `most_endorsed`.
    pub sort: Option<String>,
    /// Page, from 1.
    pub page: Option<u64>,
    /// Items per page, 1 to 100 (default 20).
    pub per_page: Option<u64>,
}

/// A published comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCommentResponse {
    /// Id.
    pub id: Uuid,
    /// Consultation.
    pub consultation_id: Uuid,
    /// Clause, if any.
    pub clause_id: Option<Uuid>,
    /// Stance.
    pub stance: String,
    /// Published text (personal data removed by moderators).
    pub body: String,
    /// Name as the author consented ("Người dân" when anonymous), or the organization's name.
    pub author: String,
    /// Whether an organization wrote it.
    pub by_organization: bool,
    /// Submission time.
    pub created_at: DateTime<Utc>,
    /// Endorsements.
    pub endorsement_count: u64,
    /// The agencies' answers, oldest first.
    pub answers: Vec<PublicAnswerResponse>,
    /// Agencies still to answer, with their due dates.
    pub awaiting: Vec<AwaitingResponse>,
}

/// An agency's public answer to a comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicAnswerResponse {
    /// The agency.
    pub agency: String,
    /// `accepted`, `partially_accepted`, `not_accepted` or `explained`.
    pub disposition: String,
    /// The answer.
    pub body: String,
    /// When.
    pub answered_at: DateTime<Utc>,
}

/// An agency that has not answered yet.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwaitingResponse {
    /// The agency.
    pub agency: String,
    /// Due date (Vietnam), counted in working days.
    pub due_on: chrono::NaiveDate,
    /// Past due.
    pub overdue: bool,
}

/// A page of published comments.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCommentList {
    /// Comments.
    pub items: Vec<PublicCommentResponse>,
    /// Page.
    pub page: u64,
    /// Per page.
    pub per_page: u64,
    /// Total.
    pub total: u64,
}

fn public_response(c: PublicComment) -> PublicCommentResponse {
    PublicCommentResponse {
        id: c.id,
        consultation_id: c.consultation_id,
        clause_id: c.clause_id,
        stance: c.stance.as_str().to_owned(),
        body: c.body,
        author: c.author,
        by_organization: c.by_organization,
        created_at: c.created_at,
        endorsement_count: c.endorsement_count,
        answers: c
            .routing
            .answers
            .into_iter()
            .map(|a| PublicAnswerResponse {
                agency: a.agency_name,
                disposition: a.disposition.as_str().to_owned(),
                body: a.body,
                answered_at: a.answered_at,
            })
            .collect(),
        awaiting: c
            .routing
            .waiting
            .into_iter()
            .map(|(agency, due_on, overdue)| AwaitingResponse {
                agency,
                due_on,
                overdue,
            })
            .collect(),
    }
}

/// Lists a consultation's published comments.
#[utoipa::path(
    get, path = "/api/v1/consultations/{id}/comments", tag = "comments",
    params(("id" = Uuid, Path, description = "Consultation id"), ListCommentsQuery),
    responses(
        (status = 200, description = "A page of published comments", body = PublicCommentList),
        (status = 400, description = "Unknown parameter", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter value", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_comments(
    State(state): State<AppState>,
    ValidPath(id): ValidPath<Uuid>,
    ValidQuery(query): ValidQuery<ListCommentsQuery>,
) -> Result<Json<PublicCommentList>> {
    let mut errors = FieldErrors::default();
    let sort = match query.sort.as_deref() {
        None => Sort::default(),
        Some(s) => Sort::parse(s).unwrap_or_else(|| {
            errors.push(
                "sort",
                "unknown_value",
                "Use newest, oldest or most_endorsed",
            );
            Sort::default()
        }),
    };
    let stance = match query.stance.as_deref() {
        None => None,
        Some(s) => parse_stance(s)
            .map_err(|code| errors.push("stance", code, "Use support, oppose, suggest or question"))
            .ok(),
    };
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(20);
    if page == 0 {
        errors.push("page", "out_of_range", "Pages are numbered from 1");
    }
    if !(1..=100).contains(&per_page) {
        errors.push("per_page", "out_of_range", "Use 1 to 100 items per page");
    }
    errors.into_result()?;
    crate::services::consultations::get_public(&state.db, id, crate::services::now()).await?;
    let filter = PublicFilter {
        clause_id: query.clause_id,
        stance,
    };
    let (items, total) =
        comment_reading::list_public(&state.db, id, &filter, sort, page, per_page).await?;
    Ok(Json(PublicCommentList {
        items: items.into_iter().map(public_response).collect(),
        page,
        per_page,
        total,
    }))
}

/// A comment as its author or a moderator sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FullCommentResponse {
    /// The public fields (text is the original, not the published one).
    #[serde(flatten)]
    pub comment: PublicCommentResponse,
    /// Tracking code.
    pub tracking_code: String,
    /// `pending`, `edit_requested`, `approved` or `rejected`.
    pub status: String,
    /// Publication consent.
    pub consent: String,
    /// Published text, once approved.
    pub public_body: Option<String>,
}

/// Shows one comment: published ones to everyone, others only to their author and moderators.
#[utoipa::path(
    get, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = Uuid, Path, description = "Comment id")),
    responses(
        (status = 200, description = "The comment (full record for its author and moderators)", body = FullCommentResponse),
        (status = 404, description = "No such comment, or not public", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Response> {
    match comment_reading::get(&state.db, id, &viewer.actor()).await? {
        CommentView::Public(c) => Ok(Json(public_response(c)).into_response()),
        CommentView::Full(c, endorsement_count) => {
            let author = crate::services::comments::public_author(&state.db, &c).await?;
            let routing = crate::services::assignments::public_routing(&state.db, &[c.id])
                .await?
                .remove(&c.id)
                .unwrap_or_default();
            Ok(Json(FullCommentResponse {
                comment: public_response(PublicComment {
                    id: c.id,
                    consultation_id: c.consultation_id,
                    clause_id: c.clause_id,
                    stance: c.stance,
                    body: c.body.clone(),
                    author,
                    by_organization: c.organization_id.is_some(),
                    created_at: c.created_at,
                    endorsement_count,
                    routing,
                }),
                tracking_code: c.tracking_code.clone(),
                status: c.status.as_str().to_owned(),
                consent: c.consent.as_str().to_owned(),
                public_body: c.public_body.clone(),
            })
            .into_response())
        }
    }
}

/// The endorsement count after endorsing.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndorsementResponse {
    /// Endorsements of the comment.
    pub endorsement_count: u64,
}

/// Agrees with a published comment ("đồng tình"); repeating it changes nothing.
#[utoipa::path(
    post, path = "/api/v1/comments/{id}/endorsements", tag = "comments",
    params(("id" = Uuid, Path, description = "Comment id")),
    responses(
        (status = 200, description = "Endorsed (once per person)", body = EndorsementResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only residents and organization representatives endorse", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such public comment", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn endorse_comment(
    State(state): State<AppState>,
    Commenter(user): Commenter,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Json<EndorsementResponse>> {
    let endorsement_count =
        comment_reading::endorse(&state.db, id, user.signed_in().user.id).await?;
    Ok(Json(EndorsementResponse { endorsement_count }))
}

/// Changes to a comment by its author.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditCommentBody {
    /// New stance.
    pub stance: Option<String>,
    /// New text, 10 to 5,000 characters.
    pub body: Option<String>,
    /// New publication consent.
    pub consent: Option<String>,
}

/// Edits one's own comment until moderation decides it; earlier versions are kept.
#[utoipa::path(
    patch, path = "/api/v1/comments/{id}", tag = "comments", request_body = EditCommentBody,
    params(("id" = Uuid, Path, description = "Comment id")),
    responses(
        (status = 200, description = "Edited; back in the moderation queue", body = CreatedCommentResponse),
        (status = 404, description = "No such comment of this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already moderated", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn edit_comment(
    State(state): State<AppState>,
    Commenter(user): Commenter,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<EditCommentBody>,
) -> Result<Json<CreatedCommentResponse>> {
    let change = comments::CommentEdit {
        stance: body.stance,
        body: body.body,
        consent: body.consent,
    };
    let c = comments::edit(&state.db, &user.signed_in().user, id, change).await?;
    Ok(Json(CreatedCommentResponse {
        id: c.id,
        submission_hash: crate::services::audit::submission_hash(&state.db, c.id).await?,
        tracking_code: c.tracking_code,
        status: c.status.as_str().to_owned(),
        created_at: c.created_at,
    }))
}
