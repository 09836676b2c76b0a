//! Account pages before and around signing in: sign-up, email verification, sign-in and
//! sign-out (password reset is in `account_reset`). The JSON equivalents are in
//! `http::api::{auth, account}`.

use std::time::Duration;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use http::{HeaderMap, StatusCode, header};
use serde::Deserialize;

use crate::error::Error;
use crate::http::auth::{ClientIp, clear_session_cookie, limit, session_cookie};
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::{AccountHolder, PageViewer, secure_cookies};
use crate::http::pages::forms::{FormErrors, NoFields, TokenQuery};
use crate::http::pages::{Layout, MessagePage, is_local_path, render, render_status};
use crate::http::problem::PageError;
use crate::services::{accounts, sessions, users};
use crate::state::AppState;

const HOUR: Duration = Duration::from_secs(3600);

/// The sign-up page.
#[derive(Template)]
#[template(path = "account_signup.html")]
pub struct SignUpPage {
    /// Layout.
    pub layout: Layout,
    /// Email as typed.
    pub email: String,
    /// Name as typed.
    pub display_name: String,
    /// Errors of the last attempt.
    pub errors: FormErrors,
}

/// The sign-up form.
#[derive(Debug, Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

/// `GET /account/signup`.
pub async fn show_sign_up(layout: Layout) -> Response {
    let title = layout.t.get("signup.title");
    render(&SignUpPage {
        layout: layout.titled(title),
        email: String::new(),
        display_name: String::new(),
        errors: FormErrors::default(),
    })
}

