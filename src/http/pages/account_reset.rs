//! Password reset pages: asking for a link by mail, and choosing a new password with it.
//! The JSON equivalents are in `http::api::account`.

use std::time::Duration;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use http::StatusCode;
use serde::Deserialize;

use crate::error::Error;
use crate::http::auth::{ClientIp, limit};
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::account::{invalid_link, signed_out};
use crate::http::pages::forms::{FormErrors, TokenQuery};
use crate::http::pages::{Layout, render, render_status};
use crate::http::problem::PageError;
use crate::services::accounts;
use crate::state::AppState;

const HOUR: Duration = Duration::from_secs(3600);

/// The page that asks for a password-reset link.
#[derive(Template)]
#[template(path = "account_reset.html")]
pub struct ResetRequestPage {
    /// Layout.
    pub layout: Layout,
    /// Email as typed.
    pub email: String,
    /// Errors of the last attempt.
    pub errors: FormErrors,
}

/// The reset request form.
#[derive(Debug, Deserialize)]
pub struct ResetRequestForm {
    #[serde(default)]
    email: String,
}

/// `GET /account/reset`.
pub async fn show_reset(layout: Layout) -> Response {
    let title = layout.t.get("reset.title");
    render(&ResetRequestPage {
        layout: layout.titled(title),
        email: String::new(),
        errors: FormErrors::default(),
    })
}

/// `POST /account/reset`: mails a link when the address has an account; the same answer
/// either way.
pub async fn request_reset(
    State(state): State<AppState>,
    layout: Layout,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<ResetRequestForm>,
) -> Result<Response, PageError> {
    let by_email = format!("reset-email:{}", form.email.trim().to_lowercase());
    limit(&state, &format!("reset-ip:{ip}"), 10, HOUR)
        .and_then(|()| limit(&state, &by_email, 3, HOUR))
        .map_err(|e| layout.fail(e))?;
    match accounts::request_reset(&state.db, &form.email, &state.base_url).await {
        Ok(()) => {
            state.mail_queued();
            Ok(see_other("/account/check-mail?reason=reset"))
        }
        Err(Error::Invalid(fields)) => {
            let t = layout.t;
            let page = ResetRequestPage {
                layout: layout.titled_form(t.get("reset.title"), true),
                email: form.email,
                errors: FormErrors::from_fields(t, &fields),
            };
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(layout.fail(e)),
    }
}

/// The page that sets a new password from a reset link.
#[derive(Template)]
#[template(path = "account_reset_confirm.html")]
pub struct ResetConfirmPage {
    /// Layout.
    pub layout: Layout,
    /// Token of the link.
    pub token: String,
    /// Errors of the last attempt.
    pub errors: FormErrors,
}

/// `GET /account/reset/confirm?token=...`.
pub async fn show_reset_confirm(layout: Layout, Query(query): Query<TokenQuery>) -> Response {
    if query.token.trim().is_empty() {
        return invalid_link(layout, "reset");
    }
    let title = layout.t.get("reset_confirm.title");
    render(&ResetConfirmPage {
        layout: layout.titled(title),
        token: query.token,
        errors: FormErrors::default(),
    })
}

/// The new-password form.
#[derive(Debug, Deserialize)]
pub struct ResetConfirmForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

/// `POST /account/reset/confirm`: sets the password and ends every session of the account.
pub async fn confirm_reset(
    State(state): State<AppState>,
    layout: Layout,
    CsrfForm(form): CsrfForm<ResetConfirmForm>,
) -> Result<Response, PageError> {
    let result = accounts::reset_password(
        &state.db,
        &form.token,
        &form.password,
        state.settings.password,
    )
    .await;
    match result {
        Ok(_) => {
            // The sessions of the account ended, this browser's among them.
            Ok(signed_out(
                &state,
                "/account/signin?notice=password_changed",
            ))
        }
        Err(Error::Invalid(fields)) => {
            let t = layout.t;
            let page = ResetConfirmPage {
                layout: layout.titled_form(t.get("reset_confirm.title"), true),
                token: form.token,
                errors: FormErrors::from_fields(t, &fields),
            };
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(Error::BadRequest { .. }) => Ok(invalid_link(layout, "reset")),
        Err(e) => Err(layout.fail(e)),
    }
}
