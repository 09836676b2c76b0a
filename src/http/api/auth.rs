//! `/api/v1/auth` and `/api/v1/me`: signing in and out, and who am I.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::{StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::http::auth::{
    ClientIp, Credential, CurrentUser, clear_session_cookie, limit, session_cookie,
};
use crate::http::extract::ValidJson;
use crate::policy::Action;
use crate::services::{sessions, users};
use crate::state::AppState;

/// Sign-in request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// Email address.
    pub email: String,
    /// Password.
    pub password: String,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Token for `Authorization: Bearer` (programs); browsers get the same in an HttpOnly cookie.
    pub token: String,
    /// Send this in `X-CSRF-Token` on state-changing API calls made with the cookie.
    pub csrf_token: String,
    /// When the session ends at the latest.
    pub expires_at: DateTime<Utc>,
    /// The account.
    pub user: MeResponse,
}

/// The signed-in account.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    /// Id.
    pub id: Uuid,
    /// Email address.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// `resident`, `organization_rep`, `moderator`, `agency_officer` or `admin`.
    pub role: String,
    /// Agency of an officer.
    pub agency_id: Option<Uuid>,
    /// Organization of a representative or moderator.
    pub organization_id: Option<Uuid>,
    /// Whether the email address is verified.
    pub email_verified: bool,
}

/// The account as the API shows it to its owner.
pub fn me_response(user: &entity::users::Model) -> MeResponse {
    MeResponse {
        id: user.id,
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        role: user.role.as_str().to_owned(),
        agency_id: user.agency_id,
        organization_id: user.organization_id,
        email_verified: user.email_verified_at.is_some(),
    }
}

fn secure_cookies(state: &AppState) -> bool {
    state
        .settings
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"))
}

/// Signs in with email and password.
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in; the cookie is set too", body = LoginResponse),
        (status = 401, description = "Email or password not right (same answer for both)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this address; see Retry-After", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: http::HeaderMap,
    ValidJson(body): ValidJson<LoginBody>,
) -> Result<Response> {
    limit(
        &state,
        &format!("login-ip:{ip}"),
        60,
        std::time::Duration::from_secs(600),
    )?;
    let user = users::sign_in(
        &state.db,
        &body.email,
        &body.password,
        &state.limiter,
        state.settings.password,
    )
    .await?;
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(ToOwned::to_owned);
    let new = sessions::open(&state.db, user.id, user_agent, None, &state.settings).await?;
    let cookie = session_cookie(
        &new.token,
        secure_cookies(&state),
        state.settings.session_absolute.as_secs(),
    );
    let body = LoginResponse {
        token: new.token,
        csrf_token: new.session.csrf_token,
        expires_at: new.session.expires_at,
        user: me_response(&user),
    };
    Ok((
        [
            (header::SET_COOKIE, cookie),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Json(body),
    )
        .into_response())
}

/// Ends the current session.
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Cookie without the CSRF header", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn logout(State(state): State<AppState>, user: CurrentUser) -> Result<Response> {
    let signed_in = user.signed_in();
    let Some(session_id) = &signed_in.session_id else {
        return Err(Error::bad_request(
            "not_a_session",
            "API tokens are revoked, not signed out.",
        ));
    };
    sessions::close(&state.db, session_id).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    if signed_in.credential == Credential::Cookie
        && let Ok(value) = clear_session_cookie(secure_cookies(&state)).parse()
    {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// Shows the signed-in account.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "auth",
    responses(
        (status = 200, description = "The account", body = MeResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn get_me(user: CurrentUser) -> Result<Json<MeResponse>> {
    let signed_in = user.signed_in();
    if !user.actor().can(&Action::ManageOwnAccount) {
        return Err(Error::Forbidden);
    }
    Ok(Json(me_response(&signed_in.user)))
}
