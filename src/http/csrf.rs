//! CSRF protection for HTML forms: the double-submit pattern.
//!
//! Every page with a form gets a random token in an `HttpOnly`, `SameSite=Lax` cookie and the
//! same token in a hidden `csrf_token` field; a form post is accepted only when both are present
//! and equal. Another site can neither read the cookie nor set it, so it cannot forge the pair.
//! (JSON API calls made with the session cookie send the session's token in `X-CSRF-Token`
//! instead: see `http::auth`.)

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, header};
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::http::auth::constant_time_eq;
use crate::http::pages::{Layout, cookie};
use crate::http::problem::PageError;
use crate::services::sessions::random_token;

/// Name of the CSRF cookie.
pub const CSRF_COOKIE: &str = "gopy_csrf";
/// Name of the hidden form field.
pub const CSRF_FIELD: &str = "csrf_token";

/// The CSRF token for forms on this page; sets the cookie when the browser has none yet.
#[derive(Debug, Clone)]
pub struct FormToken {
    /// Value for the hidden `csrf_token` field.
    pub token: String,
    fresh: bool,
}

impl FormToken {
    /// Adds the cookie to a response when the token is new (`Secure` when served over HTTPS).
    pub fn apply(&self, mut response: Response, secure: bool) -> Response {
        let secure = if secure { "; Secure" } else { "" };
        if self.fresh
            && let Ok(value) = HeaderValue::from_str(&format!(
                "{CSRF_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
                self.token
            ))
        {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    }
}

impl<S: Send + Sync> FromRequestParts<S> for FormToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(
            match cookie(&parts.headers, CSRF_COOKIE).filter(|t| t.len() == 43) {
                Some(token) => Self {
                    token,
                    fresh: false,
                },
                None => Self {
                    token: random_token(),
                    fresh: true,
                },
            },
        )
    }
}

/// A form body (`application/x-www-form-urlencoded`) accepted only with a valid CSRF token.
pub struct CsrfForm<T>(pub T);

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let layout = Layout::from_request_head(&req);
        let expected = cookie(req.headers(), CSRF_COOKIE).unwrap_or_default();
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| {
                layout.fail(Error::bad_request(
                    "unreadable_body",
                    "The form could not be read.",
                ))
            })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).map_err(|_| {
            layout.fail(Error::bad_request(
                "malformed_form",
                "The form is malformed.",
            ))
        })?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map_or("", |(_, v)| v.as_str());
        if expected.is_empty() || !constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
            return Err(layout.fail(Error::CsrfRejected));
        }
        let value = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            layout.fail(Error::bad_request(
                "malformed_form",
                format!("The form is malformed: {e}"),
            ))
        })?;
        Ok(Self(value))
    }
}

/// A redirect after a successful form post (303 See Other), so reloading does not post again.
pub fn see_other(location: &str) -> Response {
    (
        http::StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}
