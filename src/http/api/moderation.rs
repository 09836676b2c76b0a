//! Moderation through the API: the queue, one comment's review, decisions one by one or in
//! bulk, and campaigns of near-duplicates. Moderators only.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use entity::enums::{CommentStatus, Decision};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{FieldErrors, Result};
use crate::http::auth::Moderator;
use crate::http::extract::{ValidJson, ValidPath, ValidQuery};
use crate::services::moderation::{
    self, AuthorKind, DecisionRequest, GroupRef, QueueFilter, QueueItem, Redaction, StateCounts,
};
use crate::state::AppState;

/// Filters of the queue.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// `pending` (default), `edit_requested`, `approved` or `rejected`.
    pub status: Option<String>,
    /// Only this consultation.
    pub consultation_id: Option<Uuid>,
    /// Only this clause.
    pub clause_id: Option<Uuid>,
    /// Only comments about this ward or commune, or on consultations concerning it.
    pub unit_id: Option<Uuid>,
    /// A flag kind (`phone`, `citizen_id`, `email`, `bank_account`, `address`, `abuse`, `link`,
    /// `repeated_characters`, `repeated_text`), `personal_data`, `near_duplicate` or `any`.
    pub flag: Option<String>,
    /// `resident`, `organization` or `imported`.
    pub author_kind: Option<String>,
    /// Only the near-duplicate group of this comment.
    pub group_of: Option<Uuid>,
    /// Page, from 1.
    pub page: Option<u64>,
    /// Rows per page, 1 to 200 (default 50).
    pub per_page: Option<u64>,
}

/// One finding of the screening.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlagResponse {
    /// Kind.
    pub kind: String,
    /// Start, in characters of `body`.
    pub start: i32,
    /// End (exclusive), in characters of `body`.
    pub end: i32,
    /// The text found.
    pub text: String,
}

/// A comment in the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemResponse {
    /// Id.
    pub id: Uuid,
    /// Tracking code.
    pub tracking_code: String,
    /// Consultation.
    pub consultation_id: Uuid,
    /// Consultation title.
    pub consultation_title: String,
    /// Clause, if any.
    pub clause_id: Option<Uuid>,
    /// "Điều 5", "Khoản 2" ...
    pub clause_label: Option<String>,
    /// Stance.
    pub stance: String,
    /// The author's text as written.
    pub body: String,
    /// Published text, once approved.
    pub public_body: Option<String>,
    /// Publication consent.
    pub consent: String,
    /// Status.
    pub status: String,
    /// Reason code of the latest decision.
    pub status_reason: Option<String>,
    /// Who wrote it.
    pub author: String,
    /// Kind of author.
    pub author_kind: AuthorKind,
    /// How it arrived.
    pub channel: String,
    /// Submission time.
    pub created_at: DateTime<Utc>,
    /// What the screening found.
    pub flags: Vec<FlagResponse>,
    /// Its group of near-duplicates, if any.
    pub near_duplicates: Option<GroupRef>,
    /// Campaign it was merged into.
    pub campaign_id: Option<Uuid>,
}

fn item_response(item: QueueItem) -> QueueItemResponse {
    let c = item.comment;
    QueueItemResponse {
        id: c.id,
        tracking_code: c.tracking_code,
        consultation_id: c.consultation_id,
        consultation_title: item.consultation_title,
        clause_id: c.clause_id,
        clause_label: item.clause_label,
        stance: c.stance.as_str().to_owned(),
        body: c.body,
        public_body: c.public_body,
        consent: c.consent.as_str().to_owned(),
        status: c.status.as_str().to_owned(),
        status_reason: c.status_reason,
        author: item.author_label,
        author_kind: item.author_kind,
        channel: c.channel.as_str().to_owned(),
        created_at: c.created_at,
        flags: item
            .flags
            .into_iter()
            .map(|f| FlagResponse {
                kind: f.kind,
                start: f.start_char,
                end: f.end_char,
                text: f.excerpt,
            })
            .collect(),
        near_duplicates: item.group,
        campaign_id: c.campaign_id,
    }
}

/// A page of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueResponse {
    /// Rows, oldest first.
    pub items: Vec<QueueItemResponse>,
    /// Page.
    pub page: u64,
    /// Per page.
    pub per_page: u64,
    /// Rows matching the filter.
    pub total: u64,
    /// Comments per state (of the chosen consultation, or of all).
    pub counts: StateCounts,
}

/// Parses a status filter.
pub fn parse_status(value: &str) -> Option<CommentStatus> {
    match value {
        "pending" => Some(CommentStatus::Pending),
        "edit_requested" => Some(CommentStatus::EditRequested),
        "approved" => Some(CommentStatus::Approved),
        "rejected" => Some(CommentStatus::Rejected),
        _ => None,
    }
}

