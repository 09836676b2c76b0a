//! Who is asking: the session cookie or an `Authorization: Bearer` token, turned into an
//! [`Actor`] for the policy module, with CSRF checks for cookie-authenticated changes.

use axum::extract::FromRequestParts;
use entity::users;
use http::request::Parts;
use http::{Method, header};

use crate::error::Error;
use crate::http::pages::cookie;
use crate::policy::{Actor, ActorAccount};
use crate::services::{api_tokens, sessions};
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "gopy_session";
/// Header carrying the CSRF token on API calls made with the session cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// The browser's session cookie (CSRF checks apply).
    Cookie,
    /// A session token sent as a bearer token by a program.
    Bearer,
    /// A personal API token (never tied to a session).
    ApiToken,
}

/// The signed-in user behind a request.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The account.
    pub user: users::Model,
    /// Id of the session (the token's hash); `None` for API tokens.
    pub session_id: Option<String>,
    /// The session's CSRF token, for API calls made with the cookie.
    pub csrf_token: Option<String>,
    /// How the request authenticated.
    pub credential: Credential,
}

/// The requester: maybe signed in. Never rejects; use [`SignedIn`] data or `actor()`.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    /// The signed-in user, if any.
    pub signed_in: Option<SignedIn>,
}

impl SignedIn {
    /// The account as the policy module sees it.
    pub fn actor(&self) -> Actor {
        Actor {
            account: Some(ActorAccount {
                user_id: self.user.id,
                role: self.user.role,
                agency_id: self.user.agency_id,
                organization_id: self.user.organization_id,
                verified: self.user.email_verified_at.is_some(),
            }),
        }
    }
}

impl Viewer {
    /// The requester as the policy module sees it.
    pub fn actor(&self) -> Actor {
        self.signed_in
            .as_ref()
            .map_or_else(Actor::anonymous, SignedIn::actor)
    }

    /// The signed-in user, or 401.
    pub fn require(&self) -> Result<&SignedIn, Error> {
        self.signed_in.as_ref().ok_or(Error::Unauthenticated)
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(secret) = bearer(parts).filter(|t| t.starts_with(api_tokens::PREFIX)) {
            let Some((_, user)) = api_tokens::authenticate(&state.db, &secret).await? else {
                return Err(Error::Unauthenticated);
            };
            return Ok(Self {
                signed_in: Some(SignedIn {
                    user,
                    session_id: None,
                    csrf_token: None,
                    credential: Credential::ApiToken,
                }),
            });
        }
        let (token, credential) = match bearer(parts) {
            Some(token) => (token, Credential::Bearer),
            None => match cookie(&parts.headers, SESSION_COOKIE) {
                Some(token) => (token, Credential::Cookie),
                None => return Ok(Self::default()),
            },
        };
        let Some((session, user)) =
            sessions::authenticate(&state.db, &token, &state.settings).await?
        else {
            // A stale cookie is the same as none; a wrong bearer token is an error.
            return match credential {
                Credential::Bearer | Credential::ApiToken => Err(Error::Unauthenticated),
                Credential::Cookie => Ok(Self::default()),
            };
        };
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        // API calls with the cookie must echo the CSRF token in a header; page forms carry it
        // in a form field and are checked by their handlers.
        // Nested routers see a shortened path; the original one tells API calls from pages.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.path().to_owned(), |uri| uri.path().to_owned());
        if credential == Credential::Cookie && unsafe_method && path.starts_with("/api/") {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
                return Err(Error::CsrfRejected);
            }
        }
        Ok(Self {
            signed_in: Some(SignedIn {
                user,
                session_id: Some(session.id),
                csrf_token: Some(session.csrf_token),
                credential,
            }),
        })
    }
}

/// Compares secrets without leaking where they differ through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `Set-Cookie` value that stores a session token.
pub fn session_cookie(token: &str, secure: bool, max_age_secs: u64) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    session_cookie("", secure, 0)
}

/// The client's address as the server saw it (`unknown` when served without connection info).
pub fn client_ip(parts: &http::request::Parts) -> String {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string())
}

/// The client's address, as an extractor.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_ip(parts)))
    }
}

