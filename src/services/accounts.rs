//! A resident's own account: sign-up, email verification, password reset, profile, the
//! personal-data export and erasure (Personal Data Protection Law).

use chrono::Duration;
use entity::enums::{Role, TokenPurpose};
use entity::{api_tokens, comments, consent_records, email_tokens, endorsements, sessions, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::config::PasswordParams;
use crate::domain::account::{Email, NewPassword, parse_display_name};
use crate::error::{Error, FieldErrors, Result};
use crate::services::outbox::{MailPayload, enqueue_mail};
use crate::services::sessions::{hash_token, random_token};
use crate::services::users::{self as user_service, NewUser};
use crate::services::{new_id, now, passwords};

/// Name that replaces an erased account's name wherever its comments appear.
pub const ERASED_NAME: &str = "Người dân (đã xóa tài khoản)";
/// How long a verification link works.
pub const VERIFY_TTL_HOURS: i64 = 48;
/// How long a password-reset link works.
pub const RESET_TTL_MINUTES: i64 = 60;

/// What a person types to sign up.
#[derive(Debug)]
pub struct SignUp {
    /// Email address.
    pub email: String,
    /// Chosen password.
    pub password: String,
    /// Name shown with comments the person allows to be published with a name.
    pub display_name: String,
}

/// Parses a sign-up form; every problem is reported at once.
pub fn parse_sign_up(input: &SignUp) -> Result<(Email, NewPassword, String)> {
    let mut errors = FieldErrors::default();
    let email = Email::parse(&input.email)
        .map_err(|code| errors.push("email", code, "Nhập địa chỉ email, ví dụ ten@vidu.vn"))
        .ok();
    let name = parse_display_name(&input.display_name)
        .map_err(|code| errors.push("display_name", code, "Nhập tên hiển thị từ 1 đến 100 ký tự"))
        .ok();
    let password = NewPassword::parse_strong(&input.password, &[&input.email, &input.display_name])
        .map_err(|code| {
            let message = match code {
                "too_common" => {
                    "Mật khẩu này quá dễ đoán; hãy chọn một cụm từ dài hơn, khó đoán hơn"
                }
                _ => "Mật khẩu cần từ 10 đến 256 ký tự",
            };
            errors.push("password", code, message)
        })
        .ok();
    errors.into_result()?;
    match (email, password, name) {
        (Some(email), Some(password), Some(name)) => Ok((email, password, name)),
        _ => Err(Error::Internal(anyhow::anyhow!(
            "sign-up parsed without errors but incomplete"
        ))),
    }
}

/// Creates a resident account and mails a verification link. When the address already has an
/// account, the answer is the same and that address is told someone tried to sign up with it,
/// so sign-up reveals nothing about who has an account.
pub async fn sign_up(
    db: &DatabaseConnection,
    input: &SignUp,
    base_url: &str,
    params: PasswordParams,
) -> Result<()> {
    let (email, password, display_name) = parse_sign_up(input)?;
    let txn = crate::db::begin_write(db).await?;
    if let Some(existing) = user_service::find_by_email(&txn, &email).await? {
        let text = format!(
            "Xin chào {name},\n\nCó người vừa dùng địa chỉ email này để đăng ký tài khoản gopy, \
             nhưng địa chỉ này đã có tài khoản.\nNếu đó là bạn, hãy đăng nhập tại {base_url}/account/signin \
             hoặc đặt lại mật khẩu tại {base_url}/account/reset.\nNếu không phải bạn, hãy bỏ qua thư này.\n\n\
             (Someone tried to sign up to gopy with this address, which already has an account.)\n",
            name = existing.display_name
        );
        let mail = mail_to(&existing, "Tài khoản gopy của bạn đã tồn tại", text);
        enqueue_mail(&txn, "user", &existing.id.to_string(), mail).await?;
        txn.commit().await?;
        return Ok(());
    }
    let new = NewUser {
        email,
        password,
        display_name,
        role: Role::Resident,
        agency_code: None,
        organization_code: None,
        verified: false,
    };
    let user = user_service::create(&txn, new, params).await?;
    send_verification(&txn, &user, base_url).await?;
    txn.commit().await?;
    Ok(())
}

fn mail_to(user: &users::Model, subject: &str, text: String) -> MailPayload {
    MailPayload {
        to: user.email.clone(),
        to_name: Some(user.display_name.clone()),
        subject: subject.to_owned(),
        text,
    }
}

/// Issues a single-use token and returns it (only its hash is stored).
async fn issue_token<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    purpose: TokenPurpose,
    ttl: Duration,
) -> Result<String> {
    let token = random_token();
    let at = now();
    email_tokens::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id),
        purpose: Set(purpose),
        token_hash: Set(hash_token(&token)),
        created_at: Set(at),
        expires_at: Set(at + ttl),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Queues a verification mail for an account.
