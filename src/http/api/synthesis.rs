//! `/api/v1/consultations/{id}/synthesis` and the themes moderators group comments under.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::Result;
use crate::http::auth::{CurrentUser, Viewer};
use crate::http::extract::{ValidJson, ValidPath};
use crate::services::synthesis::{self, Synthesis};
use crate::state::AppState;

/// A label and a count.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountResponse {
    /// What is counted (a stance code, a clause, a unit, an organization, a group ...).
    pub label: String,
    /// How many.
    pub count: u64,
}

/// Comments of a clause.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClauseCountResponse {
    /// The clause, or null for the draft as a whole.
    pub clause_id: Option<Uuid>,
    /// "Toàn bộ dự thảo", "Điều 3, khoản 2" ...
    pub label: String,
    /// Approved comments.
    pub count: u64,
}

/// Comments received on a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayCountResponse {
    /// The day, in Vietnam time.
    pub date: NaiveDate,
    /// Comments received.
    pub count: u64,
}

/// A theme.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThemeResponse {
    /// Id.
    pub id: Uuid,
    /// Label.
    pub label: String,
    /// Approved comments under it.
    pub count: u64,
}

/// A merged campaign that could become a theme.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionResponse {
    /// The campaign (`POST /api/v1/campaigns/{id}/theme` adopts it).
    pub campaign_id: Uuid,
    /// The theme's label.
    pub label: String,
    /// Approved comments in it.
    pub size: u64,
}

/// A most endorsed public comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndorsedResponse {
    /// The comment.
    pub comment_id: Uuid,
    /// Its clause.
    pub clause: String,
    /// Its published text.
    pub body: String,
    /// Endorsements.
    pub endorsements: u64,
}

/// The synthesis of a consultation.
#[derive(Debug, Serialize, ToSchema)]
pub struct SynthesisResponse {
    /// The consultation.
    pub consultation_id: Uuid,
    /// Its title.
    pub title: String,
    /// The lead agency.
    pub agency_name: String,
    /// Whether it has closed.
    pub closed: bool,
    /// Comments received (every status).
    pub received: u64,
    /// Approved.
    pub approved: u64,
    /// Waiting for moderation.
    pub pending: u64,
    /// Rejected.
    pub rejected: u64,
    /// Approved comments an agency answered.
    pub answered: u64,
    /// Approved comments by stance (`support`, `oppose`, `suggest`, `question`).
    pub by_stance: Vec<CountResponse>,
    /// By clause, in the draft's order.
    pub by_clause: Vec<ClauseCountResponse>,
    /// By unit, most first.
    pub by_unit: Vec<CountResponse>,
    /// By author kind (`resident`, `organization`).
    pub by_author_kind: Vec<CountResponse>,
    /// By organization, most first.
    pub by_organization: Vec<CountResponse>,
    /// Comments received per day.
    pub per_day: Vec<DayCountResponse>,
    /// Themes, most comments first.
    pub themes: Vec<ThemeResponse>,
    /// Suggested themes from the merged campaigns.
    pub suggestions: Vec<SuggestionResponse>,
    /// The most endorsed public comments.
    pub most_endorsed: Vec<EndorsedResponse>,
}

fn counts(items: Vec<synthesis::Count>) -> Vec<CountResponse> {
    items
        .into_iter()
        .map(|c| CountResponse {
            label: c.label,
            count: c.count,
        })
        .collect()
}

fn response(s: Synthesis) -> SynthesisResponse {
    SynthesisResponse {
        consultation_id: s.consultation_id,
        title: s.title,
        agency_name: s.agency_name,
        closed: s.closed,
        received: s.received,
        approved: s.approved,
        pending: s.pending,
        rejected: s.rejected,
        answered: s.answered,
        by_stance: s
            .by_stance
            .into_iter()
            .map(|(stance, count)| CountResponse {
                label: stance.as_str().to_owned(),
                count,
            })
            .collect(),
        by_clause: s
            .by_clause
            .into_iter()
            .map(|c| ClauseCountResponse {
                clause_id: c.clause_id,
                label: c.label,
                count: c.count,
            })
            .collect(),
        by_unit: counts(s.by_unit),
        by_author_kind: s
            .by_author_kind
            .into_iter()
            .map(|(group, count)| CountResponse {
                label: group.as_str().to_owned(),
                count,
            })
            .collect(),
        by_organization: counts(s.by_organization),
        per_day: s
            .per_day
            .into_iter()
            .map(|(date, count)| DayCountResponse { date, count })
            .collect(),
        themes: s
            .themes
            .into_iter()
            .map(|t| ThemeResponse {
                id: t.id,
                label: t.label,
                count: t.count,
            })
            .collect(),
        suggestions: s
            .suggestions
            .into_iter()
            .map(|t| SuggestionResponse {
                campaign_id: t.campaign_id,
                label: t.label,
                size: t.size,
            })
            .collect(),
        most_endorsed: s
            .most_endorsed
            .into_iter()
            .map(|e| EndorsedResponse {
                comment_id: e.comment_id,
                clause: e.clause,
                body: e.body,
                endorsements: e.endorsements,
            })
            .collect(),
    }
}

