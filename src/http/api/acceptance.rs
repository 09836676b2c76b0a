//! `/api/v1/consultations/{id}/acceptance`: the acceptance table ("bảng tổng hợp, tiếp thu,
//! giải trình ý kiến") as JSON, its downloads (CSV, XLSX, DOCX) and its sign-offs.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::{HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};
use std::io::Seek;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{Error, FieldErrors, Result};
use crate::export::{self, Format, Meta};
use crate::http::auth::{CurrentUser, Viewer};
use crate::http::extract::{ValidPath, ValidQuery};
use crate::policy::Actor;
use crate::services::acceptance::{self, Row, SignOff, Summary, Tally};
use crate::services::now;
use crate::state::AppState;

/// Which version, and which rows.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AcceptanceQuery {
    /// A signed-off version (1, 2 ...); without it, the live table.
    pub version: Option<i32>,
    /// Page of rows, from 1.
    pub page: Option<u64>,
    /// Rows per page, 1 to 500 (default 100).
    pub per_page: Option<u64>,
}

/// A version of the downloads.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A signed-off version (1, 2 ...); without it, the live table.
    pub version: Option<i32>,
}

/// One row of the table.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowResponse {
    /// STT.
    pub number: u64,
    /// "Toàn bộ dự thảo", "Điều 3, khoản 2" ...
    pub clause: String,
    /// The organization's name, "Người dân" with the consented name, or the campaign's size.
    pub commenter: String,
    /// `organization`, `resident` or `campaign`.
    pub group: String,
    /// Tracking code (of a campaign's first comment).
    pub tracking_code: String,
    /// Comments the row stands for.
    pub comment_count: u64,
    /// Published text (a placeholder when its author did not consent to publication).
    pub content: String,
    /// `accepted`, `partially_accepted`, `not_accepted`, `explained`, or null while unanswered.
    pub disposition: Option<String>,
    /// The agency's explanation.
    pub explanation: String,
}

fn row_response(row: Row) -> RowResponse {
    RowResponse {
        number: row.number,
        clause: row.clause,
        commenter: row.commenter,
        group: row.group.as_str().to_owned(),
        tracking_code: row.tracking_code,
        comment_count: row.comment_count,
        content: row.content,
        disposition: row.disposition.map(|d| d.as_str().to_owned()),
        explanation: row.explanation,
    }
}

/// Counts of a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct TallyResponse {
    /// `organization`, `resident`, `campaign`, or `total`.
    pub group: String,
    /// Rows.
    pub rows: u64,
    /// Comments.
    pub comments: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows partially accepted.
    pub partially_accepted: u64,
    /// Rows not accepted.
    pub not_accepted: u64,
    /// Rows explained.
    pub explained: u64,
    /// Rows without a disposition.
    pub without_disposition: u64,
}

fn tally_response(group: &str, t: &Tally) -> TallyResponse {
    TallyResponse {
        group: group.to_owned(),
        rows: t.rows,
        comments: t.comments,
        accepted: t.accepted,
        partially_accepted: t.partially_accepted,
        not_accepted: t.not_accepted,
        explained: t.explained,
        without_disposition: t.without_disposition,
    }
}

/// A row still waiting for a disposition.
#[derive(Debug, Serialize, ToSchema)]
pub struct UndisposedResponse {
    /// Its STT.
    pub number: u64,
    /// Its clause.
    pub clause: String,
    /// Its tracking code.
    pub tracking_code: String,
}

/// A signed-off version.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignOffResponse {
    /// 1, 2 ...
    pub version: i32,
    /// SHA-256 (hex) of the frozen rows; also on the audit chain.
    pub content_hash: String,
    /// Rows frozen.
    pub row_count: i64,
    /// Who signed.
    pub signed_by: String,
    /// When.
    pub signed_at: DateTime<Utc>,
}

fn sign_off_response(s: SignOff) -> SignOffResponse {
    SignOffResponse {
        version: s.version,
        content_hash: s.content_hash,
        row_count: s.row_count,
        signed_by: s.signed_by,
        signed_at: s.signed_at,
    }
}

