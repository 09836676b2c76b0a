//! Personal API tokens for programs (an agency's own system): created and revoked by their
//! owner, shown once, stored hashed, acting with the owner's role.

use chrono::Duration;
use entity::{api_tokens, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::domain::text::normalize;
use crate::error::{Error, FieldErrors, Result};
use crate::services::sessions::{hash_token, random_token};
use crate::services::{new_id, now};

/// Prefix that tells API tokens from session tokens (and helps secret scanners find leaks).
pub const PREFIX: &str = "gopy_pat_";
/// Most live tokens one account may hold.
pub const MAX_PER_USER: usize = 20;

/// Creates a token; the returned secret is shown once and never stored.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    name: &str,
) -> Result<(String, api_tokens::Model)> {
    let name = normalize(name);
    let mut errors = FieldErrors::default();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(
            "name",
            "invalid_length",
            "Đặt tên cho khóa từ 1 đến 100 ký tự",
        );
    }
    errors.into_result()?;
    if list(db, user_id)
        .await?
        .iter()
        .filter(|t| t.revoked_at.is_none())
        .count()
        >= MAX_PER_USER
    {
        return Err(Error::Conflict {
            code: "too_many_tokens",
            detail: "Revoke an unused token first.".into(),
        });
    }
    let secret = format!("{PREFIX}{}", random_token());
    let model = api_tokens::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id),
        name: Set(name),
        token_hash: Set(hash_token(&secret)),
        created_at: Set(now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((secret, model))
}

/// The tokens of an account, newest first.
pub async fn list<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Vec<api_tokens::Model>> {
    Ok(api_tokens::Entity::find()
        .filter(api_tokens::Column::UserId.eq(user_id))
        .order_by_desc(api_tokens::Column::CreatedAt)
        .order_by_asc(api_tokens::Column::Id)
        .all(db)
        .await?)
}

/// Revokes one of the account's own tokens; another account's token is "not found".
pub async fn revoke<C: ConnectionTrait>(db: &C, user_id: Uuid, token_id: Uuid) -> Result<()> {
    let token = api_tokens::Entity::find_by_id(token_id)
        .one(db)
        .await?
        .filter(|t| t.user_id == user_id)
        .ok_or(Error::NotFound("token"))?;
    if token.revoked_at.is_none() {
        let mut active = token.into_active_model();
        active.revoked_at = Set(Some(now()));
        active.update(db).await?;
    }
    Ok(())
}

/// The active account behind a live token.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    secret: &str,
) -> Result<Option<(api_tokens::Model, users::Model)>> {
    let Some((token, Some(user))) = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(hash_token(secret)))
        .find_also_related(users::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if token.revoked_at.is_some() || !user.is_active || user.deleted_at.is_some() {
        return Ok(None);
    }
    let at = now();
    if token
        .last_used_at
        .is_none_or(|t| at - t > Duration::minutes(1))
    {
        let mut active = token.clone().into_active_model();
        active.last_used_at = Set(Some(at));
        active.update(db).await?;
    }
    Ok(Some((token, user)))
}
