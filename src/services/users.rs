//! Accounts: creation from the command line, first run and demo mode.

use entity::enums::Role;
use entity::{agencies, organizations, users};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::config::PasswordParams;
use crate::domain::account::{Email, NewPassword};
use crate::error::{Error, FieldErrors, Result};
use crate::services::{new_id, now, passwords};

/// What is needed to create an account.
#[derive(Debug)]
pub struct NewUser {
    /// Sign-in address.
    pub email: Email,
    /// Initial password.
    pub password: NewPassword,
    /// Name shown to others (subject to the user's consent).
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Code of the agency an officer belongs to.
    pub agency_code: Option<String>,
    /// Code of the organization a representative (or moderator) belongs to.
    pub organization_code: Option<String>,
    /// Whether the email address counts as verified (accounts made by operators).
    pub verified: bool,
}

/// Creates an account after checking that role and membership agree.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    new: NewUser,
    params: PasswordParams,
) -> Result<users::Model> {
    let mut errors = FieldErrors::default();
    let agency_id = match &new.agency_code {
        Some(code) => find_agency(db, code, &mut errors).await?,
        None => None,
    };
    let organization_id = match &new.organization_code {
        Some(code) => find_organization(db, code, &mut errors).await?,
        None => None,
    };
    match new.role {
        Role::AgencyOfficer if new.agency_code.is_none() => errors.push(
            "agency",
            "required",
            "An agency officer needs --agency CODE",
        ),
        Role::OrganizationRep if new.organization_code.is_none() => errors.push(
            "organization",
            "required",
            "An organization representative needs --organization CODE",
        ),
        Role::AgencyOfficer => {}
        _ if new.agency_code.is_some() => errors.push(
            "agency",
            "not_allowed",
            "Only agency officers belong to an agency",
        ),
        _ => {}
    }
    if matches!(new.role, Role::AgencyOfficer) && new.organization_code.is_some() {
        errors.push(
            "organization",
            "not_allowed",
            "An agency officer cannot represent an organization",
        );
    }
    errors.into_result()?;

    let exists = users::Entity::find()
        .filter(users::Column::Email.eq(new.email.as_str()))
        .one(db)
        .await?;
    if exists.is_some() {
        return Err(Error::Conflict {
            code: "email_taken",
            detail: "An account with this email already exists".into(),
        });
    }
    let hash = passwords::hash(new.password.expose().to_owned(), params).await?;
    let at = now();
    let model = users::ActiveModel {
        id: Set(new_id()),
        email: Set(new.email.as_str().to_owned()),
        phone: Set(None),
        display_name: Set(new.display_name),
        password_hash: Set(hash),
        role: Set(new.role),
        agency_id: Set(agency_id),
        organization_id: Set(organization_id),
        email_verified_at: Set(new.verified.then_some(at)),
        is_active: Set(true),
        failed_logins: Set(0),
        locked_until: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        deleted_at: Set(None),
    };
    let user = model.insert(db).await.map_err(|e| {
        if Error::is_unique_violation(&e) {
            Error::Conflict {
                code: "email_taken",
                detail: "An account with this email already exists".into(),
            }
        } else {
            Error::Db(e)
        }
    })?;
    Ok(user)
}

/// Sets a new password on an existing account (demo mode re-issues passwords on each start).
pub async fn set_password<C: ConnectionTrait>(
    db: &C,
    user: users::Model,
    password: &NewPassword,
    params: PasswordParams,
) -> Result<()> {
    let hash = passwords::hash(password.expose().to_owned(), params).await?;
    let mut active: users::ActiveModel = user.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(now());
    active.update(db).await?;
    Ok(())
}

/// Finds an account by email.
pub async fn find_by_email<C: ConnectionTrait>(
    db: &C,
    email: &Email,
) -> Result<Option<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::Email.eq(email.as_str()))
        .one(db)
        .await?)
}

async fn find_agency<C: ConnectionTrait>(
    db: &C,
    code: &str,
    errors: &mut FieldErrors,
) -> Result<Option<Uuid>> {
    let found = agencies::Entity::find()
        .filter(agencies::Column::Code.eq(code.trim()))
        .one(db)
        .await?;
    if found.is_none() {
        errors.push(
            "agency",
            "unknown",
            format!("No agency has the code {code}"),
        );
    }
    Ok(found.map(|a| a.id))
}

async fn find_organization<C: ConnectionTrait>(
    db: &C,
    code: &str,
    errors: &mut FieldErrors,
) -> Result<Option<Uuid>> {
    let found = organizations::Entity::find()
        .filter(organizations::Column::Code.eq(code.trim()))
        .one(db)
        .await?;
    if found.is_none() {
        errors.push(
            "organization",
            "unknown",
            format!("No organization has the code {code}"),
        );
    }
    Ok(found.map(|o| o.id))
}

/// Checks an email and password; the same error whether the account is missing or the password
/// is wrong, and a growing lock after repeated failures for the address either way.
pub async fn sign_in<C: ConnectionTrait>(
    db: &C,
    email: &str,
    password: &str,
    limiter: &crate::services::limits::Limiter,
    params: PasswordParams,
) -> Result<users::Model> {
    let key = crate::domain::text::normalize(email).to_lowercase();
    let at = std::time::Instant::now();
    if let Some(retry_after_secs) = limiter.locked_for(&key, at) {
        return Err(Error::RateLimited { retry_after_secs });
    }
    let user = match Email::parse(&key) {
        Ok(parsed) => find_by_email(db, &parsed).await?,
        Err(_) => None,
    }
    .filter(|u| u.is_active && u.deleted_at.is_none());
    let matches = match &user {
        Some(u) => passwords::verify(password.to_owned(), u.password_hash.clone()).await?,
        None => {
            // Spend the same time as a real check so timing does not reveal missing accounts.
            let _ = passwords::verify(password.to_owned(), dummy_hash(params).await?).await?;
            false
        }
    };
    match user {
        Some(user) if matches => {
            limiter.clear(&key);
            rehash_if_outdated(db, user, password, params).await
        }
        _ => match limiter.record_failure(&key, at) {
            Some(retry_after_secs) => Err(Error::RateLimited { retry_after_secs }),
            None => Err(Error::InvalidCredentials),
        },
    }
}

/// Re-hashes a password whose stored hash used other (older, weaker) argon2 parameters, while
/// the clear password is at hand after a successful sign-in.
async fn rehash_if_outdated<C: ConnectionTrait>(
    db: &C,
    user: users::Model,
    password: &str,
    params: PasswordParams,
) -> Result<users::Model> {
    if !passwords::needs_rehash(&user.password_hash, params) {
        return Ok(user);
    }
    let hash = passwords::hash(password.to_owned(), params).await?;
    let mut active: users::ActiveModel = user.into();
    active.password_hash = Set(hash);
    Ok(active.update(db).await?)
}

async fn dummy_hash(params: PasswordParams) -> Result<String> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| passwords::hash(passwords::generate(), params))
        .await
        .cloned()
}
