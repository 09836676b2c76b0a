//! `/consultations/{id}/acceptance`: the acceptance table ("bảng tổng hợp, tiếp thu, giải trình
//! ý kiến") of a consultation: the summary by group and disposition, the rows still without a
//! disposition, the signed-off versions with their hashes, a page of rows, the downloads, and
//! for officers of the lead agency the sign-off button. The JSON equivalent is
//! `http::api::acceptance`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use entity::enums::ConsultationStatus;

use crate::error::Error;
use crate::http::api::acceptance::{download, read_table};
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::{AccountHolder, PageViewer};
use crate::http::pages::forms::NoFields;
use crate::http::pages::{Layout, render, render_status};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::policy::{Action, Actor};
use crate::services::acceptance::{self, Group, Tally, Undisposed};
use crate::state::AppState;

/// Rows per page.
const PER_PAGE: u64 = 100;
/// Rows without a disposition listed on the page (the downloads list them all).
const UNDISPOSED_SHOWN: usize = 200;

/// `?version=&page=`, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct TableQuery {
    /// A signed-off version.
    #[serde(default)]
    pub version: String,
    /// Page of rows.
    #[serde(default)]
    pub page: String,
}

/// A row as the page shows it.
#[derive(Debug, Clone)]
pub struct RowView {
    /// STT.
    pub number: u64,
    /// Clause.
    pub clause: String,
    /// Who commented.
    pub commenter: String,
    /// Tracking code.
    pub tracking_code: String,
    /// Comments behind the row (more than 1 for a campaign).
    pub comment_count: u64,
    /// Published text.
    pub content: String,
    /// `accepted` ..., or `none`.
    pub disposition_code: &'static str,
    /// Its label.
    pub disposition: &'static str,
    /// The explanation.
    pub explanation: String,
}

/// A line of the summary.
#[derive(Debug, Clone)]
pub struct TallyView {
    /// Group label.
    pub label: &'static str,
    /// Its counts.
    pub tally: Tally,
}

/// A signed-off version in the list.
#[derive(Debug, Clone)]
pub struct VersionView {
    /// Its number.
    pub version: i32,
    /// dd/mm/yyyy hh:mm.
    pub signed_at: String,
    /// Who signed.
    pub signed_by: String,
    /// Its hash.
    pub content_hash: String,
    /// Rows.
    pub row_count: i64,
}

/// A download link.
#[derive(Debug, Clone)]
pub struct DownloadLink {
    /// URL.
    pub href: String,
    /// Label.
    pub label: &'static str,
    /// `docx`, `xlsx`, `csv`.
    pub format: &'static str,
}

/// The page.
#[derive(Template)]
#[template(path = "acceptance.html")]
pub struct AcceptancePage {
    /// Layout.
    pub layout: Layout,
    /// The consultation.
    pub consultation_id: Uuid,
    /// Its title.
    pub title: String,
    /// The lead agency.
    pub agency_name: String,
    /// The version shown, or `None` for the live table.
    pub version: Option<i32>,
    /// Signed-off versions.
    pub versions: Vec<VersionView>,
    /// For the live table with a signed version: whether it changed since.
    pub changed_since_sign_off: Option<bool>,
    /// Hash of the rows shown.
    pub content_hash: String,
    /// Summary lines.
    pub summary: Vec<TallyView>,
    /// All groups.
    pub total: Tally,
    /// Comments waiting for moderation.
    pub pending_moderation: u64,
    /// Rows without a disposition (the first ones).
    pub undisposed: Vec<Undisposed>,
    /// How many in all.
    pub undisposed_count: usize,
    /// This page's rows.
    pub rows: Vec<RowView>,
    /// Page number.
    pub page: u64,
    /// Pages.
    pub pages: u64,
    /// Link to the previous page.
    pub prev_href: Option<String>,
    /// Link to the next page.
    pub next_href: Option<String>,
    /// Downloads of the version shown.
    pub downloads: Vec<DownloadLink>,
    /// Whether the viewer may sign the live table off now.
    pub can_sign_off: bool,
    /// Why the last sign-off was refused.
    pub error: Option<String>,
}

fn parse_id(id: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(id).map_err(|_| Error::NotFound("consultation"))
}

fn parse_version(value: &str) -> Result<Option<i32>, Error> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    value
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|v| *v >= 1)
        .map(Some)
        .ok_or(Error::NotFound("acceptance table version"))
}

fn disposition_code(d: Option<entity::enums::Disposition>) -> &'static str {
    d.map_or("none", |d| d.as_str())
}

fn disposition_label(t: Tr, d: Option<entity::enums::Disposition>) -> &'static str {
    match d {
        Some(d) => t.get(&format!("disposition.{}", d.as_str())),
        None => t.get("acceptance.no_disposition"),
    }
}

fn group_label(t: Tr, g: Group) -> &'static str {
    t.get(&format!("acceptance.group.{}", g.as_str()))
}