pub async fn send_verification<C: ConnectionTrait>(
    db: &C,
    user: &users::Model,
    base_url: &str,
) -> Result<()> {
    let token = issue_token(
        db,
        user.id,
        TokenPurpose::VerifyEmail,
        Duration::hours(VERIFY_TTL_HOURS),
    )
    .await?;
    let text = format!(
        "Xin chào {name},\n\nHãy mở liên kết sau để xác nhận địa chỉ email của bạn trên gopy \
         (liên kết dùng được một lần, trong {VERIFY_TTL_HOURS} giờ):\n\n{base_url}/account/verify?token={token}\n\n\
         Nếu bạn không đăng ký, hãy bỏ qua thư này.\n\n\
         (Open the link above to confirm your email address on gopy.)\n",
        name = user.display_name
    );
    let mail = mail_to(user, "Xác nhận địa chỉ email của bạn", text);
    enqueue_mail(db, "user", &user.id.to_string(), mail).await
}

/// Consumes a token of the given purpose: it must exist, be unused and unexpired.
async fn consume_token<C: ConnectionTrait>(
    db: &C,
    token: &str,
    purpose: TokenPurpose,
) -> Result<users::Model> {
    let invalid = || {
        Error::bad_request(
            "invalid_token",
            "This link is not valid: it was used, has expired, or is incomplete.",
        )
    };
    let row = email_tokens::Entity::find()
        .filter(email_tokens::Column::TokenHash.eq(hash_token(token.trim())))
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    let at = now();
    if row.purpose != purpose || row.used_at.is_some() || row.expires_at <= at {
        return Err(invalid());
    }
    // Conditional update: of two concurrent uses, only one succeeds.
    let used = email_tokens::Entity::update_many()
        .col_expr(
            email_tokens::Column::UsedAt,
            sea_orm::sea_query::Expr::value(Some(at)),
        )
        .filter(email_tokens::Column::Id.eq(row.id))
        .filter(email_tokens::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Err(invalid());
    }
    let user = users::Entity::find_by_id(row.user_id)
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    if !user.is_active || user.deleted_at.is_some() {
        return Err(invalid());
    }
    Ok(user)
}

/// Marks the address of the token's account as verified.
pub async fn verify_email(db: &DatabaseConnection, token: &str) -> Result<users::Model> {
    let txn = crate::db::begin_write(db).await?;
    let user = consume_token(&txn, token, TokenPurpose::VerifyEmail).await?;
    let mut active = user.into_active_model();
    active.email_verified_at = Set(Some(now()));
    active.updated_at = Set(now());
    let user = active.update(&txn).await?;
    txn.commit().await?;
    Ok(user)
}

/// Mails a reset link when the address has an active account; answers the same either way.
pub async fn request_reset(db: &DatabaseConnection, email: &str, base_url: &str) -> Result<()> {
    let Ok(email) = Email::parse(email) else {
        let mut errors = FieldErrors::default();
        errors.push(
            "email",
            "invalid_format",
            "Nhập địa chỉ email, ví dụ ten@vidu.vn",
        );
        return Err(Error::Invalid(errors));
    };
    let Some(user) = user_service::find_by_email(db, &email)
        .await?
        .filter(|u| u.is_active && u.deleted_at.is_none())
    else {
        return Ok(());
    };
    let txn = crate::db::begin_write(db).await?;
    send_reset(&txn, &user, base_url).await?;
    txn.commit().await?;
    Ok(())
}