/// The moderation queue: pending comments oldest first, with flags and near-duplicate groups.
#[utoipa::path(
    get, path = "/api/v1/moderation/queue", tag = "moderation", params(QueueQuery),
    responses(
        (status = 200, description = "A page of the queue", body = QueueResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown filter value", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn get_queue(
    State(state): State<AppState>,
    Moderator(user): Moderator,
    ValidQuery(query): ValidQuery<QueueQuery>,
) -> Result<Json<QueueResponse>> {
    let mut errors = FieldErrors::default();
    let status = match query.status.as_deref() {
        None => None,
        Some(s) => {
            let parsed = parse_status(s);
            if parsed.is_none() {
                errors.push(
                    "status",
                    "unknown",
                    "Use pending, edit_requested, approved or rejected",
                );
            }
            parsed
        }
    };
    let author_kind = match query.author_kind.as_deref() {
        None => None,
        Some(s) => {
            let parsed = AuthorKind::parse(s);
            if parsed.is_none() {
                errors.push(
                    "author_kind",
                    "unknown",
                    "Use resident, organization or imported",
                );
            }
            parsed
        }
    };
    if let Some(flag) = query.flag.as_deref()
        && !moderation::is_known_flag(flag)
    {
        errors.push("flag", "unknown", format!("Unknown flag {flag:?}"));
    }
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(50);
    if page == 0 {
        errors.push("page", "out_of_range", "Pages are numbered from 1");
    }
    if !(1..=200).contains(&per_page) {
        errors.push("per_page", "out_of_range", "Between 1 and 200 rows a page");
    }
    errors.into_result()?;
    let filter = QueueFilter {
        status,
        consultation_id: query.consultation_id,
        clause_id: query.clause_id,
        unit_id: query.unit_id,
        flag: query.flag,
        author_kind,
        group_of: query.group_of,
    };
    let queue = moderation::queue(&state.db, &user.actor(), &filter, page, per_page).await?;
    Ok(Json(QueueResponse {
        items: queue.items.into_iter().map(item_response).collect(),
        page,
        per_page,
        total: queue.total,
        counts: queue.counts,
    }))
}

/// One earlier decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionResponse {
    /// Id.
    pub id: Uuid,
    /// `approve`, `reject`, `request_edit` or `merge`.
    pub decision: String,
    /// Rejection reason.
    pub reason_code: Option<String>,
    /// Note to the author.
    pub note: Option<String>,
    /// Who decided.
    pub moderator: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Hidden spans of the public text.
    pub redactions: Vec<Redaction>,
}

/// A comment with what a moderator needs to decide.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewResponse {
    /// The comment.
    #[serde(flatten)]
    pub comment: QueueItemResponse,
    /// Decisions so far, oldest first.
    pub decisions: Vec<DecisionResponse>,
    /// Earlier texts, oldest first.
    pub revisions: Vec<String>,
    /// Other pending comments with nearly the same text.
    pub near_duplicate_ids: Vec<Uuid>,
}

fn decision_response(
    d: entity::moderation_decisions::Model,
    moderator: String,
) -> DecisionResponse {
    DecisionResponse {
        id: d.id,
        decision: d.decision.as_str().to_owned(),
        reason_code: d.reason_code,
        note: d.note,
        moderator,
        created_at: d.created_at,
        redactions: d
            .redactions
            .and_then(|r| serde_json::from_value(r).ok())
            .unwrap_or_default(),
    }
}