async fn page(
    state: &AppState,
    layout: Layout,
    actor: &Actor,
    id: Uuid,
    version: Option<i32>,
    page: u64,
    error: Option<String>,
) -> Result<AcceptancePage, PageError> {
    let t = layout.t;
    let view = read_table(state, actor, id, version, page, PER_PAGE)
        .await
        .map_err(|e| layout.fail(e))?;
    let versions = acceptance::sign_offs(&state.db, id)
        .await
        .map_err(|e| layout.fail(e))?;
    let changed_since_sign_off = match (version, versions.last()) {
        (None, Some(latest)) => Some(latest.content_hash != view.hash),
        _ => None,
    };
    let can_sign_off = version.is_none()
        && matches!(
            view.head.status,
            ConsultationStatus::Closed | ConsultationStatus::Concluded
        )
        && actor.can(&Action::SignOffAcceptance {
            lead_agency_id: view.head.lead_agency_id,
        });
    let total_rows = view.summary.total.rows;
    let pages = total_rows.div_ceil(PER_PAGE).max(1);
    let query = |p: u64| match version {
        Some(v) => format!("/consultations/{id}/acceptance?version={v}&page={p}"),
        None => format!("/consultations/{id}/acceptance?page={p}"),
    };
    let suffix = version.map_or_else(String::new, |v| format!("?version={v}"));
    let downloads = [
        ("docx", "acceptance.download_docx"),
        ("xlsx", "acceptance.download_xlsx"),
        ("csv", "acceptance.download_csv"),
    ]
    .into_iter()
    .map(|(format, key)| DownloadLink {
        href: format!("/consultations/{id}/acceptance/{format}{suffix}"),
        label: t.get(key),
        format,
    })
    .collect();
    let undisposed_count = view.summary.undisposed.len();
    let mut undisposed = view.summary.undisposed;
    undisposed.truncate(UNDISPOSED_SHOWN);
    let title = format!("{} · {}", t.get("acceptance.title"), view.head.title);
    Ok(AcceptancePage {
        layout: layout.titled(title),
        consultation_id: id,
        title: view.head.title,
        agency_name: view.head.agency_name,
        version,
        versions: versions
            .into_iter()
            .map(|s| VersionView {
                version: s.version,
                signed_at: crate::domain::time::datetime_vn(s.signed_at),
                signed_by: s.signed_by,
                content_hash: s.content_hash,
                row_count: s.row_count,
            })
            .collect(),
        changed_since_sign_off,
        content_hash: view.hash,
        summary: view
            .summary
            .by_group
            .iter()
            .map(|(g, tally)| TallyView {
                label: group_label(t, *g),
                tally: tally.clone(),
            })
            .collect(),
        total: view.summary.total,
        pending_moderation: view.head.pending_moderation,
        undisposed,
        undisposed_count,
        rows: view
            .rows
            .into_iter()
            .map(|r| RowView {
                number: r.number,
                clause: r.clause,
                commenter: r.commenter,
                tracking_code: r.tracking_code,
                comment_count: r.comment_count,
                content: r.content,
                disposition_code: disposition_code(r.disposition),
                disposition: disposition_label(t, r.disposition),
                explanation: r.explanation,
            })
            .collect(),
        page,
        pages,
        prev_href: (page > 1).then(|| query(page - 1)),
        next_href: (page < pages).then(|| query(page + 1)),
        downloads,
        can_sign_off,
        error,
    })
}

/// `GET /consultations/{id}/acceptance?version=&page=`.
pub async fn show_acceptance(
    State(state): State<AppState>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    Path(id): Path<String>,
    Query(query): Query<TableQuery>,
) -> Result<Response, PageError> {
    let id = parse_id(&id).map_err(|e| layout.fail(e))?;
    let version = parse_version(&query.version).map_err(|e| layout.fail(e))?;
    let number = match query.page.trim() {
        "" => 1,
        value => value
            .parse::<u64>()
            .ok()
            .filter(|p| (1..=100_000).contains(p))
            .ok_or_else(|| layout.fail(Error::NotFound("page")))?,
    };
    let actor = viewer.actor();
    Ok(render(
        &page(&state, layout, &actor, id, version, number, None).await?,
    ))
}

/// `GET /consultations/{id}/acceptance/{format}?version=`: a download (`docx`, `xlsx`, `csv`).
pub async fn download_acceptance(
    State(state): State<AppState>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    Path((id, format)): Path<(String, String)>,
    Query(query): Query<TableQuery>,
) -> Result<Response, PageError> {
    let id = parse_id(&id).map_err(|e| layout.fail(e))?;
    let version = parse_version(&query.version).map_err(|e| layout.fail(e))?;
    download(&state, &viewer.actor(), id, &format, version)
        .await
        .map_err(|e| layout.fail(e))
}

/// `POST /consultations/{id}/acceptance/sign-off`: freezes the live table as a new version,
/// or shows the page again with the reason it cannot be yet.
pub async fn sign_off(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(signed_in): AccountHolder,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id = parse_id(&id).map_err(|e| layout.fail(e))?;
    let actor = signed_in.actor();
    match acceptance::sign_off(&state.db, &actor, id).await {
        Ok(signed) => Ok(see_other(&format!(
            "/consultations/{id}/acceptance?version={}&notice=acceptance_signed",
            signed.version
        ))),
        Err(Error::Conflict { code, .. }) => {
            let message = layout
                .t
                .get(&format!("acceptance.refused.{code}"))
                .to_owned();
            let view = page(&state, layout, &actor, id, None, 1, Some(message)).await?;
            Ok(render_status(StatusCode::CONFLICT, &view))
        }
        Err(e) => Err(layout.fail(e)),
    }
}