/// The synthesis of a consultation. Moderators, the lead agency's officers and admins read it at
/// any time; everyone once the consultation has closed.
#[utoipa::path(
    get, path = "/api/v1/consultations/{id}/synthesis", tag = "reports",
    params(("id" = Uuid, Path, description = "Consultation id")),
    responses(
        (status = 200, description = "The synthesis", body = SynthesisResponse),
        (status = 401, description = "The consultation is still open: sign in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not yet public, and not for this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_synthesis(
    State(state): State<AppState>,
    viewer: Viewer,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Json<SynthesisResponse>> {
    Ok(Json(response(
        synthesis::synthesis(&state.db, &viewer.actor(), id).await?,
    )))
}

/// A new theme.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTheme {
    /// Its label (1 to 120 characters), unique in the consultation.
    pub label: String,
    /// Tracking codes of approved comments to put under it.
    #[serde(default)]
    pub tracking_codes: Vec<String>,
}

/// Comments to put under a theme.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagComments {
    /// Tracking codes of approved comments of the theme's consultation.
    pub tracking_codes: Vec<String>,
}

/// A theme as created.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTheme {
    /// Id.
    pub id: Uuid,
    /// Label.
    pub label: String,
}

/// How many comments a tagging added.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagResult {
    /// Comments newly under the theme (already tagged ones are not counted twice).
    pub added: u64,
}

/// Creates a theme on a consultation (moderators).
#[utoipa::path(
    post, path = "/api/v1/consultations/{id}/themes", tag = "reports",
    params(("id" = Uuid, Path, description = "Consultation id")),
    request_body = NewTheme,
    responses(
        (status = 201, description = "Created", body = CreatedTheme),
        (status = 403, description = "Not a moderator", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A theme with this label exists (`theme_exists`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or long label, unknown tracking codes", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn create_theme(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<NewTheme>,
) -> Result<(StatusCode, Json<CreatedTheme>)> {
    let theme = synthesis::create_theme(
        &state.db,
        &user.actor(),
        id,
        &body.label,
        &body.tracking_codes,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTheme {
            id: theme.id,
            label: theme.label,
        }),
    ))
}

/// Puts more approved comments under a theme (moderators).
#[utoipa::path(
    post, path = "/api/v1/themes/{id}/comments", tag = "reports",
    params(("id" = Uuid, Path, description = "Theme id")),
    request_body = TagComments,
    responses(
        (status = 200, description = "Tagged", body = TagResult),
        (status = 403, description = "Not a moderator", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such theme", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown tracking codes", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn tag_comments(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<TagComments>,
) -> Result<Json<TagResult>> {
    let added = synthesis::add_to_theme(&state.db, &user.actor(), id, &body.tracking_codes).await?;
    Ok(Json(TagResult { added }))
}

/// Turns a merged campaign into a theme holding its approved comments (moderators).
#[utoipa::path(
    post, path = "/api/v1/campaigns/{id}/theme", tag = "reports",
    params(("id" = Uuid, Path, description = "Campaign id")),
    responses(
        (status = 201, description = "Created", body = CreatedTheme),
        (status = 403, description = "Not a moderator", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already a theme (`theme_exists`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn adopt_campaign(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<(StatusCode, Json<CreatedTheme>)> {
    let theme = synthesis::adopt_suggestion(&state.db, &user.actor(), id).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTheme {
            id: theme.id,
            label: theme.label,
        }),
    ))
}