/// One comment as a moderator reviews it.
#[utoipa::path(
    get, path = "/api/v1/moderation/comments/{id}", tag = "moderation",
    params(("id" = Uuid, Path, description = "Comment id")),
    responses(
        (status = 200, description = "The comment with its flags, history and near-duplicates", body = ReviewResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn get_review(
    State(state): State<AppState>,
    Moderator(user): Moderator,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Json<ReviewResponse>> {
    let review = moderation::review(&state.db, &user.actor(), id).await?;
    Ok(Json(ReviewResponse {
        comment: item_response(review.item),
        decisions: review
            .decisions
            .into_iter()
            .map(|(d, name)| decision_response(d, name))
            .collect(),
        revisions: review.revisions.into_iter().map(|r| r.body).collect(),
        near_duplicate_ids: review.group_members.into_iter().map(|(id, _)| id).collect(),
    }))
}

/// A moderator's decision.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Publish (with redactions).
    Approve,
    /// Refuse, with a reason code.
    Reject,
    /// Return to the author for an edit.
    RequestEdit,
    /// Publish and merge into a campaign of near-duplicates.
    Merge,
}

impl From<DecisionKind> for Decision {
    fn from(kind: DecisionKind) -> Self {
        match kind {
            DecisionKind::Approve => Self::Approve,
            DecisionKind::Reject => Self::Reject,
            DecisionKind::RequestEdit => Self::RequestEdit,
            DecisionKind::Merge => Self::Merge,
        }
    }
}

/// A span to hide, in characters of the comment's text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RangeBody {
    /// Start (characters).
    pub start: usize,
    /// End, exclusive (characters).
    pub end: usize,
}

/// A moderator's decision on one comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// `approve`, `reject`, `request_edit` or `merge`.
    pub decision: DecisionKind,
    /// Rejections: `off_topic`, `abusive`, `spam`, `duplicate`, `personal_data_only` or
    /// `other`.
    pub reason_code: Option<String>,
    /// Note to the author (required to reject for `other` and to ask for an edit).
    pub note: Option<String>,
    /// Approvals: more spans to hide besides the personal data found automatically (which is
    /// always hidden).
    #[serde(default)]
    pub redactions: Vec<RangeBody>,
    /// Approvals: exact pieces of text to hide wherever they occur.
    #[serde(default)]
    pub redact_texts: Vec<String>,
    /// Merges: the campaign to join; a new one is made when absent.
    pub campaign_id: Option<Uuid>,
    /// Merges: label of a new campaign.
    pub campaign_label: Option<String>,
    /// Approvals: the agencies that must answer (the first leads); omitted, the agency the
    /// routing rules propose.
    #[serde(default)]
    pub agency_ids: Vec<Uuid>,
}

/// The comment after a decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecidedResponse {
    /// Comment id.
    pub comment_id: Uuid,
    /// New status.
    pub status: String,
    /// Published text (approvals).
    pub public_body: Option<String>,
    /// The recorded decision.
    pub decision: DecisionResponse,
    /// Campaign (merges).
    pub campaign_id: Option<Uuid>,
    /// Where an approved comment was sent.
    pub assignments: Vec<AssignmentRef>,
}

/// An agency an approved comment was assigned to.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentRef {
    /// Assignment id.
    pub id: Uuid,
    /// The agency.
    pub agency_id: Uuid,
    /// Whether it leads the answer.
    pub is_lead: bool,
    /// Due date (Vietnam), counted in working days.
    pub due_on: chrono::NaiveDate,
}

/// Decides one pending comment.
#[utoipa::path(
    post, path = "/api/v1/comments/{id}/moderation", tag = "moderation", request_body = DecisionBody,
    params(("id" = Uuid, Path, description = "Comment id")),
    responses(
        (status = 200, description = "Decided; the author is told by mail", body = DecidedResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not pending any more (`not_pending`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors (missing reason or note, span out of range ...)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn decide(
    State(state): State<AppState>,
    Moderator(user): Moderator,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<DecisionBody>,
) -> Result<Json<DecidedResponse>> {
    let request = DecisionRequest {
        decision: body.decision.into(),
        reason_code: body.reason_code,
        note: body.note,
        redact_ranges: body.redactions.iter().map(|r| (r.start, r.end)).collect(),
        redact_texts: body.redact_texts,
        campaign_id: body.campaign_id,
        campaign_label: body.campaign_label,
        agency_ids: body.agency_ids,
    };
    let decided = moderation::decide(
        &state.db,
        &user.actor(),
        id,
        request,
        &state.settings.answer_working_days,
        &state.base_url,
    )
    .await?;
    state.mail_queued();
    let name = user.signed_in().user.display_name.clone();
    Ok(Json(DecidedResponse {
        comment_id: decided.comment.id,
        status: decided.comment.status.as_str().to_owned(),
        public_body: decided.comment.public_body,
        campaign_id: decided.comment.campaign_id,
        decision: decision_response(decided.decision, name),
        assignments: decided
            .assignments
            .iter()
            .map(|a| AssignmentRef {
                id: a.id,
                agency_id: a.agency_id,
                is_lead: a.is_lead,
                due_on: a.due_on,
            })
            .collect(),
    }))
}

/// One decision for many comments.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    /// The comments, at most 1,000.
    pub comment_ids: Vec<Uuid>,
    /// `approve`, `reject`, `request_edit` or `merge` (merge puts them all in one campaign).
    pub decision: DecisionKind,
    /// Rejection reason.
    pub reason_code: Option<String>,
    /// Note to the authors.
    pub note: Option<String>,
    /// Approvals: exact pieces of text to hide wherever they occur.
    #[serde(default)]
    pub redact_texts: Vec<String>,
    /// Merges: the campaign to join.
    pub campaign_id: Option<Uuid>,
    /// Merges: label of a new campaign.
    pub campaign_label: Option<String>,
    /// Approvals: the agencies that must answer (the first leads); omitted, the agency the
    /// routing rules propose.
    #[serde(default)]
    pub agency_ids: Vec<Uuid>,
}

/// A comment a bulk decision left alone.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkippedResponse {
    /// Comment id.
    pub comment_id: Uuid,
    /// `not_found` or `not_pending`.
    pub code: String,
}

/// The outcome of a bulk decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResponse {
    /// Comments decided.
    pub decided: Vec<Uuid>,
    /// Comments left alone (already decided by someone else, or unknown).
    pub skipped: Vec<SkippedResponse>,
    /// Campaign (merges).
    pub campaign_id: Option<Uuid>,
}

