//! Shared application state handed to every handler.

use std::sync::Arc;

use axum::extract::FromRef;
use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::http::metrics::Metrics;
use crate::mail::Mailer;
use crate::search::SearchIndex;
use crate::services::limits::Limiter;
use crate::storage::Storage;

/// Everything handlers share; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Database connection pool.
    pub db: DatabaseConnection,
    /// Resolved settings.
    pub settings: Arc<Settings>,
    /// Search index of this node.
    pub search: SearchIndex,
    /// Request metrics.
    pub metrics: Arc<Metrics>,
    /// Rate limits and sign-in lockout of this node.
    pub limiter: Arc<Limiter>,
    /// Outgoing mail.
    pub mailer: Mailer,
    /// Wakes the mail worker when mail is queued.
    pub mail_wake: Arc<tokio::sync::Notify>,
    /// Base URL for links in mail, without a trailing slash.
    pub base_url: Arc<str>,
    /// Uploaded files (local directory or S3-compatible object store).
    pub storage: Storage,
}

impl AppState {
    /// Tells the mail worker that mail was queued (it also looks every second).
    pub fn mail_queued(&self) {
        self.mail_wake.notify_one();
    }
}

impl FromRef<AppState> for DatabaseConnection {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

impl FromRef<AppState> for Arc<Settings> {
    fn from_ref(state: &AppState) -> Self {
        state.settings.clone()
    }
}
