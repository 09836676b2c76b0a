//! `/api/v1/.../critiques`: the Fatherland Front's critique documents, sent to the lead agency,
//! and the agency's written reply.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::Result;
use crate::http::auth::{CurrentUser, Viewer};
use crate::http::extract::{ValidJson, ValidPath};
use crate::services::critiques::{self, Critique, Draft};
use crate::state::AppState;

/// A cited comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CitedCommentResponse {
    /// Tracking code.
    pub tracking_code: String,
    /// The comment, when public.
    pub public_comment_id: Option<Uuid>,
}

/// A cited theme.
#[derive(Debug, Serialize, ToSchema)]
pub struct CitedThemeResponse {
    /// Id.
    pub id: Uuid,
    /// Label.
    pub label: String,
}

/// A critique document.
#[derive(Debug, Serialize, ToSchema)]
pub struct CritiqueResponse {
    /// Id.
    pub id: Uuid,
    /// Consultation.
    pub consultation_id: Uuid,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// `draft`, `sent` or `answered`.
    pub status: String,
    /// When sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// When the reply is due.
    pub due_on: Option<NaiveDate>,
    /// The agency's reply.
    pub reply_body: Option<String>,
    /// When it replied.
    pub replied_at: Option<DateTime<Utc>>,
    /// Whether the reply is (or was) late.
    pub late: bool,
    /// Cited comments, in the order of the text.
    pub comments: Vec<CitedCommentResponse>,
    /// Cited themes.
    pub themes: Vec<CitedThemeResponse>,
}

fn response(c: Critique) -> CritiqueResponse {
    CritiqueResponse {
        id: c.critique.id,
        consultation_id: c.critique.consultation_id,
        title: c.critique.title,
        body: c.critique.body,
        status: c.critique.status.as_str().to_owned(),
        sent_at: c.critique.sent_at,
        due_on: c.critique.due_on,
        reply_body: c.critique.reply_body,
        replied_at: c.critique.replied_at,
        late: c.late,
        comments: c
            .comments
            .into_iter()
            .map(|x| CitedCommentResponse {
                tracking_code: x.tracking_code,
                public_comment_id: x.public_comment_id,
            })
            .collect(),
        themes: c
            .themes
            .into_iter()
            .map(|(id, label)| CitedThemeResponse { id, label })
            .collect(),
    }
}

/// A draft as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    /// Title (1 to 200 characters).
    pub title: String,
    /// Text (1 to 50,000 characters); tracking codes in it are the cited comments.
    pub body: String,
    /// Themes of the consultation cited.
    #[serde(default)]
    pub theme_ids: Vec<Uuid>,
}

impl DraftRequest {
    fn draft(self) -> Draft {
        Draft {
            title: self.title,
            body: self.body,
            theme_ids: self.theme_ids,
        }
    }
}

/// A reply.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// The agency's written reply.
    pub body: String,
}

/// The critiques of a consultation the caller may read (drafts: moderators only).
#[utoipa::path(
    get, path = "/api/v1/consultations/{id}/critiques", tag = "reports",
    params(("id" = Uuid, Path, description = "Consultation id")),
    responses(
        (status = 200, description = "The critiques", body = Vec<CritiqueResponse>),
        (status = 404, description = "No such consultation", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_critiques(
    State(state): State<AppState>,
    viewer: Viewer,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Json<Vec<CritiqueResponse>>> {
    Ok(Json(
        critiques::list(&state.db, &viewer.actor(), id)
            .await?
            .into_iter()
            .map(response)
            .collect(),
    ))
}

/// Drafts a critique (moderators).
#[utoipa::path(
    post, path = "/api/v1/consultations/{id}/critiques", tag = "reports",
    params(("id" = Uuid, Path, description = "Consultation id")),
    request_body = DraftRequest,
    responses(
        (status = 201, description = "Drafted", body = CritiqueResponse),
        (status = 403, description = "Not a moderator", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or long text, unknown tracking codes or themes", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn create_critique(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<DraftRequest>,
) -> Result<(StatusCode, Json<CritiqueResponse>)> {
    let actor = user.actor();
    let created = critiques::create(&state.db, &actor, id, &body.draft()).await?;
    let full = critiques::get(&state.db, &actor, created.id).await?;
    Ok((StatusCode::CREATED, Json(response(full))))
}

/// One critique (drafts: moderators only; "not found" for anyone else).
#[utoipa::path(
    get, path = "/api/v1/critiques/{id}", tag = "reports",
    params(("id" = Uuid, Path, description = "Critique id")),
    responses(
        (status = 200, description = "The critique", body = CritiqueResponse),
        (status = 404, description = "No such critique for this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_critique(
    State(state): State<AppState>,
    viewer: Viewer,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Json<CritiqueResponse>> {
    Ok(Json(response(
        critiques::get(&state.db, &viewer.actor(), id).await?,
    )))
}

/// Changes a draft (moderators).
#[utoipa::path(
    patch, path = "/api/v1/critiques/{id}", tag = "reports",
    params(("id" = Uuid, Path, description = "Critique id")),
    request_body = DraftRequest,
    responses(
        (status = 200, description = "Changed", body = CritiqueResponse),
        (status = 403, description = "Not a moderator", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already sent (`critique_sent`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid text or citations", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn update_critique(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<DraftRequest>,
) -> Result<Json<CritiqueResponse>> {
    let actor = user.actor();
    critiques::update(&state.db, &actor, id, &body.draft()).await?;
    Ok(Json(response(critiques::get(&state.db, &actor, id).await?)))
}

/// Sends a draft to the lead agency (moderators); its reply is due in working days.
#[utoipa::path(
    post, path = "/api/v1/critiques/{id}/send", tag = "reports",
    params(("id" = Uuid, Path, description = "Critique id")),
    responses(
        (status = 200, description = "Sent", body = CritiqueResponse),
        (status = 403, description = "Not a moderator", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already sent (`critique_sent`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn send_critique(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Json<CritiqueResponse>> {
    let actor = user.actor();
    critiques::send(&state.db, &actor, id, &state.settings.answer_working_days).await?;
    Ok(Json(response(critiques::get(&state.db, &actor, id).await?)))
}

/// The lead agency's written reply (its officers), once.
#[utoipa::path(
    post, path = "/api/v1/critiques/{id}/reply", tag = "reports",
    params(("id" = Uuid, Path, description = "Critique id")),
    request_body = ReplyRequest,
    responses(
        (status = 200, description = "Replied", body = CritiqueResponse),
        (status = 403, description = "Not an officer of the lead agency", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such sent critique", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already replied (`critique_answered`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or long reply", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn reply_critique(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<ReplyRequest>,
) -> Result<Json<CritiqueResponse>> {
    let actor = user.actor();
    critiques::reply(&state.db, &actor, id, &body.body).await?;
    Ok(Json(response(critiques::get(&state.db, &actor, id).await?)))
}