/// Decides many pending comments the same way, in one transaction.
#[utoipa::path(
    post, path = "/api/v1/moderation/bulk", tag = "moderation", request_body = BulkBody,
    responses(
        (status = 200, description = "Decided; comments no longer pending are skipped and listed", body = BulkResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 400, description = "A merge across consultations (`mixed_consultations`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn decide_bulk(
    State(state): State<AppState>,
    Moderator(user): Moderator,
    ValidJson(body): ValidJson<BulkBody>,
) -> Result<Json<BulkResponse>> {
    let request = DecisionRequest {
        decision: body.decision.into(),
        reason_code: body.reason_code,
        note: body.note,
        redact_ranges: Vec::new(),
        redact_texts: body.redact_texts,
        campaign_id: body.campaign_id,
        campaign_label: body.campaign_label,
        agency_ids: body.agency_ids,
    };
    let outcome = moderation::decide_many(
        &state.db,
        &user.actor(),
        &body.comment_ids,
        request,
        &state.settings.answer_working_days,
        &state.base_url,
    )
    .await?;
    state.mail_queued();
    Ok(Json(BulkResponse {
        decided: outcome.decided,
        skipped: outcome
            .skipped
            .into_iter()
            .map(|(comment_id, code)| SkippedResponse {
                comment_id,
                code: code.to_owned(),
            })
            .collect(),
        campaign_id: outcome.campaign_id,
    }))
}

/// Filter of the campaign list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CampaignQuery {
    /// Only this consultation.
    pub consultation_id: Option<Uuid>,
}

/// A merged campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignResponse {
    /// Id.
    pub id: Uuid,
    /// Consultation.
    pub consultation_id: Uuid,
    /// Label.
    pub label: Option<String>,
    /// Comments merged into it.
    pub size: u64,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// Pending comments with nearly the same text.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestedGroupResponse {
    /// The oldest member, which names the group.
    pub key: Uuid,
    /// Consultation.
    pub consultation_id: Uuid,
    /// Members, oldest first.
    pub comment_ids: Vec<Uuid>,
    /// The oldest member's text.
    pub sample: String,
}

/// Campaigns and suggested groups.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignsResponse {
    /// Merged campaigns, newest first.
    pub campaigns: Vec<CampaignResponse>,
    /// Groups of pending near-duplicates, largest first.
    pub suggested: Vec<SuggestedGroupResponse>,
}

/// Campaigns of near-duplicate comments: merged ones and those the detector suggests.
#[utoipa::path(
    get, path = "/api/v1/moderation/campaigns", tag = "moderation", params(CampaignQuery),
    responses(
        (status = 200, description = "Campaigns and suggested groups", body = CampaignsResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn list_campaigns(
    State(state): State<AppState>,
    Moderator(user): Moderator,
    ValidQuery(query): ValidQuery<CampaignQuery>,
) -> Result<Json<CampaignsResponse>> {
    let (merged, suggested) =
        moderation::campaigns(&state.db, &user.actor(), query.consultation_id).await?;
    Ok(Json(CampaignsResponse {
        campaigns: merged
            .into_iter()
            .map(|c| CampaignResponse {
                id: c.campaign.id,
                consultation_id: c.campaign.consultation_id,
                label: c.campaign.label,
                size: c.size,
                created_at: c.campaign.created_at,
            })
            .collect(),
        suggested: suggested
            .into_iter()
            .map(|g| SuggestedGroupResponse {
                key: g.key,
                consultation_id: g.consultation_id,
                comment_ids: g.comment_ids,
                sample: g.sample,
            })
            .collect(),
    }))
}