/// Applies a fixed-window rate limit to `key`: `Err(RateLimited)` past `max` in `window`.
pub fn limit(
    state: &AppState,
    key: &str,
    max: u32,
    window: std::time::Duration,
) -> Result<(), Error> {
    state
        .limiter
        .hit(key, max, window, std::time::Instant::now())
        .map_err(|retry_after_secs| Error::RateLimited { retry_after_secs })
}

/// A signed-in requester; anonymous requests are refused with 401 before the body is read.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Viewer);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        viewer.require()?;
        Ok(Self(viewer))
    }
}

impl CurrentUser {
    /// The signed-in account.
    pub fn signed_in(&self) -> &SignedIn {
        // `from_request_parts` only builds this with an account.
        self.0
            .signed_in
            .as_ref()
            .unwrap_or_else(|| unreachable!("CurrentUser without an account"))
    }

    /// The requester for the policy module.
    pub fn actor(&self) -> Actor {
        self.0.actor()
    }
}

/// A signed-in requester allowed `action`: 401 when anonymous, 403 when not allowed.
async fn allowed(
    parts: &mut Parts,
    state: &AppState,
    action: crate::policy::Action,
) -> Result<CurrentUser, Error> {
    let user = CurrentUser::from_request_parts(parts, state).await?;
    if !user.actor().can(&action) {
        return Err(Error::Forbidden);
    }
    Ok(user)
}

/// A requester allowed to administer accounts (401 or 403 otherwise, before the body is read).
#[derive(Debug, Clone)]
pub struct AdminUser(pub CurrentUser);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        allowed(parts, state, crate::policy::Action::AdministerAccounts)
            .await
            .map(Self)
    }
}

/// A requester allowed to comment and endorse (residents and organization representatives):
/// 401 or 403 otherwise, before the body is read.
#[derive(Debug, Clone)]
pub struct Commenter(pub CurrentUser);

impl FromRequestParts<AppState> for Commenter {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        allowed(parts, state, crate::policy::Action::Comment)
            .await
            .map(Self)
    }
}

/// A requester who writes consultations (agency officers and admins): 401 or 403 otherwise,
/// before the body is read. Which consultations they may touch is decided per consultation.
#[derive(Debug, Clone)]
pub struct Author(pub CurrentUser);

impl FromRequestParts<AppState> for Author {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        allowed(parts, state, crate::policy::Action::AuthorConsultations)
            .await
            .map(Self)
    }
}

/// A requester allowed to import comments keyed in from paper forms and meetings (moderators
/// and admins): 401 or 403 otherwise, before the body is read.
#[derive(Debug, Clone)]
pub struct Importer(pub CurrentUser);

impl FromRequestParts<AppState> for Importer {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        allowed(parts, state, crate::policy::Action::ImportComments)
            .await
            .map(Self)
    }
}

/// A moderator of the Fatherland Front (the only role that sees the queue and decides):
/// 401 or 403 otherwise, before the body is read.
#[derive(Debug, Clone)]
pub struct Moderator(pub CurrentUser);

impl FromRequestParts<AppState> for Moderator {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        allowed(parts, state, crate::policy::Action::ModerateQueue)
            .await
            .map(Self)
    }
}

/// A requester allowed to edit the routing rules and the calendar's exceptions (admins):
/// 401 or 403 otherwise, before the body is read.
#[derive(Debug, Clone)]
pub struct AdminRouting(pub CurrentUser);

impl FromRequestParts<AppState> for AdminRouting {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        allowed(parts, state, crate::policy::Action::AdministerRouting)
            .await
            .map(Self)
    }
}

/// An agency officer (the inbox of their agency): 401 or 403 otherwise, before the body is
/// read.
#[derive(Debug, Clone)]
pub struct InboxOfficer(pub CurrentUser);

impl FromRequestParts<AppState> for InboxOfficer {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        allowed(parts, state, crate::policy::Action::ReadInbox)
            .await
            .map(Self)
    }
}

/// A moderator deciding transfers and extensions: 401 or 403 otherwise.
#[derive(Debug, Clone)]
pub struct RequestDecider(pub CurrentUser);

impl FromRequestParts<AppState> for RequestDecider {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        allowed(
            parts,
            state,
            crate::policy::Action::DecideAssignmentRequests,
        )
        .await
        .map(Self)
    }
}
