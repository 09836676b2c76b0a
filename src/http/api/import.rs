//! Bulk intake through the API: moderators upload comments keyed in from paper forms (phiếu góp
//! ý), community meetings, e-mail and the hotline, as CSV or JSON Lines.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use http::{HeaderMap, StatusCode, header};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::http::auth::Importer;
use crate::http::extract::ValidPath;
use crate::services::import::{self, Format};
use crate::state::AppState;

/// What an import created.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    /// Comments created (all rows of the file).
    pub imported: usize,
    /// Their tracking codes, in the order of the rows in the file.
    pub tracking_codes: Vec<String>,
}

/// Imports comments keyed in from paper forms, meetings, e-mail or the hotline. Every row is
/// checked first: one bad row refuses the whole file (422, each error named
/// `rows[LINE].COLUMN`) and nothing is imported.
#[utoipa::path(
    post, path = "/api/v1/consultations/{id}/comments/import", tag = "comments",
    params(("id" = Uuid, Path, description = "Consultation id (open or closed, not a draft)")),
    request_body(
        description = "CSV with a header row (UTF-8; columns body, stance, clause, author_name, organization, channel, consent) or JSON Lines with the same fields. stance: support, oppose, suggest, question or đồng ý, không đồng ý, đề xuất, câu hỏi; clause: \"Điều 5\", \"Điều 5 khoản 2\", \"5.2\" or a clause id; channel: paper_form (default), meeting, email, hotline; consent: public_named, public_anonymous (default for paper forms), private.",
        content(
            (String = "text/csv"),
            (String = "application/x-ndjson"),
        )
    ),
    responses(
        (status = 201, description = "Every row imported, pending moderation", body = ImportResponse),
        (status = 400, description = "Neither text/csv nor application/x-ndjson", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only moderators and admins import", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation, or a draft", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Rows to fix (the first 100), nothing imported", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn import_comments(
    State(state): State<AppState>,
    Importer(user): Importer,
    ValidPath(id): ValidPath<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportResponse>)> {
    let format = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(Format::from_content_type)
        .ok_or_else(|| {
            Error::bad_request(
                "unsupported_media_type",
                "Send CSV with `Content-Type: text/csv` or JSON Lines with `Content-Type: application/x-ndjson`.",
            )
        })?;
    let clerk = user.signed_in().user.id;
    let report = import::import_comments(&state.db, id, Some(clerk), format, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportResponse {
            imported: report.imported,
            tracking_codes: report.tracking_codes,
        }),
    ))
}