/// Queues a password-reset mail for an account (also used by admins).
pub async fn send_reset<C: ConnectionTrait>(
    db: &C,
    user: &users::Model,
    base_url: &str,
) -> Result<()> {
    let token = issue_token(
        db,
        user.id,
        TokenPurpose::ResetPassword,
        Duration::minutes(RESET_TTL_MINUTES),
    )
    .await?;
    let text = format!(
        "Xin chào {name},\n\nĐể đặt mật khẩu mới cho tài khoản gopy, hãy mở liên kết sau \
         (dùng được một lần, trong {RESET_TTL_MINUTES} phút):\n\n{base_url}/account/reset/confirm?token={token}\n\n\
         Nếu bạn không yêu cầu, hãy bỏ qua thư này; mật khẩu hiện tại vẫn giữ nguyên.\n\n\
         (Open the link above to choose a new gopy password.)\n",
        name = user.display_name
    );
    let mail = mail_to(user, "Đặt lại mật khẩu gopy", text);
    enqueue_mail(db, "user", &user.id.to_string(), mail).await
}

/// Sets a new password from a reset link, and signs the account out everywhere.
pub async fn reset_password(
    db: &DatabaseConnection,
    token: &str,
    password: &str,
    params: PasswordParams,
) -> Result<users::Model> {
    let txn = crate::db::begin_write(db).await?;
    let user = consume_token(&txn, token, TokenPurpose::ResetPassword).await?;
    let password = NewPassword::parse_strong(password, &[&user.email, &user.display_name])
        .map_err(|code| {
            let mut errors = FieldErrors::default();
            errors.push("password", code, "Chọn mật khẩu từ 10 ký tự, khó đoán");
            Error::Invalid(errors)
        })?;
    let hash = passwords::hash(password.expose().to_owned(), params).await?;
    let mut active = user.clone().into_active_model();
    active.password_hash = Set(hash);
    // Receiving the link proves the address too.
    if user.email_verified_at.is_none() {
        active.email_verified_at = Set(Some(now()));
    }
    active.updated_at = Set(now());
    let user = active.update(&txn).await?;
    crate::services::sessions::close_all(&txn, user.id).await?;
    txn.commit().await?;
    Ok(user)
}

/// Corrects the name and phone an account holds.
pub async fn update_profile(
    db: &DatabaseConnection,
    user: users::Model,
    display_name: Option<&str>,
    phone: Option<Option<&str>>,
) -> Result<users::Model> {
    let mut errors = FieldErrors::default();
    let mut active = user.into_active_model();
    if let Some(name) = display_name {
        match parse_display_name(name) {
            Ok(name) => active.display_name = Set(name),
            Err(code) => errors.push("display_name", code, "Nhập tên hiển thị từ 1 đến 100 ký tự"),
        }
    }
    if let Some(phone) = phone {
        let cleaned = phone.map(|p| {
            p.chars()
                .filter(|c| !c.is_whitespace() && *c != '.')
                .collect::<String>()
        });
        match cleaned.as_deref() {
            None | Some("") => active.phone = Set(None),
            Some(p)
                if p.len() <= 15
                    && p.trim_start_matches('+')
                        .chars()
                        .all(|c| c.is_ascii_digit())
                    && p.len() >= 9 =>
            {
                active.phone = Set(Some(p.to_owned()));
            }
            Some(_) => errors.push(
                "phone",
                "invalid_format",
                "Nhập số điện thoại, ví dụ 0912 345 678",
            ),
        }
    }
    errors.into_result()?;
    active.updated_at = Set(now());
    Ok(active.update(db).await?)
}

