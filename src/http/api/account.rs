//! The signed-in person's own account: sign-up, verification, reset, profile, personal data,
//! API tokens.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::{StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::http::api::auth::{MeResponse, me_response};
use crate::http::auth::{ClientIp, CurrentUser, limit};
use crate::http::extract::{ValidJson, ValidPath};
use crate::policy::Action;
use crate::services::{accounts, api_tokens, passwords, sessions};
use crate::state::AppState;

const HOUR: Duration = Duration::from_secs(3600);

/// Sign-up request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// Email address.
    pub email: String,
    /// Password: 10 to 256 characters, not easy to guess.
    pub password: String,
    /// Name shown with comments published under a name.
    pub display_name: String,
}

/// An accepted request whose outcome arrives by mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedResponse {
    /// Always `check_your_mail`.
    pub status: &'static str,
}

fn accepted() -> Response {
    (
        StatusCode::ACCEPTED,
        Json(AcceptedResponse {
            status: "check_your_mail",
        }),
    )
        .into_response()
}

/// Creates a resident account and mails a verification link.
#[utoipa::path(
    post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterBody,
    responses(
        (status = 202, description = "Check your mail (the same answer when the address already has an account)", body = AcceptedResponse),
        (status = 422, description = "Field errors", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sign-ups from this address", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ValidJson(body): ValidJson<RegisterBody>,
) -> Result<Response> {
    limit(&state, &format!("register:{ip}"), 10, HOUR)?;
    let input = accounts::SignUp {
        email: body.email,
        password: body.password,
        display_name: body.display_name,
    };
    accounts::sign_up(&state.db, &input, &state.base_url, state.settings.password).await?;
    state.mail_queued();
    Ok(accepted())
}

/// A token from a mailed link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    /// The `token` parameter of the link.
    pub token: String,
}

/// Confirms an email address with the token from the verification mail.
#[utoipa::path(
    post, path = "/api/v1/auth/verify", tag = "auth", request_body = TokenBody,
    responses(
        (status = 200, description = "Verified", body = MeResponse),
        (status = 400, description = "Used, expired or unknown token", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    ValidJson(body): ValidJson<TokenBody>,
) -> Result<Json<MeResponse>> {
    let user = accounts::verify_email(&state.db, &body.token).await?;
    Ok(Json(me_response(&user)))
}

/// Password-reset request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequestBody {
    /// Email address of the account.
    pub email: String,
}

/// Mails a password-reset link (the same answer whether or not the address has an account).
#[utoipa::path(
    post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = ResetRequestBody,
    responses(
        (status = 202, description = "Check your mail", body = AcceptedResponse),
        (status = 422, description = "Not an email address", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn request_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ValidJson(body): ValidJson<ResetRequestBody>,
) -> Result<Response> {
    limit(&state, &format!("reset-ip:{ip}"), 10, HOUR)?;
    limit(
        &state,
        &format!("reset-email:{}", body.email.trim().to_lowercase()),
        3,
        HOUR,
    )?;
    accounts::request_reset(&state.db, &body.email, &state.base_url).await?;
    state.mail_queued();
    Ok(accepted())
}

/// New password from a reset link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirmBody {
    /// The `token` parameter of the link.
    pub token: String,
    /// The new password.
    pub password: String,
}

