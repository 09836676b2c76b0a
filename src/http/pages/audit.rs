//! `/audit`: what the audit chain is, how anyone can check it, and the head of each recent
//! day. The JSON equivalent is `GET /api/v1/audit/head`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::domain::time::{VIETNAM, date_vn, datetime_vn};
use crate::http::api::audit::HEAD_DAYS;
use crate::http::pages::{Layout, render};
use crate::http::problem::PageError;
use crate::services::audit;
use crate::state::AppState;

/// One row of the table of daily heads.
#[derive(Debug, Clone)]
pub struct DayRow {
    /// The day, dd/mm/yyyy.
    pub date: String,
    /// Position of its last event.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
    /// Time of that event, hh:mm:ss (Vietnam time).
    pub time: String,
}

/// The audit page.
#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    /// Layout.
    pub layout: Layout,
    /// The latest event: position, hash and time (hh:mm dd/mm/yyyy).
    pub head: Option<(i64, String, String)>,
    /// Heads of the last days, newest first.
    pub days: Vec<DayRow>,
    /// How many days the table covers.
    pub day_count: u32,
}

/// `GET /audit`.
pub async fn show_audit(
    State(state): State<AppState>,
    layout: Layout,
) -> Result<Response, PageError> {
    let head = audit::head(&state.db).await.map_err(|e| layout.fail(e))?;
    let days = audit::daily_heads(&state.db, HEAD_DAYS)
        .await
        .map_err(|e| layout.fail(e))?;
    let t = layout.t;
    Ok(render(&AuditPage {
        layout: layout.titled(t.get("audit.title")),
        head: head.map(|h| (h.seq, h.hash, datetime_vn(h.occurred_at))),
        days: days
            .into_iter()
            .map(|d| DayRow {
                date: date_vn(d.head.occurred_at),
                seq: d.head.seq,
                time: d
                    .head
                    .occurred_at
                    .with_timezone(&VIETNAM)
                    .format("%H:%M:%S")
                    .to_string(),
                hash: d.head.hash,
            })
            .collect(),
        day_count: HEAD_DAYS,
    }))
}
