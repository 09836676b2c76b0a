//! The signed-in person's own account: the profile and its corrections, the personal data
//! gopy holds (download and erasure, Personal Data Protection Law).

use std::time::Duration;

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use entity::users;
use http::{StatusCode, header};
use serde::Deserialize;

use crate::error::Error;
use crate::http::auth::{clear_session_cookie, limit};
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::{AccountHolder, secure_cookies};
use crate::http::pages::forms::{FormErrors, NoFields, ticked};
use crate::http::pages::{Layout, MessagePage, render, render_status};
use crate::http::problem::PageError;
use crate::services::{accounts, passwords};
use crate::state::AppState;

const HOUR: Duration = Duration::from_secs(3600);

/// The account page: what the account holds, and the form to correct it.
#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    /// Layout.
    pub layout: Layout,
    /// Display name as stored.
    pub display_name: String,
    /// Email address.
    pub email: String,
    /// Whether the address is verified.
    pub verified: bool,
    /// Phone as stored, `""` when none.
    pub phone: String,
    /// Translated role.
    pub role_label: &'static str,
    /// Name in the correction form.
    pub form_name: String,
    /// Phone in the correction form.
    pub form_phone: String,
    /// Errors of the last correction.
    pub errors: FormErrors,
}

impl AccountPage {
    fn new(layout: Layout, user: &users::Model) -> Self {
        let t = layout.t;
        Self {
            layout: layout.titled(t.get("account.title")),
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            verified: user.email_verified_at.is_some(),
            phone: user.phone.clone().unwrap_or_default(),
            role_label: t.get(&format!("role.{}", user.role.as_str())),
            form_name: user.display_name.clone(),
            form_phone: user.phone.clone().unwrap_or_default(),
            errors: FormErrors::default(),
        }
    }
}

/// `GET /account`.
pub async fn show_account(layout: Layout, AccountHolder(holder): AccountHolder) -> Response {
    render(&AccountPage::new(layout, &holder.user))
}

/// Corrections to the name and phone.
#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    phone: String,
}

/// `POST /account/profile`: corrects the name and phone (an empty phone removes it).
pub async fn update_profile(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(holder): AccountHolder,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<Response, PageError> {
    let phone = Some(Some(form.phone.as_str()).filter(|p| !p.trim().is_empty()));
    let user = holder.user;
    match accounts::update_profile(&state.db, user.clone(), Some(&form.display_name), phone).await {
        Ok(_) => Ok(see_other("/account?notice=profile_saved")),
        Err(Error::Invalid(fields)) => {
            let t = layout.t;
            let mut page = AccountPage::new(layout, &user);
            page.layout = page.layout.titled_form(t.get("account.title"), true);
            page.form_name = form.display_name;
            page.form_phone = form.phone;
            page.errors = FormErrors::from_fields(t, &fields);
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(layout.fail(e)),
    }
}

/// `POST /account/verification`: mails a new verification link.
pub async fn resend_verification(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(holder): AccountHolder,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let user = holder.user;
    if user.email_verified_at.is_some() {
        return Ok(see_other("/account"));
    }
    limit(&state, &format!("verify-mail:{}", user.id), 3, HOUR).map_err(|e| layout.fail(e))?;
    accounts::send_verification(&state.db, &user, &state.base_url)
        .await
        .map_err(|e| layout.fail(e))?;
    state.mail_queued();
    Ok(see_other("/account?notice=verification_sent"))
}

/// The personal-data page: what gopy holds and why, the download, the erasure form.
#[derive(Template)]
#[template(path = "account_data.html")]
pub struct DataPage {
    /// Layout.
    pub layout: Layout,
    /// The name erased accounts' comments are shown under.
    pub erased_name: &'static str,
    /// Errors of the last erasure attempt.
    pub errors: FormErrors,
}

/// `GET /account/data`.
pub async fn show_data(layout: Layout, AccountHolder(_): AccountHolder) -> Response {
    let title = layout.t.get("data.title");
    render(&DataPage {
        layout: layout.titled(title),
        erased_name: accounts::ERASED_NAME,
        errors: FormErrors::default(),
    })
}

/// `GET /account/data.json`: everything gopy holds about the account, as a download.
pub async fn download_data(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(holder): AccountHolder,
) -> Result<Response, PageError> {
    let data = accounts::export(&state.db, &holder.user)
        .await
        .map_err(|e| layout.fail(e))?;
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

/// The erasure form.
#[derive(Debug, Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    password: String,
    understood: Option<String>,
}

/// `POST /account/erase`: erases the account after the password and the "I understand" box.
pub async fn erase(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(holder): AccountHolder,
    CsrfForm(form): CsrfForm<EraseForm>,
) -> Result<Response, PageError> {
    let user = holder.user;
    // Bounds password guessing through this form.
    limit(&state, &format!("erase:{}", user.id), 10, HOUR).map_err(|e| layout.fail(e))?;
    let t = layout.t;
    let mut errors = FormErrors::default();
    let right_password = passwords::verify(form.password, user.password_hash.clone())
        .await
        .map_err(|e| layout.fail(e))?;
    if !right_password {
        errors.push("password", t.get("data.erase_error_password"));
    }
    if !ticked(form.understood.as_deref()) {
        errors.push("understood", t.get("data.erase_error_understood"));
    }
    if !errors.is_empty() {
        let page = DataPage {
            layout: layout.titled_form(t.get("data.title"), true),
            erased_name: accounts::ERASED_NAME,
            errors,
        };
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    accounts::erase(&state.db, user)
        .await
        .map_err(|e| layout.fail(e))?;
    let mut response = see_other("/account/erased");
    if let Ok(value) = clear_session_cookie(secure_cookies(&state)).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `GET /account/erased`: the confirmation after an erasure.
pub async fn show_erased(layout: Layout) -> Response {
    let t = layout.t;
    let page = MessagePage::new(
        layout,
        t.get("erased.title"),
        vec![t.get("erased.text"), t.get("erased.comments")],
        vec![("/", t.get("error.back_home"))],
    );
    render(&page)
}