/// Sets a new password with the token from the reset mail; every session of the account ends.
#[utoipa::path(
    post, path = "/api/v1/auth/password-reset/confirm", tag = "auth", request_body = ResetConfirmBody,
    responses(
        (status = 204, description = "Password changed"),
        (status = 400, description = "Used, expired or unknown token", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Password not acceptable", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn confirm_reset(
    State(state): State<AppState>,
    ValidJson(body): ValidJson<ResetConfirmBody>,
) -> Result<StatusCode> {
    accounts::reset_password(
        &state.db,
        &body.token,
        &body.password,
        state.settings.password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the signed-in account.
#[utoipa::path(
    post, path = "/api/v1/auth/logout-everywhere", tag = "auth",
    responses(
        (status = 204, description = "All sessions ended"),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn logout_everywhere(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<StatusCode> {
    let signed_in = user.signed_in();
    sessions::close_all(&state.db, signed_in.user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Corrections to the account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeBody {
    /// New display name.
    pub display_name: Option<String>,
    /// New phone number; `null` removes it.
    #[serde(default, deserialize_with = "present_or_null")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
fn present_or_null<'de, D, T>(deserializer: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Corrects the signed-in account's name or phone.
#[utoipa::path(
    patch, path = "/api/v1/me", tag = "account", request_body = UpdateMeBody,
    responses(
        (status = 200, description = "The corrected account", body = MeResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn update_me(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidJson(body): ValidJson<UpdateMeBody>,
) -> Result<Json<MeResponse>> {
    let signed_in = user.signed_in();
    let phone = body.phone.as_ref().map(Option::as_deref);
    let user = accounts::update_profile(
        &state.db,
        signed_in.user.clone(),
        body.display_name.as_deref(),
        phone,
    )
    .await?;
    Ok(Json(me_response(&user)))
}

/// Confirmation of an account's erasure.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteMeBody {
    /// The account's password, to confirm.
    pub password: String,
}

/// Erases the signed-in account's identity; its comments stay in the record, anonymized.
#[utoipa::path(
    delete, path = "/api/v1/me", tag = "account", request_body = DeleteMeBody,
    responses(
        (status = 204, description = "Erased"),
        (status = 401, description = "Not signed in, or wrong password", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn delete_me(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidJson(body): ValidJson<DeleteMeBody>,
) -> Result<StatusCode> {
    let signed_in = user.signed_in();
    let user = signed_in.user.clone();
    if !passwords::verify(body.password, user.password_hash.clone()).await? {
        return Err(Error::InvalidCredentials);
    }
    accounts::erase(&state.db, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Downloads everything gopy holds about the signed-in account, as JSON.
#[utoipa::path(
    get, path = "/api/v1/me/export", tag = "account",
    responses(
        (status = 200, description = "The account's data", body = Object),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn export_me(State(state): State<AppState>, user: CurrentUser) -> Result<Response> {
    let signed_in = user.signed_in();
    if !user.actor().can(&Action::ManageOwnAccount) {
        return Err(Error::Forbidden);
    }
    let data = accounts::export(&state.db, &signed_in.user).await?;
    Ok((
        [
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"gopy-du-lieu-cua-toi.json\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Json(data),
    )
        .into_response())
}

/// An API token as listed (never the secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenResponse {
    /// Id.
    pub id: Uuid,
    /// Name chosen by the owner.
    pub name: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last use.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revocation time.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new API token with its secret, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewApiTokenResponse {
    /// The token.
    #[serde(flatten)]
    pub token: ApiTokenResponse,
    /// Secret for `Authorization: Bearer`; shown only now.
    pub secret: String,
}

fn token_response(t: &entity::api_tokens::Model) -> ApiTokenResponse {
    ApiTokenResponse {
        id: t.id,
        name: t.name.clone(),
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        revoked_at: t.revoked_at,
    }
}

/// New API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenBody {
    /// A name to recognise the token by (e.g. the program using it).
    pub name: String,
}

/// Lists the signed-in account's API tokens.
#[utoipa::path(
    get, path = "/api/v1/me/tokens", tag = "account",
    responses(
        (status = 200, description = "Tokens, newest first", body = Vec<ApiTokenResponse>),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn list_tokens(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<ApiTokenResponse>>> {
    let signed_in = user.signed_in();
    let tokens = api_tokens::list(&state.db, signed_in.user.id).await?;
    Ok(Json(tokens.iter().map(token_response).collect()))
}

/// Creates an API token acting with the account's role.
#[utoipa::path(
    post, path = "/api/v1/me/tokens", tag = "account", request_body = CreateTokenBody,
    responses(
        (status = 201, description = "The token and its secret, shown once", body = NewApiTokenResponse),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad name", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidJson(body): ValidJson<CreateTokenBody>,
) -> Result<Response> {
    let signed_in = user.signed_in();
    let (secret, token) = api_tokens::create(&state.db, signed_in.user.id, &body.name).await?;
    let body = NewApiTokenResponse {
        token: token_response(&token),
        secret,
    };
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response())
}

/// Revokes one of the account's API tokens.
#[utoipa::path(
    delete, path = "/api/v1/me/tokens/{id}", tag = "account",
    params(("id" = Uuid, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such token of this account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<StatusCode> {
    let signed_in = user.signed_in();
    api_tokens::revoke(&state.db, signed_in.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
