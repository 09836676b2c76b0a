//! Account administration: list, create, deactivate and reset accounts.

use entity::enums::Role;
use entity::users;
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::config::PasswordParams;
use crate::domain::account::{Email, NewPassword, parse_display_name};
use crate::error::{Error, FieldErrors, Result};
use crate::services::users::{self as user_service, NewUser};
use crate::services::{accounts, now, passwords, sessions};

/// Which accounts a list shows.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Text found in the email or the name.
    pub query: Option<String>,
}

/// Lists accounts (never erased ones), by email, one page at a time.
pub async fn list(
    db: &DatabaseConnection,
    filter: &UserFilter,
    page: u64,
    per_page: u64,
) -> Result<(Vec<users::Model>, u64)> {
    let mut query = users::Entity::find().filter(users::Column::DeletedAt.is_null());
    if let Some(role) = filter.role {
        query = query.filter(users::Column::Role.eq(role));
    }
    if let Some(q) = filter
        .query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
    {
        let pattern = format!("%{}%", q.replace(['%', '_'], "").to_lowercase());
        let lower_name = Expr::expr(Func::lower(Expr::col(users::Column::DisplayName)));
        query = query.filter(
            Condition::any()
                .add(users::Column::Email.like(pattern.clone()))
                .add(lower_name.like(pattern)),
        );
    }
    let paginator = query
        .order_by_asc(users::Column::Email)
        .order_by_asc(users::Column::Id)
        .paginate(db, per_page);
    let total = paginator.num_items().await?;
    Ok((paginator.fetch_page(page.saturating_sub(1)).await?, total))
}

/// What an admin gives to create an account.
#[derive(Debug)]
pub struct NewAccount {
    /// Email.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Agency code for officers.
    pub agency_code: Option<String>,
    /// Organization code for representatives and moderators.
    pub organization_code: Option<String>,
}

/// Creates an account with an unusable password and mails its holder a link to choose one.
pub async fn create(
    db: &DatabaseConnection,
    input: NewAccount,
    base_url: &str,
    params: PasswordParams,
) -> Result<users::Model> {
    let mut errors = FieldErrors::default();
    let email = Email::parse(&input.email)
        .map_err(|code| errors.push("email", code, "Nhập địa chỉ email, ví dụ ten@vidu.vn"))
        .ok();
    let name = parse_display_name(&input.display_name)
        .map_err(|code| errors.push("display_name", code, "Nhập tên từ 1 đến 100 ký tự"))
        .ok();
    errors.into_result()?;
    let (Some(email), Some(display_name)) = (email, name) else {
        return Err(Error::Internal(anyhow::anyhow!(
            "account fields parsed without errors but incomplete"
        )));
    };
    let placeholder = NewPassword::parse(&passwords::generate())
        .map_err(|_| Error::Internal(anyhow::anyhow!("generated password rejected")))?;
    let txn = crate::db::begin_write(db).await?;
    let user = user_service::create(
        &txn,
        NewUser {
            email,
            password: placeholder,
            display_name,
            role: input.role,
            agency_code: input.agency_code,
            organization_code: input.organization_code,
            verified: false,
        },
        params,
    )
    .await?;
    accounts::send_reset(&txn, &user, base_url).await?;
    txn.commit().await?;
    Ok(user)
}

/// Activates or deactivates an account; deactivation ends its sessions. Admins cannot
/// deactivate themselves (so there is always someone to undo it).
pub async fn set_active(
    db: &DatabaseConnection,
    admin_id: Uuid,
    user_id: Uuid,
    active: bool,
) -> Result<users::Model> {
    if admin_id == user_id && !active {
        return Err(Error::Conflict {
            code: "cannot_deactivate_self",
            detail: "Admins cannot deactivate their own account.".into(),
        });
    }
    let user = find(db, user_id).await?;
    let txn = crate::db::begin_write(db).await?;
    let mut model = user.into_active_model();
    model.is_active = Set(active);
    model.updated_at = Set(now());
    let user = model.update(&txn).await?;
    if !active {
        sessions::close_all(&txn, user.id).await?;
    }
    txn.commit().await?;
    Ok(user)
}

/// Mails an account holder a password-reset link.
pub async fn send_reset(db: &DatabaseConnection, user_id: Uuid, base_url: &str) -> Result<()> {
    let user = find(db, user_id).await?;
    accounts::send_reset(db, &user, base_url).await
}

/// An account that is not erased.
pub async fn find(db: &DatabaseConnection, user_id: Uuid) -> Result<users::Model> {
    users::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .filter(|u| u.deleted_at.is_none())
        .ok_or(Error::NotFound("user"))
}
