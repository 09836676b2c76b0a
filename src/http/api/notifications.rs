//! `/api/v1/notifications`: the signed-in account's notifications (the bell), and marking
//! them read.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use entity::notifications as rows;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{FieldErrors, Result};
use crate::http::auth::CurrentUser;
use crate::http::extract::{ValidJson, ValidQuery};
use crate::services::notifications;
use crate::state::AppState;

/// Which page.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationsQuery {
    /// Page, from 1.
    pub page: Option<u64>,
    /// Items per page, 1 to 100 (default 20).
    pub per_page: Option<u64>,
}

/// One notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationResponse {
    /// Id.
    pub id: Uuid,
    /// What it is about (`comment_decided`, `assignment_due` ...).
    pub kind: String,
    /// Text shown.
    pub title: String,
    /// Where it leads (a path on this site).
    pub link: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it was read; `null` while unread.
    pub read_at: Option<DateTime<Utc>>,
}

fn notification_response(n: rows::Model) -> NotificationResponse {
    NotificationResponse {
        id: n.id,
        kind: n.kind,
        title: n.title,
        link: n.link,
        created_at: n.created_at,
        read_at: n.read_at,
    }
}

/// A page of notifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    /// Newest first.
    pub items: Vec<NotificationResponse>,
    /// Page.
    pub page: u64,
    /// Per page.
    pub per_page: u64,
    /// All notifications of the account.
    pub total: u64,
    /// Unread ones.
    pub unread: u64,
}

/// What to mark read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadBody {
    /// One notification; leave out to mark all read.
    pub id: Option<Uuid>,
}

/// The outcome of marking read.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkReadResponse {
    /// Notifications that were unread and are now read.
    pub marked: u64,
    /// Unread ones left.
    pub unread: u64,
}

/// The signed-in account's notifications, newest first, with the unread count.
#[utoipa::path(
    get, path = "/api/v1/notifications", tag = "account", params(NotificationsQuery),
    responses(
        (status = 200, description = "A page of notifications", body = NotificationList),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Page out of range", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn list_notifications(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidQuery(query): ValidQuery<NotificationsQuery>,
) -> Result<Json<NotificationList>> {
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(20);
    let mut errors = FieldErrors::default();
    if page == 0 {
        errors.push("page", "out_of_range", "Pages are numbered from 1");
    }
    if !(1..=100).contains(&per_page) {
        errors.push("per_page", "out_of_range", "Between 1 and 100 items a page");
    }
    errors.into_result()?;
    let user_id = user.signed_in().user.id;
    let (items, total) = notifications::list(&state.db, user_id, page, per_page).await?;
    let unread = notifications::unread_count(&state.db, user_id).await?;
    Ok(Json(NotificationList {
        items: items.into_iter().map(notification_response).collect(),
        page,
        per_page,
        total,
        unread,
    }))
}

/// Marks one notification read (`id`), or all of them.
#[utoipa::path(
    post, path = "/api/v1/notifications/read", tag = "account", request_body = MarkReadBody,
    responses(
        (status = 200, description = "Marked", body = MarkReadResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notification of this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn mark_read(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidJson(body): ValidJson<MarkReadBody>,
) -> Result<Json<MarkReadResponse>> {
    let user_id = user.signed_in().user.id;
    if let Some(id) = body.id {
        // Someone else's notification is "not found", not silently ignored.
        notifications::find_own(&state.db, user_id, id).await?;
    }
    let marked = notifications::mark_read(&state.db, user_id, body.id).await?;
    let unread = notifications::unread_count(&state.db, user_id).await?;
    Ok(Json(MarkReadResponse { marked, unread }))
}
