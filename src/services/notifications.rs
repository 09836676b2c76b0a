//! In-app notifications (the bell): written in the same transaction as the change they tell
//! about, next to the mail in the outbox.

use entity::notifications;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::error::Result;
use crate::services::{new_id, now};

/// Tells `user_id` something, in the caller's transaction.
pub async fn notify<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    kind: &str,
    title: &str,
    link: &str,
) -> Result<()> {
    notify_many(db, &[user_id], kind, title, link).await
}

/// Tells several people the same thing, in the caller's transaction.
pub async fn notify_many<C: ConnectionTrait>(
    db: &C,
    user_ids: &[Uuid],
    kind: &str,
    title: &str,
    link: &str,
) -> Result<()> {
    if user_ids.is_empty() {
        return Ok(());
    }
    let at = now();
    let rows = user_ids.iter().map(|user_id| notifications::ActiveModel {
        id: Set(new_id()),
        user_id: Set(*user_id),
        kind: Set(kind.to_owned()),
        title: Set(title.to_owned()),
        link: Set(link.to_owned()),
        created_at: Set(at),
        read_at: Set(None),
    });
    notifications::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Unread notifications of a person.
pub async fn unread_count(db: &DatabaseConnection, user_id: Uuid) -> Result<u64> {
    Ok(notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// A page of a person's notifications, newest first, with the total.
pub async fn list(
    db: &DatabaseConnection,
    user_id: Uuid,
    page: u64,
    per_page: u64,
) -> Result<(Vec<notifications::Model>, u64)> {
    let paginator = notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .order_by_desc(notifications::Column::CreatedAt)
        .order_by_desc(notifications::Column::Id)
        .paginate(db, per_page);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.saturating_sub(1)).await?;
    Ok((rows, total))
}

/// Marks a person's notifications read: one (`Some(id)`) or all. Returns how many changed.
pub async fn mark_read(db: &DatabaseConnection, user_id: Uuid, id: Option<Uuid>) -> Result<u64> {
    let mut update = notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(now()))
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::ReadAt.is_null());
    if let Some(id) = id {
        update = update.filter(notifications::Column::Id.eq(id));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// One of a person's notifications; `NotFound` when it is someone else's or does not exist.
pub async fn find_own(
    db: &DatabaseConnection,
    user_id: Uuid,
    id: Uuid,
) -> Result<notifications::Model> {
    notifications::Entity::find_by_id(id)
        .filter(notifications::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(crate::error::Error::NotFound("notification"))
}

/// Opens one of a person's notifications: marks it read and returns where it points.
pub async fn open(db: &DatabaseConnection, user_id: Uuid, id: Uuid) -> Result<String> {
    let notification = find_own(db, user_id, id).await?;
    mark_read(db, user_id, Some(id)).await?;
    Ok(notification.link)
}
