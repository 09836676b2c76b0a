//! Server-side sessions, stored in the database so several gopy nodes share them.
//!
//! The client holds a random token; the database holds only its SHA-256, so a leaked database
//! yields no usable session. A session ends after `session_idle` without use, and
//! `session_absolute` after sign-in in any case.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use entity::{sessions, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Settings;
use crate::error::Result;
use crate::services::now;

/// A fresh session: the token goes to the client once, the record stays here.
#[derive(Debug)]
pub struct NewSession {
    /// Secret token for the cookie or the `Authorization: Bearer` header.
    pub token: String,
    /// The stored session.
    pub session: sessions::Model,
}

/// 32 random bytes, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Opens a session for a user who has just proved who they are.
pub async fn open<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    user_agent: Option<String>,
    ip: Option<String>,
    settings: &Settings,
) -> Result<NewSession> {
    let token = random_token();
    let at = now();
    let absolute = Duration::from_std(settings.session_absolute).unwrap_or(Duration::hours(24));
    let session = sessions::ActiveModel {
        id: Set(hash_token(&token)),
        user_id: Set(user_id),
        csrf_token: Set(random_token()),
        created_at: Set(at),
        last_seen_at: Set(at),
        expires_at: Set(at + absolute),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(300).collect())),
        ip: Set(ip),
    }
    .insert(db)
    .await?;
    Ok(NewSession { token, session })
}

/// Finds the live session and active user for a token, refreshing its idle timer.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    token: &str,
    settings: &Settings,
) -> Result<Option<(sessions::Model, users::Model)>> {
    if token.len() != 43 {
        return Ok(None);
    }
    let Some((session, user)) = sessions::Entity::find_by_id(hash_token(token))
        .find_also_related(users::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(user) = user else { return Ok(None) };
    let at = now();
    let idle = Duration::from_std(settings.session_idle).unwrap_or(Duration::hours(1));
    if session.expires_at <= at || session.last_seen_at + idle <= at {
        sessions::Entity::delete_by_id(session.id.clone())
            .exec(db)
            .await?;
        return Ok(None);
    }
    if !user.is_active || user.deleted_at.is_some() {
        return Ok(None);
    }
    // Writing on every request would serialize readers on SQLite; a minute's precision is enough.
    if at - session.last_seen_at > Duration::seconds(60) {
        let mut active = session.clone().into_active_model();
        active.last_seen_at = Set(at);
        let session = active.update(db).await?;
        return Ok(Some((session, user)));
    }
    Ok(Some((session, user)))
}

/// Ends one session.
pub async fn close<C: ConnectionTrait>(db: &C, session_id: &str) -> Result<()> {
    sessions::Entity::delete_by_id(session_id.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a user ("sign out everywhere", password change, deactivation).
pub async fn close_all<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<u64> {
    let result = sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
