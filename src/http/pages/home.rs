//! The home page: open consultations first, then the others.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use sea_orm::DatabaseConnection;

use crate::http::pages::{ConsultationCard, Layout, render};
use crate::http::problem::PageError;
use crate::services::{consultations, now};

/// Template of the home page.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    /// Layout.
    pub layout: Layout,
    /// Consultations open for comments, closing soonest first.
    pub open: Vec<ConsultationCard>,
    /// Closed and concluded consultations.
    pub others: Vec<ConsultationCard>,
}

/// `GET /`.
pub async fn show_home(
    State(db): State<DatabaseConnection>,
    layout: Layout,
) -> Result<Response, PageError> {
    let at = now();
    let (open, others) = consultations::home_lists(&db, at)
        .await
        .map_err(|e| layout.fail(e))?;
    let t = layout.t;
    let page = HomePage {
        layout: layout.titled(t.get("home.heading")),
        open: open
            .iter()
            .map(|s| ConsultationCard::from_summary(s, t, at))
            .collect(),
        others: others
            .iter()
            .map(|s| ConsultationCard::from_summary(s, t, at))
            .collect(),
    };
    Ok(render(&page))
}