/// `POST /account/signup`: creates the account and mails a link (the same answer when the
/// address already has an account).
pub async fn sign_up(
    State(state): State<AppState>,
    layout: Layout,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<SignUpForm>,
) -> Result<Response, PageError> {
    limit(&state, &format!("register:{ip}"), 10, HOUR).map_err(|e| layout.fail(e))?;
    let input = accounts::SignUp {
        email: form.email,
        password: form.password,
        display_name: form.display_name,
    };
    match accounts::sign_up(&state.db, &input, &state.base_url, state.settings.password).await {
        Ok(()) => {
            state.mail_queued();
            Ok(see_other("/account/check-mail?reason=signup"))
        }
        Err(Error::Invalid(fields)) => {
            let t = layout.t;
            let page = SignUpPage {
                layout: layout.titled_form(t.get("signup.title"), true),
                email: input.email,
                display_name: input.display_name,
                errors: FormErrors::from_fields(t, &fields),
            };
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(layout.fail(e)),
    }
}

/// Why the reader should look at their mailbox.
#[derive(Debug, Default, Deserialize)]
pub struct CheckMailQuery {
    #[serde(default)]
    reason: String,
}

/// `GET /account/check-mail?reason=signup|reset`: "check your mailbox".
pub async fn show_check_mail(layout: Layout, Query(query): Query<CheckMailQuery>) -> Response {
    let reason = if query.reason == "reset" {
        "reset"
    } else {
        "signup"
    };
    let t = layout.t;
    let page = MessagePage::new(
        layout,
        t.get("check_mail.title"),
        vec![
            t.get(&format!("check_mail.{reason}_text")),
            t.get("check_mail.spam"),
        ],
        vec![("/", t.get("error.back_home"))],
    );
    render(&page)
}

/// The page with the button that confirms an email address.
#[derive(Template)]
#[template(path = "account_verify.html")]
pub struct VerifyPage {
    /// Layout.
    pub layout: Layout,
    /// Token of the link.
    pub token: String,
}

/// `GET /account/verify?token=...`: shows a button; opening the link changes nothing, because
/// mail scanners open links too.
pub async fn show_verify(layout: Layout, Query(query): Query<TokenQuery>) -> Response {
    if query.token.trim().is_empty() {
        return invalid_link(layout, "verify");
    }
    let title = layout.t.get("verify.title");
    render(&VerifyPage {
        layout: layout.titled(title),
        token: query.token,
    })
}

/// `POST /account/verify`: consumes the token and marks the address verified.
pub async fn verify(
    State(state): State<AppState>,
    layout: Layout,
    CsrfForm(form): CsrfForm<TokenQuery>,
) -> Result<Response, PageError> {
    match accounts::verify_email(&state.db, &form.token).await {
        Ok(_) if layout.account.is_some() => Ok(see_other("/account?notice=email_verified")),
        Ok(_) => Ok(see_other("/account/signin?notice=email_verified")),
        Err(Error::BadRequest { .. }) => Ok(invalid_link(layout, "verify")),
        Err(e) => Err(layout.fail(e)),
    }
}

/// A used, expired or truncated link (`kind` is `verify` or `reset`): what happened and what
/// to do next.
pub(super) fn invalid_link(layout: Layout, kind: &str) -> Response {
    let t = layout.t;
    let (action, label) = if kind == "reset" {
        ("/account/reset", t.get("invalid_link.reset_again"))
    } else {
        ("/account/signin?next=/account", t.get("nav.signin"))
    };
    let page = MessagePage::new(
        layout,
        t.get(&format!("invalid_link.{kind}_title")),
        vec![
            t.get(&format!("invalid_link.{kind}_why")),
            t.get(&format!("invalid_link.{kind}_next")),
        ],
        vec![(action, label)],
    );
    render_status(StatusCode::BAD_REQUEST, &page)
}

/// The sign-in page.
#[derive(Template)]
#[template(path = "account_signin.html")]
pub struct SignInPage {
    /// Layout.
    pub layout: Layout,
    /// Email as typed.
    pub email: String,
    /// Where to go after signing in (a local path).
    pub next: String,
    /// Errors of the last attempt.
    pub errors: FormErrors,
}

/// Where to return after signing in.
#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

fn local_next(next: &str) -> String {
    if is_local_path(next) {
        next.to_owned()
    } else {
        "/account".to_owned()
    }
}

/// `GET /account/signin?next=/path`.
pub async fn show_sign_in(layout: Layout, Query(query): Query<NextQuery>) -> Response {
    let title = layout.t.get("signin.title");
    render(&SignInPage {
        layout: layout.titled(title),
        email: String::new(),
        next: local_next(&query.next),
        errors: FormErrors::default(),
    })
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /account/signin`: opens a session and goes to `next`. A wrong address or password
/// gets one message for both; repeated failures lock the address for a while.
pub async fn sign_in(
    State(state): State<AppState>,
    layout: Layout,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<Response, PageError> {
    limit(
        &state,
        &format!("login-ip:{ip}"),
        60,
        std::time::Duration::from_secs(600),
    )
    .map_err(|e| layout.fail(e))?;
    let next = local_next(&form.next);
    let settings = &state.settings;
    let signed = users::sign_in(
        &state.db,
        &form.email,
        &form.password,
        &state.limiter,
        settings.password,
    )
    .await;
    let t = layout.t;
    let (status, message) = match signed {
        Ok(user) => {
            let user_agent = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(ToOwned::to_owned);
            let new = sessions::open(&state.db, user.id, user_agent, None, settings)
                .await
                .map_err(|e| layout.fail(e))?;
            let cookie = session_cookie(
                &new.token,
                secure_cookies(&state),
                settings.session_absolute.as_secs(),
            );
            let mut response = see_other(&next);
            if let Ok(value) = cookie.parse() {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            return Ok(response);
        }
        Err(Error::InvalidCredentials) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            t.get("signin.error_credentials").to_owned(),
        ),
        Err(Error::RateLimited { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60).max(1);
            (
                StatusCode::TOO_MANY_REQUESTS,
                t.get("signin.error_locked")
                    .replace("{minutes}", &minutes.to_string()),
            )
        }
        Err(e) => return Err(layout.fail(e)),
    };
    let mut errors = FormErrors::default();
    errors.push("email", message);
    let page = SignInPage {
        layout: layout.titled_form(t.get("signin.title"), true),
        email: form.email,
        next,
        errors,
    };
    Ok(render_status(status, &page))
}

/// A redirect to `location` that also removes the session cookie.
pub(super) fn signed_out(state: &AppState, location: &str) -> Response {
    let mut response = see_other(location);
    if let Ok(value) = clear_session_cookie(secure_cookies(state)).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `POST /account/signout`: ends this browser's session.
pub async fn sign_out(
    State(state): State<AppState>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    if let Some(session_id) = viewer.signed_in.and_then(|s| s.session_id) {
        sessions::close(&state.db, &session_id)
            .await
            .map_err(|e| layout.fail(e))?;
    }
    Ok(signed_out(&state, "/?notice=signed_out"))
}

/// `POST /account/signout-everywhere`: ends every session of the account.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(holder): AccountHolder,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    sessions::close_all(&state.db, holder.user.id)
        .await
        .map_err(|e| layout.fail(e))?;
    Ok(signed_out(&state, "/?notice=signed_out_everywhere"))
}