/// The table.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptanceResponse {
    /// The consultation.
    pub consultation_id: Uuid,
    /// Its title.
    pub title: String,
    /// The lead agency, which issues the table.
    pub agency_name: String,
    /// The version read, or null for the live table.
    pub sign_off: Option<SignOffResponse>,
    /// SHA-256 (hex) of the rows read.
    pub content_hash: String,
    /// Per group, then `total`.
    pub summary: Vec<TallyResponse>,
    /// Rows still without a disposition.
    pub undisposed: Vec<UndisposedResponse>,
    /// Comments still waiting for moderation (not in the table).
    pub pending_moderation: u64,
    /// The rows of the page asked for.
    pub rows: Vec<RowResponse>,
    /// Rows in all.
    pub total_rows: u64,
    /// Page number.
    pub page: u64,
    /// Rows per page.
    pub per_page: u64,
}

/// The table as read by `actor`: its summary, hash and one page of rows.
pub struct TableView {
    /// Title and version.
    pub head: acceptance::Head,
    /// Hash of all rows.
    pub hash: String,
    /// The summary.
    pub summary: Summary,
    /// The page's rows.
    pub rows: Vec<Row>,
}

/// Reads a whole table, keeping the rows of one page.
pub async fn read_table(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    version: Option<i32>,
    page: u64,
    per_page: u64,
) -> Result<TableView> {
    let (head, mut rows) = acceptance::open(&state.db, actor, id, version).await?;
    let first = (page - 1) * per_page + 1;
    let last = page * per_page;
    let mut digest = acceptance::TableDigest::new(id);
    let mut kept = Vec::new();
    loop {
        let batch = rows.next_page(&state.db).await?;
        if batch.is_empty() {
            break;
        }
        digest.add(&batch);
        kept.extend(
            batch
                .into_iter()
                .filter(|r| (first..=last).contains(&r.number)),
        );
    }
    let (hash, summary) = digest.finish();
    Ok(TableView {
        head,
        hash,
        summary,
        rows: kept,
    })
}

