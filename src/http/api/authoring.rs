//! Agencies writing consultations: drafts, clause trees from pasted text, publication,
//! closing and new versions.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::Result;
use crate::http::auth::Author;
use crate::http::extract::{ValidJson, ValidPath};
use crate::services::authoring::{self, DraftInput};
use crate::state::AppState;

/// A draft's fields. On `PATCH`, omitted fields keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    /// Title.
    pub title: Option<String>,
    /// Short summary.
    pub summary: Option<String>,
    /// Full text (Markdown).
    pub body: Option<String>,
    /// `general_plan`, `zoning_plan`, `detailed_plan`, `investment_project` or `policy`.
    pub kind: Option<String>,
    /// Lead agency code (officers: their own agency, the default).
    pub lead_agency: Option<String>,
    /// Codes of the units concerned.
    pub units: Option<Vec<String>>,
    /// Legal basis.
    pub legal_basis: Option<String>,
    /// Start of the comment window.
    pub opens_at: Option<DateTime<Utc>>,
    /// End of the comment window.
    pub closes_at: Option<DateTime<Utc>>,
    /// Why the window is shorter than the minimum for the kind (shown publicly).
    pub short_window_reason: Option<String>,
    /// Area concerned, as GeoJSON.
    #[schema(value_type = Option<Object>)]
    pub area_geojson: Option<serde_json::Value>,
}

impl DraftBody {
    fn apply(self, mut input: DraftInput) -> DraftInput {
        macro_rules! take {
            ($($field:ident),*) => { $(if let Some(v) = self.$field { input.$field = v; })* };
        }
        take!(
            title,
            summary,
            body,
            kind,
            units,
            legal_basis,
            opens_at,
            closes_at
        );
        if self.lead_agency.is_some() {
            input.lead_agency = self.lead_agency;
        }
        if self.short_window_reason.is_some() {
            input.short_window_reason = self.short_window_reason;
        }
        if self.area_geojson.is_some() {
            input.area_geojson = self.area_geojson;
        }
        input
    }
}

/// A consultation as its authors see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftResponse {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// `draft`, `open`, `closed` or `concluded`.
    pub status: String,
    /// Version number.
    pub version: i32,
    /// The version this one replaces.
    pub previous_version_id: Option<Uuid>,
    /// Start of the comment window.
    pub opens_at: DateTime<Utc>,
    /// End of the comment window.
    pub closes_at: DateTime<Utc>,
    /// Reason for a short window.
    pub short_window_reason: Option<String>,
    /// Publication time.
    pub published_at: Option<DateTime<Utc>>,
}

fn draft_response(c: &entity::consultations::Model) -> DraftResponse {
    DraftResponse {
        id: c.id,
        title: c.title.clone(),
        status: c.status.as_str().to_owned(),
        version: c.version,
        previous_version_id: c.previous_version_id,
        opens_at: c.opens_at,
        closes_at: c.closes_at,
        short_window_reason: c.short_window_reason.clone(),
        published_at: c.published_at,
    }
}

