//! `/account/notifications`: the signed-in account's notifications, newest first, opened
//! through a button that marks each read before following its link. The JSON equivalent is
//! `http::api::notifications`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::Error;
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::AccountHolder;
use crate::http::pages::forms::NoFields;
use crate::http::pages::{Layout, datetime_vn, is_local_path, render};
use crate::http::problem::PageError;
use crate::services::notifications;
use crate::state::AppState;

/// Notifications per page.
pub const PER_PAGE: u64 = 20;

/// Where a notification whose link leaves the site sends its reader instead.
const LIST: &str = "/account/notifications";

/// `?page=` of the list; a malformed value is the first page.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// Page number, from 1.
    #[serde(default)]
    pub page: String,
}

/// One notification in the list.
#[derive(Debug, Clone)]
pub struct NotificationRow {
    /// Id, for the open button.
    pub id: String,
    /// Text.
    pub title: String,
    /// When, in Vietnam time.
    pub at: String,
    /// Whether it is still unread.
    pub unread: bool,
}

/// The list of notifications.
#[derive(Template)]
#[template(path = "notifications.html")]
pub struct NotificationsPage {
    /// Layout.
    pub layout: Layout,
    /// This page's notifications.
    pub rows: Vec<NotificationRow>,
    /// Unread notifications in all.
    pub unread: u64,
    /// This page's number.
    pub page: u64,
    /// Number of pages (at least 1).
    pub pages: u64,
    /// Link to the previous page.
    pub prev_href: Option<String>,
    /// Link to the next page.
    pub next_href: Option<String>,
}

/// `GET /account/notifications?page=`.
pub async fn show_notifications(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(holder): AccountHolder,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let page = query
        .page
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let (items, total) = notifications::list(&state.db, holder.user.id, page, PER_PAGE)
        .await
        .map_err(|e| layout.fail(e))?;
    let unread = layout.account.as_ref().map_or(0, |a| a.unread);
    let pages = total.div_ceil(PER_PAGE).max(1);
    let t = layout.t;
    let href = |p: u64| format!("{LIST}?page={p}");
    Ok(render(&NotificationsPage {
        layout: layout.titled(t.get("notifications.title")),
        rows: items
            .into_iter()
            .map(|n| NotificationRow {
                id: n.id.to_string(),
                title: n.title,
                at: datetime_vn(n.created_at),
                unread: n.read_at.is_none(),
            })
            .collect(),
        unread,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page.min(pages + 1) - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
    }))
}

/// `POST /account/notifications/{id}/open`: marks the notification read and follows its link
/// (a path on this site; anything else leads back to the list).
pub async fn open_notification(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(holder): AccountHolder,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| layout.fail(Error::NotFound("notification")))?;
    let link = notifications::open(&state.db, holder.user.id, id)
        .await
        .map_err(|e| layout.fail(e))?;
    let target = if is_local_path(&link) { &link } else { LIST };
    Ok(see_other(target))
}

/// `POST /account/notifications/read`: marks every notification read.
pub async fn mark_all_read(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(holder): AccountHolder,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    notifications::mark_read(&state.db, holder.user.id, None)
        .await
        .map_err(|e| layout.fail(e))?;
    Ok(see_other(
        "/account/notifications?notice=notifications_read",
    ))
}