/// The acceptance table of a consultation: its summary, the rows without a disposition and a
/// page of rows. Moderators, the lead agency's officers and admins read it at any time; everyone
/// once the consultation has closed.
#[utoipa::path(
    get, path = "/api/v1/consultations/{id}/acceptance", tag = "reports",
    params(("id" = Uuid, Path, description = "Consultation id"), AcceptanceQuery),
    responses(
        (status = 200, description = "The table", body = AcceptanceResponse),
        (status = 401, description = "The consultation is still open: sign in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not yet public, and not for this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation or version", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Page out of range", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_acceptance(
    State(state): State<AppState>,
    viewer: Viewer,
    ValidPath(id): ValidPath<Uuid>,
    ValidQuery(query): ValidQuery<AcceptanceQuery>,
) -> Result<Json<AcceptanceResponse>> {
    let mut errors = FieldErrors::default();
    let page = query.page.unwrap_or(1);
    if page == 0 || page > 100_000 {
        errors.push("page", "out_of_range", "page is 1 to 100000.");
    }
    let per_page = query.per_page.unwrap_or(100);
    if !(1..=500).contains(&per_page) {
        errors.push("per_page", "out_of_range", "per_page is 1 to 500.");
    }
    errors.into_result()?;
    let view = read_table(&state, &viewer.actor(), id, query.version, page, per_page).await?;
    let mut summary: Vec<TallyResponse> = view
        .summary
        .by_group
        .iter()
        .map(|(g, t)| tally_response(g.as_str(), t))
        .collect();
    summary.push(tally_response("total", &view.summary.total));
    Ok(Json(AcceptanceResponse {
        consultation_id: id,
        title: view.head.title,
        agency_name: view.head.agency_name,
        sign_off: view.head.sign_off.map(sign_off_response),
        content_hash: view.hash,
        total_rows: view.summary.total.rows,
        summary,
        undisposed: view
            .summary
            .undisposed
            .into_iter()
            .map(|u| UndisposedResponse {
                number: u.number,
                clause: u.clause,
                tracking_code: u.tracking_code,
            })
            .collect(),
        pending_moderation: view.head.pending_moderation,
        rows: view.rows.into_iter().map(row_response).collect(),
        page,
        per_page,
    }))
}

/// Makes a download of the table and answers it, streamed from a temporary file.
pub async fn download(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    format: &str,
    version: Option<i32>,
) -> Result<Response> {
    let format = Format::from_extension(format).ok_or(Error::NotFound("export format"))?;
    let (head, rows) = acceptance::open(&state.db, actor, id, version).await?;
    let name = export::file_name(&head, format);
    let file = tempfile::tempfile()
        .map_err(|e| Error::Internal(anyhow::anyhow!("no temporary file for an export: {e}")))?;
    let meta = Meta {
        head,
        made_at: now(),
    };
    let (mut file, _hash) = export::write_table(&state.db, meta, rows, format, file).await?;
    let length = file
        .stream_position()
        .map_err(|e| Error::Internal(anyhow::anyhow!("export file: {e}")))?;
    file.rewind()
        .map_err(|e| Error::Internal(anyhow::anyhow!("export file: {e}")))?;
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_LENGTH, HeaderValue::from(length)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The table as a file: `csv` (UTF-8 with BOM), `xlsx` or `docx` (an official document).
#[utoipa::path(
    get, path = "/api/v1/consultations/{id}/acceptance/{format}", tag = "reports",
    params(
        ("id" = Uuid, Path, description = "Consultation id"),
        ("format" = String, Path, description = "`csv`, `xlsx` or `docx`"),
        VersionQuery,
    ),
    responses(
        (status = 200, description = "The file", content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        (status = 401, description = "The consultation is still open: sign in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not yet public, and not for this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation, version or format", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_acceptance_file(
    State(state): State<AppState>,
    viewer: Viewer,
    ValidPath((id, format)): ValidPath<(Uuid, String)>,
    ValidQuery(query): ValidQuery<VersionQuery>,
) -> Result<Response> {
    download(&state, &viewer.actor(), id, &format, query.version).await
}

/// The signed-off versions, oldest first.
#[utoipa::path(
    get, path = "/api/v1/consultations/{id}/acceptance/sign-offs", tag = "reports",
    params(("id" = Uuid, Path, description = "Consultation id")),
    responses(
        (status = 200, description = "The versions", body = Vec<SignOffResponse>),
        (status = 401, description = "The consultation is still open: sign in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not yet public, and not for this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_sign_offs(
    State(state): State<AppState>,
    viewer: Viewer,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<Json<Vec<SignOffResponse>>> {
    acceptance::readable(&state.db, &viewer.actor(), id).await?;
    Ok(Json(
        acceptance::sign_offs(&state.db, id)
            .await?
            .into_iter()
            .map(sign_off_response)
            .collect(),
    ))
}

/// Signs off the live table (officers of the lead agency, once the consultation has closed and
/// every row has a disposition): freezes it as a new version and puts its hash on the audit
/// chain.
#[utoipa::path(
    post, path = "/api/v1/consultations/{id}/acceptance/sign-offs", tag = "reports",
    params(("id" = Uuid, Path, description = "Consultation id")),
    responses(
        (status = 201, description = "The new version", body = SignOffResponse),
        (status = 403, description = "Not an officer of the lead agency", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Still open (`consultation_not_closed`), comments to moderate (`acceptance_pending_moderation`), rows without a disposition (`acceptance_incomplete`), or unchanged since the last version (`acceptance_unchanged`)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn sign_off(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<(StatusCode, Json<SignOffResponse>)> {
    let signed = acceptance::sign_off(&state.db, &user.actor(), id).await?;
    Ok((StatusCode::CREATED, Json(sign_off_response(signed))))
}
