//! The JSON API under `/api/v1`, described by OpenAPI 3.1 at `/api/v1/openapi.json`.

pub mod consultations;
pub mod reference;

use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

use crate::state::AppState;

/// The OpenAPI document of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "gopy API",
        description = "Public consultation and citizen feedback for Vietnamese cities. Errors are RFC 9457 problem documents with a stable `code`; times are RFC 3339 UTC; fields are snake_case.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        consultations::list_consultations,
        consultations::get_consultation,
        reference::list_units,
        reference::get_unit,
        reference::list_agencies,
        reference::list_organizations,
    ),
    components(schemas(crate::http::problem::Problem, crate::error::FieldError)),
    tags(
        (name = "consultations", description = "Draft plans, projects and policies open for comment"),
        (name = "reference", description = "Administrative units, agencies and organizations"),
    )
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn get_openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Routes of `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(get_openapi))
        .route("/consultations", get(consultations::list_consultations))
        .route("/consultations/{id}", get(consultations::get_consultation))
        .route("/units", get(reference::list_units))
        .route("/units/{code}", get(reference::get_unit))
        .route("/agencies", get(reference::list_agencies))
        .route("/organizations", get(reference::list_organizations))
}
