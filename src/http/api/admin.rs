//! `/api/v1/admin/users`: account administration (admins only).

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::account::parse_role;
use crate::error::{Error, FieldErrors, Result};
use crate::http::auth::AdminUser;
use crate::http::extract::{ValidJson, ValidPath, ValidQuery};
use crate::services::admin::{self, NewAccount, UserFilter};
use crate::state::AppState;

/// Filters of the account list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    /// Only this role.
    pub role: Option<String>,
    /// Text in the email or name.
    pub q: Option<String>,
    /// Page, from 1.
    pub page: Option<u64>,
    /// Items per page, 1 to 100 (default 50).
    pub per_page: Option<u64>,
}

/// An account as admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserResponse {
    /// Id.
    pub id: Uuid,
    /// Email.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: String,
    /// Agency of an officer.
    pub agency_id: Option<Uuid>,
    /// Organization of a representative or moderator.
    pub organization_id: Option<Uuid>,
    /// Whether the account can sign in.
    pub is_active: bool,
    /// Whether the email address is verified.
    pub email_verified: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

/// A page of accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserList {
    /// Accounts.
    pub items: Vec<AdminUserResponse>,
    /// Page.
    pub page: u64,
    /// Per page.
    pub per_page: u64,
    /// Total.
    pub total: u64,
}

fn user_response(u: &entity::users::Model) -> AdminUserResponse {
    AdminUserResponse {
        id: u.id,
        email: u.email.clone(),
        display_name: u.display_name.clone(),
        role: u.role.as_str().to_owned(),
        agency_id: u.agency_id,
        organization_id: u.organization_id,
        is_active: u.is_active,
        email_verified: u.email_verified_at.is_some(),
        created_at: u.created_at,
    }
}

/// Lists accounts.
#[utoipa::path(
    get, path = "/api/v1/admin/users", tag = "admin", params(ListUsersQuery),
    responses(
        (status = 200, description = "A page of accounts", body = AdminUserList),
        (status = 401, description = "Not signed in", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn list_users(
    State(state): State<AppState>,
    _admin: AdminUser,
    ValidQuery(query): ValidQuery<ListUsersQuery>,
) -> Result<Json<AdminUserList>> {
    let mut errors = FieldErrors::default();
    let role = match query.role.as_deref() {
        None | Some("") => None,
        Some(r) => parse_role(r)
            .map_err(|code| errors.push("role", code, "Unknown role"))
            .ok(),
    };
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(50);
    if page == 0 {
        errors.push("page", "out_of_range", "Pages are numbered from 1");
    }
    if !(1..=100).contains(&per_page) {
        errors.push("per_page", "out_of_range", "Use 1 to 100 items per page");
    }
    errors.into_result()?;
    let filter = UserFilter {
        role,
        query: query.q,
    };
    let (users, total) = admin::list(&state.db, &filter, page, per_page).await?;
    Ok(Json(AdminUserList {
        items: users.iter().map(user_response).collect(),
        page,
        per_page,
        total,
    }))
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserBody {
    /// Email; the holder receives a link to choose a password.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// `resident`, `organization_rep`, `moderator`, `agency_officer` or `admin`.
    pub role: String,
    /// Agency code, for officers.
    pub agency: Option<String>,
    /// Organization code, for representatives and moderators.
    pub organization: Option<String>,
}

/// Creates an account and mails its holder a link to choose a password.
#[utoipa::path(
    post, path = "/api/v1/admin/users", tag = "admin", request_body = CreateUserBody,
    responses(
        (status = 201, description = "Created", body = AdminUserResponse),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email taken", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Field errors", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn create_user(
    State(state): State<AppState>,
    _admin: AdminUser,
    ValidJson(body): ValidJson<CreateUserBody>,
) -> Result<(StatusCode, Json<AdminUserResponse>)> {
    let role = parse_role(&body.role).map_err(|code| {
        let mut errors = FieldErrors::default();
        errors.push(
            "role",
            code,
            "Use resident, organization_rep, moderator, agency_officer or admin",
        );
        Error::Invalid(errors)
    })?;
    let input = NewAccount {
        email: body.email,
        display_name: body.display_name,
        role,
        agency_code: body.agency,
        organization_code: body.organization,
    };
    let user = admin::create(&state.db, input, &state.base_url, state.settings.password).await?;
    state.mail_queued();
    Ok((StatusCode::CREATED, Json(user_response(&user))))
}

/// Changes to an account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserBody {
    /// `false` deactivates the account and ends its sessions; `true` reactivates it.
    pub is_active: bool,
}

/// Activates or deactivates an account.
#[utoipa::path(
    patch, path = "/api/v1/admin/users/{id}", tag = "admin", request_body = UpdateUserBody,
    params(("id" = Uuid, Path, description = "Account id")),
    responses(
        (status = 200, description = "Updated", body = AdminUserResponse),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "An admin cannot deactivate their own account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn update_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ValidPath(id): ValidPath<Uuid>,
    ValidJson(body): ValidJson<UpdateUserBody>,
) -> Result<Json<AdminUserResponse>> {
    let admin_id = admin.signed_in().user.id;
    let user = admin::set_active(&state.db, admin_id, id, body.is_active).await?;
    Ok(Json(user_response(&user)))
}

/// Mails an account holder a password-reset link.
#[utoipa::path(
    post, path = "/api/v1/admin/users/{id}/password-reset", tag = "admin",
    params(("id" = Uuid, Path, description = "Account id")),
    responses(
        (status = 202, description = "Link sent"),
        (status = 403, description = "Not an admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn reset_user(
    State(state): State<AppState>,
    _admin: AdminUser,
    ValidPath(id): ValidPath<Uuid>,
) -> Result<StatusCode> {
    admin::send_reset(&state.db, id, &state.base_url).await?;
    state.mail_queued();
    Ok(StatusCode::ACCEPTED)
}
