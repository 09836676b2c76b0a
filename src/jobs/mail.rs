//! Sends the mail queued in the outbox, with retries and back-off.
//!
//! Each row is claimed with a conditional `UPDATE` (no `SKIP LOCKED`, which SQLite lacks), so
//! several nodes can run the worker: the claim moves `available_at` forward by a lease, and a
//! node that crashes mid-send leaves the row to be retried when the lease ends (mail is sent at
//! least once). After sending, the body (which may hold a one-time link) is dropped from the row.

use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as ChronoDuration;
use entity::outbox;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::error::Result;
use crate::mail::Mailer;
use crate::services::now;
use crate::services::outbox::{MAIL_TOPIC, MailPayload};

/// A failed mail is retried this many times before it is given up.
pub const MAX_ATTEMPTS: i32 = 8;
const LEASE_SECS: i64 = 120;
const BATCH: u64 = 20;

/// Runs until `shutdown`: drains due mail, then waits for `wake` or a second.
pub async fn run(
    db: DatabaseConnection,
    mailer: Mailer,
    wake: Arc<Notify>,
    shutdown: CancellationToken,
) {
    loop {
        if let Err(e) = drain(&db, &mailer).await {
            tracing::warn!(error = %e, "mail worker pass failed");
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = wake.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// Sends every mail that is due now; returns how many were sent.
pub async fn drain(db: &DatabaseConnection, mailer: &Mailer) -> Result<usize> {
    let at = now();
    let due = outbox::Entity::find()
        .filter(outbox::Column::Topic.eq(MAIL_TOPIC))
        .filter(outbox::Column::ProcessedAt.is_null())
        .filter(outbox::Column::AvailableAt.lte(at))
        .order_by_asc(outbox::Column::Seq)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut sent = 0;
    for row in due {
        let claimed = outbox::Entity::update_many()
            .col_expr(
                outbox::Column::Attempts,
                Expr::col(outbox::Column::Attempts).add(1),
            )
            .col_expr(
                outbox::Column::AvailableAt,
                Expr::value(at + ChronoDuration::seconds(LEASE_SECS)),
            )
            .filter(outbox::Column::Seq.eq(row.seq))
            .filter(outbox::Column::ProcessedAt.is_null())
            .filter(outbox::Column::AvailableAt.eq(row.available_at))
            .exec(db)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            continue;
        }
        let attempts = row.attempts + 1;
        // The error says whether retrying can help.
        let outcome = match serde_json::from_value::<MailPayload>(row.payload.clone()) {
            Ok(payload) => match mailer.send(&payload.into()).await {
                Ok(()) => Ok(()),
                // A malformed address never becomes deliverable: give up at once.
                Err(crate::error::Error::Invalid(_)) => {
                    Err((true, "invalid recipient address".to_owned()))
                }
                Err(e) => Err((false, e.to_string())),
            },
            Err(e) => Err((true, format!("unreadable payload: {e}"))),
        };
        let done = now();
        let update = outbox::Entity::update_many().filter(outbox::Column::Seq.eq(row.seq));
        match outcome {
            Ok(()) => {
                update
                    .col_expr(outbox::Column::ProcessedAt, Expr::value(done))
                    .col_expr(
                        outbox::Column::Payload,
                        Expr::value(serde_json::json!({ "sent": true })),
                    )
                    .col_expr(
                        outbox::Column::LastError,
                        Expr::value(Option::<String>::None),
                    )
                    .exec(db)
                    .await?;
                sent += 1;
            }
            Err((permanent, error)) if permanent || attempts >= MAX_ATTEMPTS => {
                tracing::error!(seq = row.seq, attempts, "mail given up");
                // The body may hold a one-time link or personal data: it goes, the record stays.
                update
                    .col_expr(outbox::Column::ProcessedAt, Expr::value(done))
                    .col_expr(
                        outbox::Column::Payload,
                        Expr::value(serde_json::json!({ "given_up": true })),
                    )
                    .col_expr(
                        outbox::Column::LastError,
                        Expr::value(Some(format!("given up: {error}"))),
                    )
                    .exec(db)
                    .await?;
            }
            Err((_, error)) => {
                let backoff = ChronoDuration::seconds(30 * 2i64.pow(attempts.clamp(0, 7) as u32))
                    .min(ChronoDuration::hours(1));
                tracing::warn!(seq = row.seq, attempts, "mail not sent; will retry");
                update
                    .col_expr(outbox::Column::AvailableAt, Expr::value(done + backoff))
                    .col_expr(outbox::Column::LastError, Expr::value(Some(error)))
                    .exec(db)
                    .await?;
            }
        }
    }
    Ok(sent)
}
