//! Who is looking at a page: the viewer resolved once per request, the gates that keep pages
//! for account holders and admins, and the CSRF form token every page's forms carry.

use axum::extract::{FromRequestParts, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, header};

use crate::error::Error;
use crate::http::auth::{SESSION_COOKIE, SignedIn, Viewer};
use crate::http::csrf::{FormToken, see_other};
use crate::http::pages::{Layout, cookie};
use crate::http::problem::PageError;
use crate::policy::Action;
use crate::state::AppState;

/// The requester of a page, resolved once per request and shared with the [`Layout`].
/// A bearer token that does not authenticate counts as nobody on pages.
#[derive(Debug, Clone)]
pub struct PageViewer(pub Viewer);

impl FromRequestParts<AppState> for PageViewer {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        resolve_viewer(parts, state)
            .await
            .map(Self)
            .map_err(|e| Layout::from_head(&parts.headers, &parts.uri).fail(e))
    }
}

/// The viewer of this request, looked up once and kept in the request's extensions.
pub(super) async fn resolve_viewer(parts: &mut Parts, state: &AppState) -> Result<Viewer, Error> {
    if let Some(viewer) = parts.extensions.get::<Viewer>() {
        return Ok(viewer.clone());
    }
    let viewer = match Viewer::from_request_parts(parts, state).await {
        Ok(viewer) => viewer,
        Err(Error::Unauthenticated) => Viewer::default(),
        Err(e) => return Err(e),
    };
    parts.extensions.insert(viewer.clone());
    Ok(viewer)
}

/// A signed-in account that may manage itself. Visitors are sent to sign in (and back to the
/// page they asked for); a rejection is the redirect or an error page.
#[derive(Debug, Clone)]
pub struct AccountHolder(pub SignedIn);

impl FromRequestParts<AppState> for AccountHolder {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        gate(parts, state, &Action::ManageOwnAccount)
            .await
            .map(Self)
    }
}

/// A signed-in account that may administer accounts; others get the 403 page, visitors the
/// sign-in page.
#[derive(Debug, Clone)]
pub struct Administrator(pub SignedIn);

impl FromRequestParts<AppState> for Administrator {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        gate(parts, state, &Action::AdministerAccounts)
            .await
            .map(Self)
    }
}

/// A moderator of the Fatherland Front (the only role that moderates); others get the 403
/// page, visitors the sign-in page.
#[derive(Debug, Clone)]
pub struct ModeratorPage(pub SignedIn);

impl FromRequestParts<AppState> for ModeratorPage {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        gate(parts, state, &Action::ModerateQueue).await.map(Self)
    }
}

/// An agency officer (the inbox of their agency); others get the 403 page, visitors the
/// sign-in page.
#[derive(Debug, Clone)]
pub struct InboxPage(pub SignedIn);

impl FromRequestParts<AppState> for InboxPage {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        gate(parts, state, &Action::ReadInbox).await.map(Self)
    }
}

/// A signed-in account that may import comments keyed in from paper (moderators and admins);
/// others get the 403 page, visitors the sign-in page. It runs on the request head, so a
/// refused caller's file is never read.
#[derive(Debug, Clone)]
pub struct ImportClerk(pub SignedIn);

impl FromRequestParts<AppState> for ImportClerk {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        gate(parts, state, &Action::ImportComments).await.map(Self)
    }
}

/// Lets the request through when its viewer may perform `action` (asked of the policy).
async fn gate(parts: &mut Parts, state: &AppState, action: &Action) -> Result<SignedIn, Response> {
    let viewer = match resolve_viewer(parts, state).await {
        Ok(viewer) => viewer,
        Err(e) => {
            return Err(Layout::from_head(&parts.headers, &parts.uri)
                .fail(e)
                .into_response());
        }
    };
    let Some(signed_in) = viewer.signed_in.clone() else {
        // After signing in, come back to the page; a form post comes back to the account.
        let next = match parts.method {
            http::Method::GET | http::Method::HEAD => parts
                .uri
                .path_and_query()
                .map_or("/account", |pq| pq.as_str()),
            _ => "/account",
        };
        return Err(see_other(&sign_in_location(next)));
    };
    if !viewer.actor().can(action) {
        let Ok(layout) = Layout::from_request_parts(parts, state).await;
        return Err(layout.fail(Error::Forbidden).into_response());
    }
    Ok(signed_in)
}

/// The sign-in page, returning to `next` afterwards.
pub fn sign_in_location(next: &str) -> String {
    format!("/account/signin?next={}", encode_query_value(next))
}

/// Percent-encodes a query value, keeping `/` readable (`?next=/account`).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether cookies must be `Secure` (the public address is HTTPS).
pub fn secure_cookies(state: &AppState) -> bool {
    state
        .settings
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"))
}

/// The form token of this request: the one `issue_form_token` settled, so every form of the
/// page and the cookie set with the response agree.
pub(super) async fn form_token(parts: &mut Parts) -> FormToken {
    if let Some(token) = parts.extensions.get::<FormToken>() {
        return token.clone();
    }
    let Ok(token) = FormToken::from_request_parts(parts, &()).await;
    parts.extensions.insert(token.clone());
    token
}

/// Middleware: settles the CSRF form token of each request before the handler runs, and sets
/// its cookie on an HTML response when the browser had none. Every page can then carry forms
/// (the layout's sign-out button is on all of them) without each handler remembering to set
/// the cookie, and a page's forms always match the cookie the browser keeps.
///
/// Pages for a browser with a session show that person's account, so they are marked
/// `Cache-Control: no-store` (unless the handler chose otherwise).
pub async fn issue_form_token(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let token = form_token(&mut parts).await;
    let personal = cookie(&parts.headers, SESSION_COOKIE).is_some();
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if !html {
        return response;
    }
    if personal && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let secure = state
        .settings
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    token.apply(response, secure)
}

/// A signed-in account that may edit the routing rules and the calendar (admins); others get
/// the 403 page, visitors the sign-in page.
#[derive(Debug, Clone)]
pub struct RoutingAdministrator(pub SignedIn);

impl FromRequestParts<AppState> for RoutingAdministrator {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        gate(parts, state, &Action::AdministerRouting)
            .await
            .map(Self)
    }
}