/// Everything gopy holds about an account, as JSON (the data subject's right of access).
pub async fn export(db: &DatabaseConnection, user: &users::Model) -> Result<Value> {
    let sessions = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user.id))
        .all(db)
        .await?;
    let tokens = api_tokens::Entity::find()
        .filter(api_tokens::Column::UserId.eq(user.id))
        .all(db)
        .await?;
    let consents = consent_records::Entity::find()
        .filter(consent_records::Column::UserId.eq(user.id))
        .order_by_asc(consent_records::Column::RecordedAt)
        .order_by_asc(consent_records::Column::Id)
        .all(db)
        .await?;
    let comments = comments::Entity::find()
        .filter(comments::Column::AuthorId.eq(user.id))
        .order_by_asc(comments::Column::CreatedAt)
        .order_by_asc(comments::Column::Id)
        .all(db)
        .await?;
    let endorsements = endorsements::Entity::find()
        .filter(endorsements::Column::UserId.eq(user.id))
        .all(db)
        .await?;
    Ok(json!({
        "exported_at": now(),
        "account": {
            "id": user.id,
            "email": user.email,
            "phone": user.phone,
            "display_name": user.display_name,
            "role": user.role.as_str(),
            "agency_id": user.agency_id,
            "organization_id": user.organization_id,
            "email_verified_at": user.email_verified_at,
            "is_active": user.is_active,
            "created_at": user.created_at,
            "updated_at": user.updated_at,
        },
        "sessions": sessions.iter().map(|s| json!({
            "created_at": s.created_at, "last_seen_at": s.last_seen_at, "expires_at": s.expires_at,
            "user_agent": s.user_agent, "ip": s.ip,
        })).collect::<Vec<_>>(),
        "api_tokens": tokens.iter().map(|t| json!({
            "id": t.id, "name": t.name, "created_at": t.created_at, "last_used_at": t.last_used_at, "revoked_at": t.revoked_at,
        })).collect::<Vec<_>>(),
        "consents": consents.iter().map(|c| json!({
            "comment_id": c.comment_id, "consent": c.consent.as_str(), "context": c.context, "recorded_at": c.recorded_at,
        })).collect::<Vec<_>>(),
        "comments": comments.iter().map(|c| json!({
            "id": c.id, "tracking_code": c.tracking_code, "consultation_id": c.consultation_id, "clause_id": c.clause_id,
            "stance": c.stance.as_str(), "body": c.body, "consent": c.consent.as_str(), "status": c.status.as_str(),
            "created_at": c.created_at, "updated_at": c.updated_at,
        })).collect::<Vec<_>>(),
        "endorsements": endorsements.iter().map(|e| json!({ "comment_id": e.comment_id, "created_at": e.created_at })).collect::<Vec<_>>(),
    }))
}

/// Erases an account's identity. Its comments stay in the legal record, shown under
/// [`ERASED_NAME`]; sessions, tokens and links end.
pub async fn erase(db: &DatabaseConnection, user: users::Model) -> Result<()> {
    let txn = crate::db::begin_write(db).await?;
    let id = user.id;
    let mut active = user.into_active_model();
    active.email = Set(format!("erased-{}@erased.invalid", id.simple()));
    active.phone = Set(None);
    active.display_name = Set(ERASED_NAME.to_owned());
    // Not a PHC string: no password can ever match it.
    active.password_hash = Set("!erased".to_owned());
    active.is_active = Set(false);
    active.agency_id = Set(None);
    active.organization_id = Set(None);
    active.deleted_at = Set(Some(now()));
    active.updated_at = Set(now());
    active.update(&txn).await?;
    crate::services::sessions::close_all(&txn, id).await?;
    api_tokens::Entity::delete_many()
        .filter(api_tokens::Column::UserId.eq(id))
        .exec(&txn)
        .await?;
    email_tokens::Entity::delete_many()
        .filter(email_tokens::Column::UserId.eq(id))
        .exec(&txn)
        .await?;
    // Names keyed in for the person on paper comments go too.
    comments::Entity::update_many()
        .col_expr(
            comments::Column::AuthorName,
            sea_orm::sea_query::Expr::value(Option::<String>::None),
        )
        .filter(comments::Column::AuthorId.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}
