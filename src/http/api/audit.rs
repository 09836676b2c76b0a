//! The audit chain's public heads: anyone may note them down and compare them later.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::audit::GENESIS_HASH;
use crate::error::Result;
use crate::services::audit::{self, ChainHead, DayHead};

/// Days of heads the API and the page show.
pub const HEAD_DAYS: u32 = 30;

/// One event of the chain, as its head.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeadResponse {
    /// Position in the chain.
    pub seq: i64,
    /// SHA-256 (hex) covering this event and, through the chain, every event before it.
    pub hash: String,
    /// When the event happened.
    pub occurred_at: DateTime<Utc>,
}

/// The last event of a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayHeadResponse {
    /// The day, in Vietnam time (UTC+7).
    pub date: NaiveDate,
    /// Position of the day's last event.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

/// The chain's current head and the head of each recent day.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditHeadResponse {
    /// The latest event; `null` while the chain is empty.
    pub head: Option<HeadResponse>,
    /// The `prev_hash` of the first event.
    pub genesis_hash: String,
    /// The last event of each of the last 30 days that had events, newest first.
    pub days: Vec<DayHeadResponse>,
}

fn head_response(head: ChainHead) -> HeadResponse {
    HeadResponse {
        seq: head.seq,
        hash: head.hash,
        occurred_at: head.occurred_at,
    }
}

fn day_response(day: DayHead) -> DayHeadResponse {
    DayHeadResponse {
        date: day.day,
        seq: day.head.seq,
        hash: day.head.hash,
        occurred_at: day.head.occurred_at,
    }
}

/// Shows the head of the audit chain and the head of each of the last 30 days.
///
/// Every state change (a comment submitted, edited, moderated; a consultation published ...)
/// appends an event whose hash covers the previous one. Noting a day's head and comparing it
/// later shows that nothing up to that event was rewritten or deleted since.
#[utoipa::path(
    get, path = "/api/v1/audit/head", tag = "audit",
    responses((status = 200, description = "The current head and the daily heads", body = AuditHeadResponse))
)]
pub async fn get_audit_head(
    State(db): State<DatabaseConnection>,
) -> Result<Json<AuditHeadResponse>> {
    let head = audit::head(&db).await?;
    let days = audit::daily_heads(&db, HEAD_DAYS).await?;
    Ok(Json(AuditHeadResponse {
        head: head.map(head_response),
        genesis_hash: GENESIS_HASH.to_owned(),
        days: days.into_iter().map(day_response).collect(),
    }))
}
