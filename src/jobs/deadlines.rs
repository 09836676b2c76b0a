//! The deadline job: every `deadline_check_secs`, reminds agencies of assignments due within
//! two working days and escalates those past due (see
//! [`crate::services::assignments::run_deadlines`], which makes each notice happen once even
//! across restarts and nodes), and marks the Front's critiques whose written reply is late
//! ([`crate::services::critiques::run_deadlines`]).

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::services::assignments::{run_deadlines, today_vn};

/// Runs until `shutdown`.
pub async fn run(
    db: DatabaseConnection,
    base_url: Arc<str>,
    every: Duration,
    mail_wake: Arc<Notify>,
    shutdown: CancellationToken,
) {
    loop {
        match run_deadlines(&db, today_vn(), &base_url).await {
            Ok(run) if run.reminded + run.overdue > 0 => {
                tracing::info!(
                    reminded = run.reminded,
                    overdue = run.overdue,
                    "deadline notices sent"
                );
                mail_wake.notify_one();
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "deadline job pass failed"),
        }
        match crate::services::critiques::run_deadlines(&db, today_vn()).await {
            Ok(n) if n > 0 => tracing::info!(overdue = n, "critique replies overdue"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "critique deadline pass failed"),
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(every) => {}
        }
    }
}
