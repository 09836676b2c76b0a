//! Shared application state handed to every handler.

use std::sync::Arc;

use axum::extract::FromRef;
use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::http::metrics::Metrics;
use crate::search::SearchIndex;

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
