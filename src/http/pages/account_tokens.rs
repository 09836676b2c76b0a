//! The signed-in person's API tokens: list, create (the secret is shown once), revoke.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use entity::api_tokens as tokens;
use http::{HeaderValue, StatusCode, header};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::Error;
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::AccountHolder;
use crate::http::pages::forms::{FormErrors, NoFields};
use crate::http::pages::{Layout, datetime_vn, render, render_status};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::services::api_tokens;
use crate::state::AppState;

/// One token as the list shows it (never its secret).
#[derive(Debug, Clone)]
pub struct TokenRow {
    /// Id, for the revoke button.
    pub id: String,
    /// Name chosen by the owner.
    pub name: String,
    /// Creation time, Vietnam time.
    pub created: String,
    /// Last use, or the "never used" text.
    pub last_used: String,
    /// Revocation time, when revoked.
    pub revoked: Option<String>,
}

impl TokenRow {
    fn new(token: &tokens::Model, t: Tr) -> Self {
        Self {
            id: token.id.to_string(),
            name: token.name.clone(),
            created: datetime_vn(token.created_at),
            last_used: token
                .last_used_at
                .map_or_else(|| t.get("tokens.never_used").to_owned(), datetime_vn),
            revoked: token.revoked_at.map(datetime_vn),
        }
    }
}

/// A token just created, with its secret.
#[derive(Debug, Clone)]
pub struct NewSecret {
    /// Name of the token.
    pub name: String,
    /// The secret, shown only on this page.
    pub secret: String,
}

/// The API tokens page.
#[derive(Template)]
#[template(path = "account_tokens.html")]
pub struct TokensPage {
    /// Layout.
    pub layout: Layout,
    /// The account's tokens, newest first.
    pub tokens: Vec<TokenRow>,
    /// The token created by this request, if any.
    pub new_secret: Option<NewSecret>,
    /// Name in the creation form.
    pub name: String,
    /// Errors of the last creation.
    pub errors: FormErrors,
}

async fn tokens_page(
    state: &AppState,
    layout: Layout,
    user_id: Uuid,
    errors: FormErrors,
) -> Result<TokensPage, PageError> {
    let list = api_tokens::list(&state.db, user_id)
        .await
        .map_err(|e| layout.fail(e))?;
    let t = layout.t;
    Ok(TokensPage {
        tokens: list.iter().map(|token| TokenRow::new(token, t)).collect(),
        layout: layout.titled_form(t.get("tokens.title"), !errors.is_empty()),
        new_secret: None,
        name: String::new(),
        errors,
    })
}

/// `GET /account/tokens`.
pub async fn show_tokens(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(holder): AccountHolder,
) -> Result<Response, PageError> {
    let page = tokens_page(&state, layout, holder.user.id, FormErrors::default()).await?;
    Ok(render(&page))
}

/// The creation form.
#[derive(Debug, Deserialize)]
pub struct CreateTokenForm {
    #[serde(default)]
    name: String,
}

/// `POST /account/tokens`: creates a token and shows its secret once (never cached).
pub async fn create_token(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(holder): AccountHolder,
    CsrfForm(form): CsrfForm<CreateTokenForm>,
) -> Result<Response, PageError> {
    let user_id = holder.user.id;
    let t = layout.t;
    let mut errors = FormErrors::default();
    let created = match api_tokens::create(&state.db, user_id, &form.name).await {
        Ok(created) => Some(created),
        Err(Error::Invalid(fields)) => {
            errors = FormErrors::from_fields(t, &fields);
            None
        }
        Err(Error::Conflict { .. }) => {
            errors.push("name", t.get("tokens.error_too_many"));
            None
        }
        Err(e) => return Err(layout.fail(e)),
    };
    let mut page = tokens_page(&state, layout, user_id, errors).await?;
    let mut response = match created {
        Some((secret, token)) => {
            page.new_secret = Some(NewSecret {
                name: token.name,
                secret,
            });
            render(&page)
        }
        None => {
            page.name = form.name;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(holder): AccountHolder,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| layout.fail(Error::NotFound("token")))?;
    api_tokens::revoke(&state.db, holder.user.id, id)
        .await
        .map_err(|e| layout.fail(e))?;
    Ok(see_other("/account/tokens?notice=token_revoked"))
}