/// Creates a draft consultation.
#[utoipa::path(
    post, path = "/api/v1/consultations", tag = "authoring", request_body = DraftBody,
    responses(
        (status = 201, description = "Draft created", body = DraftResponse),
        (status = 403, description = "Only agency officers (for their agency) and admins", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors (a window shorter than the minimum needs a reason)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn create_consultation(
    State(state): State<AppState>,
    Author(user): Author,
    ValidJson(body): ValidJson<DraftBody>,
) -> Result<(StatusCode, Json<DraftResponse>)> {
    let input = body.apply(DraftInput::default());
    let created = authoring::create_draft(
        &state.db,
        &user.actor(),
        &input,
        &state.settings.min_comment_days,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(draft_response(&created))))
}

/// Changes a draft's fields.
#[utoipa::path(
    patch, path = "/api/v1/consultations/{id}", tag = "authoring", request_body = DraftBody,
    params(("id" = Uuid, Path, description = "Consultation id")),
    responses(
        (status = 200, description = "Draft updated", body = DraftResponse),
        (status = 404, description = "No such draft for this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Published: close it or start a new version", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn update_consultation(
    State(state): State<AppState>,
    Author(user): Author,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<DraftBody>,
) -> Result<Json<DraftResponse>> {
    let actor = user.actor();
    let current = authoring::find_editable(&state.db, &actor, id).await?;
    let input = body.apply(authoring::draft_input(&state.db, &current).await?);
    let updated = authoring::update_draft(
        &state.db,
        &actor,
        id,
        &input,
        &state.settings.min_comment_days,
    )
    .await?;
    Ok(Json(draft_response(&updated)))
}

/// Pasted text of the draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClausesBody {
    /// The draft's text; chương, mục, điều, khoản and điểm are recognised.
    pub text: String,
}

/// The recognised clause tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClauseTreeResponse {
    /// Number of clauses per level.
    pub counts: std::collections::BTreeMap<String, usize>,
    /// Clauses in document order.
    pub clauses: Vec<crate::http::api::consultations::ClauseResponse>,
}

/// Builds a draft's clause tree from its pasted text (replacing the previous tree).
#[utoipa::path(
    put, path = "/api/v1/consultations/{id}/clauses", tag = "authoring", request_body = ClausesBody,
    params(("id" = Uuid, Path, description = "Consultation id")),
    responses(
        (status = 200, description = "The recognised tree", body = ClauseTreeResponse),
        (status = 409, description = "Not a draft", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn set_clauses(
    State(state): State<AppState>,
    Author(user): Author,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<ClausesBody>,
) -> Result<Json<ClauseTreeResponse>> {
    let rows = authoring::set_clauses_from_text(&state.db, &user.actor(), id, &body.text).await?;
    let mut counts = std::collections::BTreeMap::new();
    for row in &rows {
        *counts.entry(row.level.as_str().to_owned()).or_insert(0) += 1;
    }
    let clauses = crate::http::api::consultations::clause_responses(&rows, &Default::default());
    Ok(Json(ClauseTreeResponse { counts, clauses }))
}

/// Opens a draft for comments.
#[utoipa::path(
    post, path = "/api/v1/consultations/{id}/publish", tag = "authoring",
    params(("id" = Uuid, Path, description = "Consultation id")),
    responses(
        (status = 200, description = "Published", body = DraftResponse),
        (status = 409, description = "Already published, or the window has passed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn publish_consultation(
    State(state): State<AppState>,
    Author(user): Author,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Json<DraftResponse>> {
    Ok(Json(draft_response(
        &authoring::publish(&state.db, &user.actor(), id).await?,
    )))
}

/// Ends an open consultation's comment window now.
#[utoipa::path(
    post, path = "/api/v1/consultations/{id}/close", tag = "authoring",
    params(("id" = Uuid, Path, description = "Consultation id")),
    responses(
        (status = 200, description = "Closed", body = DraftResponse),
        (status = 409, description = "Not open", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn close_consultation(
    State(state): State<AppState>,
    Author(user): Author,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Json<DraftResponse>> {
    Ok(Json(draft_response(
        &authoring::close(&state.db, &user.actor(), id).await?,
    )))
}

/// Starts a new draft version of a published consultation.
#[utoipa::path(
    post, path = "/api/v1/consultations/{id}/versions", tag = "authoring",
    params(("id" = Uuid, Path, description = "Consultation id")),
    responses(
        (status = 201, description = "New draft version", body = DraftResponse),
        (status = 409, description = "Still a draft, or a newer version exists", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn new_version(
    State(state): State<AppState>,
    Author(user): Author,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<(StatusCode, Json<DraftResponse>)> {
    let created = authoring::new_version(&state.db, &user.actor(), id).await?;
    Ok((StatusCode::CREATED, Json(draft_response(&created))))
}

/// Deletes a draft (published consultations are closed, never deleted).
#[utoipa::path(
    delete, path = "/api/v1/consultations/{id}", tag = "authoring",
    params(("id" = Uuid, Path, description = "Consultation id")),
    responses(
        (status = 204, description = "Draft deleted"),
        (status = 409, description = "Published consultations cannot be deleted", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn delete_consultation(
    State(state): State<AppState>,
    Author(user): Author,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<StatusCode> {
    authoring::delete_draft(&state.db, &user.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Corrections to one recognised clause.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClauseEditBody {
    /// Number as printed.
    pub number: Option<String>,
    /// Heading (empty removes it).
    pub heading: Option<String>,
    /// Text.
    pub body: Option<String>,
}

/// Corrects one clause of a draft.
#[utoipa::path(
    patch, path = "/api/v1/consultations/{id}/clauses/{clause_id}", tag = "authoring", request_body = ClauseEditBody,
    params(("id" = Uuid, Path, description = "Consultation id"), ("clause_id" = Uuid, Path, description = "Clause id")),
    responses(
        (status = 200, description = "Corrected", body = crate::http::api::consultations::ClauseResponse),
        (status = 404, description = "No such clause in this draft", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn edit_clause(
    State(state): State<AppState>,
    Author(user): Author,
    ValidPath((id, clause_id)): ValidPath<(Uuid, Uuid)>,
    ValidJson(body): ValidJson<ClauseEditBody>,
) -> Result<Json<crate::http::api::consultations::ClauseResponse>> {
    let edit = authoring::ClauseEdit {
        number: body.number,
        heading: body.heading,
        body: body.body,
    };
    let clause = authoring::edit_clause(&state.db, &user.actor(), id, clause_id, edit).await?;
    let mut responses =
        crate::http::api::consultations::clause_responses(&[clause], &Default::default());
    responses
        .pop()
        .map(Json)
        .ok_or(crate::error::Error::NotFound("clause"))
}

/// Removes a clause and the clauses under it from a draft.
#[utoipa::path(
    delete, path = "/api/v1/consultations/{id}/clauses/{clause_id}", tag = "authoring",
    params(("id" = Uuid, Path, description = "Consultation id"), ("clause_id" = Uuid, Path, description = "Clause id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such clause in this draft", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn delete_clause(
    State(state): State<AppState>,
    Author(user): Author,
    ValidPath((id, clause_id)): ValidPath<(Uuid, Uuid)>,
) -> Result<StatusCode> {
    authoring::delete_clause(&state.db, &user.actor(), id, clause_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
