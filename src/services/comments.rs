//! Comments: submission by residents and organizations, tracking by code, public reading.
//!
//! Nothing a person writes is public until a moderator approves it; the public sees only the
//! redacted `public_body`, under the name the author consented to, and never comments whose
//! author chose not to publish.

use chrono::{DateTime, Utc};
use entity::enums::{Channel, CommentStatus, Consent, Role};
use entity::{clauses, comments, consent_records, consultations, organizations, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use crate::domain::comment::{CommentBody, parse_consent, parse_stance};
use crate::domain::time::date_vn;
use crate::domain::tracking::TrackingCode;
use crate::error::{Error, FieldErrors, Result};
use crate::services::consultations::effective_status;
use crate::services::outbox::{MailPayload, enqueue_mail};
use crate::services::{new_id, now};

/// What an author sends.
#[derive(Debug, Clone, Default)]
pub struct NewComment {
    /// Clause commented on; `None` for the whole draft.
    pub clause_id: Option<Uuid>,
    /// `support`, `oppose`, `suggest` or `question`.
    pub stance: String,
    /// Text.
    pub body: String,
    /// `public_named`, `public_anonymous` or `private`.
    pub consent: String,
    /// Whether a representative writes on behalf of their organization.
    pub on_behalf_of_organization: bool,
    /// Client-chosen key that makes retries safe.
    pub idempotency_key: Option<String>,
    /// Ward or commune the comment is about (today's code, or a pre-2025 code that is placed
    /// in today's unit).
    pub unit_code: Option<String>,
    /// Place on the map, WGS 84 latitude (with `lon`).
    pub lat: Option<f64>,
    /// Place on the map, WGS 84 longitude (with `lat`).
    pub lon: Option<f64>,
}

/// The outcome of a submission.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// The stored comment.
    pub comment: comments::Model,
    /// True when this was a retry of an earlier submission with the same idempotency key.
    pub replayed: bool,
}

/// Checks that a consultation accepts comments now; the error names the window.
pub fn ensure_open(consultation: &consultations::Model, at: DateTime<Utc>) -> Result<()> {
    let open = effective_status(consultation, at) == entity::enums::ConsultationStatus::Open;
    if open && consultation.opens_at <= at {
        return Ok(());
    }
    Err(Error::Conflict {
        code: "outside_comment_window",
        detail: format!(
            "This consultation accepts comments from {} to {} (Vietnam time).",
            date_vn(consultation.opens_at),
            date_vn(consultation.closes_at)
        ),
    })
}

/// Submits a comment for moderation. A retry with the same idempotency key returns the first
/// comment instead of creating another.
pub async fn submit(
    db: &DatabaseConnection,
    author: &users::Model,
    consultation_id: Uuid,
    input: NewComment,
    base_url: &str,
) -> Result<Submitted> {
    let key = input
        .idempotency_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    if let Some(key) = key {
        if key.len() > 200 {
            return Err(Error::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key is longer than 200 characters.",
            ));
        }
        if let Some(first) = find_by_key(db, author.id, key).await? {
            if first.consultation_id != consultation_id {
                return Err(Error::Conflict {
                    code: "idempotency_key_reused",
                    detail: "This Idempotency-Key was already used for another request.".into(),
                });
            }
            return Ok(Submitted {
                comment: first,
                replayed: true,
            });
        }
    }
    let consultation = consultations::Entity::find_by_id(consultation_id)
        .one(db)
        .await?
        .filter(|c| c.status != entity::enums::ConsultationStatus::Draft)
        .ok_or(Error::NotFound("consultation"))?;
    let at = now();
    ensure_open(&consultation, at)?;

    let mut errors = FieldErrors::default();
    let stance = parse_stance(&input.stance)
        .map_err(|code| {
            errors.push(
                "stance",
                code,
                "Chọn: đồng ý, không đồng ý, đề xuất hoặc câu hỏi",
            )
        })
        .ok();
    let consent = parse_consent(&input.consent)
        .map_err(|code| errors.push("consent", code, "Chọn cách công khai ý kiến"))
        .ok();
    let body = CommentBody::parse(&input.body)
        .map_err(|code| errors.push("body", code, "Ý kiến cần từ 10 đến 5.000 ký tự"))
        .ok();
    if let Some(clause_id) = input.clause_id {
        let belongs = clauses::Entity::find_by_id(clause_id)
            .one(db)
            .await?
            .is_some_and(|c| c.consultation_id == consultation.id);
        if !belongs {
            errors.push("clause_id", "unknown", "Điều khoản này không thuộc dự thảo");
        }
    }
    let organization_id = if input.on_behalf_of_organization {
        match (author.role, author.organization_id) {
            (Role::OrganizationRep, Some(org)) => Some(org),
            _ => {
                errors.push(
                    "on_behalf_of_organization",
                    "not_allowed",
                    "Chỉ đại diện tổ chức mới gửi thay tổ chức",
                );
                None
            }
        }
    } else {
        None
    };
    let unit_id = match input
        .unit_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => {
            let today = at.with_timezone(&crate::domain::time::VIETNAM).date_naive();
            match crate::services::units::resolve(db, code, today).await {
                Ok(resolved) if resolved.current.len() == 1 => {
                    resolved.current.first().map(|u| u.id)
                }
                Ok(_) => {
                    errors.push(
                        "unit_code",
                        "ambiguous",
                        "Đơn vị cũ này nay thuộc nhiều phường, xã: chọn đơn vị hiện nay",
                    );
                    None
                }
                Err(Error::NotFound(_)) => {
                    errors.push("unit_code", "unknown", "Không có phường, xã mang mã này");
                    None
                }
                Err(e) => return Err(e),
            }
        }
        None => None,
    };
    match (input.lat, input.lon) {
        (None, None) => {}
        (Some(lat), Some(lon))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
        _ => errors.push(
            "lat",
            "invalid_location",
            "Vị trí cần cả vĩ độ (−90 đến 90) và kinh độ (−180 đến 180)",
        ),
    }
    errors.into_result()?;
    let (Some(stance), Some(consent), Some(body)) = (stance, consent, body) else {
        return Err(Error::Internal(anyhow::anyhow!(
            "comment parsed without errors but incomplete"
        )));
    };

    let body_text = body.into_inner();
    let txn = crate::db::begin_write(db).await?;
    let id = new_id();
    let code = unused_code(&txn).await?;
    let inserted = comments::ActiveModel {
        id: Set(id),
        tracking_code: Set(code.as_str().to_owned()),
        consultation_id: Set(consultation.id),
        clause_id: Set(input.clause_id),
        author_id: Set(Some(author.id)),
        organization_id: Set(organization_id),
        author_name: Set(None),
        channel: Set(Channel::Online),
        entered_by: Set(None),
        stance: Set(stance),
        body: Set(body_text.clone()),
        consent: Set(consent),
        status: Set(CommentStatus::Pending),
        public_body: Set(None),
        unit_id: Set(unit_id),
        lat: Set(input.lat),
        lon: Set(input.lon),
        campaign_id: Set(None),
        idempotency_key: Set(key.map(ToOwned::to_owned)),
        created_at: Set(at),
        updated_at: Set(at),
        moderated_at: Set(None),
        fingerprint: Set(Some(crate::services::screening::fingerprint(&body_text))),
        status_reason: Set(None),
    }
    .insert(&txn)
    .await;
    let comment = match inserted {
        Ok(comment) => comment,
        // A concurrent retry with the same key won the race: answer with its comment.
        Err(e) if Error::is_unique_violation(&e) && key.is_some() => {
            drop(txn);
            let first = find_by_key(db, author.id, key.unwrap_or_default())
                .await?
                .ok_or(Error::Db(e))?;
            return Ok(Submitted {
                comment: first,
                replayed: true,
            });
        }
        Err(e) => return Err(e.into()),
    };
    crate::services::screening::store(&txn, &comment).await?;
    crate::services::outbox::enqueue_index(&txn, "comment", comment.id).await?;
    consent_records::ActiveModel {
        id: Set(new_id()),
        user_id: Set(Some(author.id)),
        comment_id: Set(Some(comment.id)),
        consent: Set(consent),
        context: Set("comment_submission".to_owned()),
        recorded_at: Set(at),
    }
    .insert(&txn)
    .await?;
    let receipt = MailPayload {
        to: author.email.clone(),
        to_name: Some(author.display_name.clone()),
        subject: format!("Đã nhận ý kiến của bạn – mã {}", comment.tracking_code),
        text: format!(
            "Xin chào {name},\n\ngopy đã nhận ý kiến của bạn về \"{title}\".\n\nMã theo dõi: {code}\n\
             Xem tình trạng xử lý: {base_url}/track/{code}\n\nÝ kiến sẽ được Mặt trận Tổ quốc xem xét \
             trước khi công khai.\n\n(gopy received your comment; follow it with the code above.)\n",
            name = author.display_name,
            title = consultation.title,
            code = comment.tracking_code,
        ),
    };
    enqueue_mail(&txn, "comment", &comment.id.to_string(), receipt).await?;
    let payload = crate::services::audit::comment_payload(&comment);
    let id = comment.id.to_string();
    crate::services::audit::append(
        &txn,
        Some(author.id),
        "comment.submit",
        "comment",
        &id,
        payload,
    )
    .await?;
    txn.commit().await?;
    Ok(Submitted {
        comment,
        replayed: false,
    })
}

async fn find_by_key<C: ConnectionTrait>(
    db: &C,
    author_id: Uuid,
    key: &str,
) -> Result<Option<comments::Model>> {
    Ok(comments::Entity::find()
        .filter(comments::Column::AuthorId.eq(author_id))
        .filter(comments::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

/// A fresh tracking code that no comment has (collisions are rare at 40 bits, but possible).
async fn unused_code<C: ConnectionTrait>(db: &C) -> Result<TrackingCode> {
    for _ in 0..5 {
        let code = TrackingCode::generate();
        let taken = comments::Entity::find()
            .filter(comments::Column::TrackingCode.eq(code.as_str()))
            .one(db)
            .await?
            .is_some();
        if !taken {
            return Ok(code);
        }
    }
    Err(Error::Internal(anyhow::anyhow!(
        "no free tracking code after 5 tries"
    )))
}

/// One step of a comment's public history.
#[derive(Debug, Clone)]
pub struct TrackStep {
    /// `submitted`, `approved`, `rejected`, `edit_requested` ...
    pub status: &'static str,
    /// When.
    pub at: DateTime<Utc>,
}

/// What anyone holding a tracking code may see: no personal data.
#[derive(Debug, Clone)]
pub struct Tracked {
    /// Canonical code.
    pub code: String,
    /// Consultation id and title.
    pub consultation: (Uuid, String),
    /// Current status.
    pub status: CommentStatus,
    /// History, oldest first.
    pub history: Vec<TrackStep>,
    /// Comment id, for a link when the comment is public.
    pub public_comment_id: Option<Uuid>,
}

/// Looks a comment up by its tracking code (forgiving about case, spaces and look-alikes).
pub async fn track(db: &DatabaseConnection, input: &str) -> Result<Tracked> {
    let code = TrackingCode::parse(input).map_err(|_| Error::NotFound("tracking code"))?;
    let comment = comments::Entity::find()
        .filter(comments::Column::TrackingCode.eq(code.as_str()))
        .one(db)
        .await?
        .ok_or(Error::NotFound("tracking code"))?;
    let consultation = consultations::Entity::find_by_id(comment.consultation_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("consultation"))?;
    let mut history = vec![TrackStep {
        status: "submitted",
        at: comment.created_at,
    }];
    for revision in revisions(db, comment.id).await? {
        history.push(TrackStep {
            status: "edited",
            at: revision.edited_at,
        });
    }
    let decisions = entity::moderation_decisions::Entity::find()
        .filter(entity::moderation_decisions::Column::CommentId.eq(comment.id))
        .all(db)
        .await?;
    for decision in decisions {
        let status = match decision.decision {
            entity::enums::Decision::Approve | entity::enums::Decision::Merge => {
                CommentStatus::Approved
            }
            entity::enums::Decision::Reject => CommentStatus::Rejected,
            entity::enums::Decision::RequestEdit => CommentStatus::EditRequested,
        };
        history.push(TrackStep {
            status: status.as_str(),
            at: decision.created_at,
        });
    }
    history.sort_by_key(|step| step.at);
    Ok(Tracked {
        code: code.as_str().to_owned(),
        consultation: (consultation.id, consultation.title),
        status: comment.status,
        public_comment_id: is_public(&comment).then_some(comment.id),
        history,
    })
}

/// Whether the public may read a comment.
pub fn is_public(comment: &comments::Model) -> bool {
    comment.status == CommentStatus::Approved
        && comment.consent != Consent::Private
        && comment.public_body.is_some()
}

/// The name shown with a public comment, as its author consented.
pub async fn public_author<C: ConnectionTrait>(
    db: &C,
    comment: &comments::Model,
) -> Result<String> {
    let organization = match comment.organization_id {
        Some(org_id) => organizations::Entity::find_by_id(org_id).one(db).await?,
        None => None,
    };
    if let Some(org) = organization {
        return Ok(org.name);
    }
    if comment.consent != Consent::PublicNamed {
        return Ok("Người dân".to_owned());
    }
    if let Some(name) = &comment.author_name {
        return Ok(name.clone());
    }
    match comment.author_id {
        Some(id) => Ok(users::Entity::find_by_id(id)
            .one(db)
            .await?
            .map_or_else(|| "Người dân".to_owned(), |u| u.display_name)),
        None => Ok("Người dân".to_owned()),
    }
}

/// Changes an author wants to make; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct CommentEdit {
    /// New stance.
    pub stance: Option<String>,
    /// New text.
    pub body: Option<String>,
    /// New consent.
    pub consent: Option<String>,
}

/// Lets the author change a comment until moderation decides it (pending, or returned for an
/// edit, which sends it back to the queue). The replaced version is kept in
/// `comment_revisions`, and a changed consent is recorded with its time.
pub async fn edit(
    db: &DatabaseConnection,
    author: &users::Model,
    id: Uuid,
    change: CommentEdit,
) -> Result<comments::Model> {
    let comment = comments::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| c.author_id == Some(author.id))
        .ok_or(Error::NotFound("comment"))?;
    if !matches!(
        comment.status,
        CommentStatus::Pending | CommentStatus::EditRequested
    ) {
        return Err(Error::Conflict {
            code: "already_moderated",
            detail: "This comment has been moderated and can no longer be edited.".into(),
        });
    }
    let mut errors = FieldErrors::default();
    let stance = match change.stance.as_deref() {
        Some(s) => parse_stance(s)
            .map_err(|code| {
                errors.push(
                    "stance",
                    code,
                    "Chọn: đồng ý, không đồng ý, đề xuất hoặc câu hỏi",
                )
            })
            .ok(),
        None => Some(comment.stance),
    };
    let consent = match change.consent.as_deref() {
        Some(s) => parse_consent(s)
            .map_err(|code| errors.push("consent", code, "Chọn cách công khai ý kiến"))
            .ok(),
        None => Some(comment.consent),
    };
    let body = match change.body.as_deref() {
        Some(b) => CommentBody::parse(b)
            .map_err(|code| errors.push("body", code, "Ý kiến cần từ 10 đến 5.000 ký tự"))
            .ok()
            .map(CommentBody::into_inner),
        None => Some(comment.body.clone()),
    };
    errors.into_result()?;
    let (Some(stance), Some(consent), Some(body)) = (stance, consent, body) else {
        return Err(Error::Internal(anyhow::anyhow!(
            "edit parsed without errors but incomplete"
        )));
    };
    let at = now();
    let txn = crate::db::begin_write(db).await?;
    entity::comment_revisions::ActiveModel {
        id: Set(new_id()),
        comment_id: Set(comment.id),
        stance: Set(comment.stance),
        clause_id: Set(comment.clause_id),
        body: Set(comment.body.clone()),
        edited_at: Set(at),
    }
    .insert(&txn)
    .await?;
    if consent != comment.consent {
        consent_records::ActiveModel {
            id: Set(new_id()),
            user_id: Set(Some(author.id)),
            comment_id: Set(Some(comment.id)),
            consent: Set(consent),
            context: Set("comment_edit".to_owned()),
            recorded_at: Set(at),
        }
        .insert(&txn)
        .await?;
    }
    let mut active: comments::ActiveModel = comment.into();
    active.stance = Set(stance);
    active.consent = Set(consent);
    active.fingerprint = Set(Some(crate::services::screening::fingerprint(&body)));
    active.body = Set(body);
    active.status = Set(CommentStatus::Pending);
    active.updated_at = Set(at);
    let updated = active.update(&txn).await?;
    crate::services::screening::store(&txn, &updated).await?;
    crate::services::outbox::enqueue_index(&txn, "comment", updated.id).await?;
    let payload = crate::services::audit::comment_payload(&updated);
    let id = updated.id.to_string();
    crate::services::audit::append(
        &txn,
        Some(author.id),
        "comment.edit",
        "comment",
        &id,
        payload,
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The earlier versions of a comment, oldest first.
pub async fn revisions(
    db: &DatabaseConnection,
    id: Uuid,
) -> Result<Vec<entity::comment_revisions::Model>> {
    use sea_orm::QueryOrder;
    Ok(entity::comment_revisions::Entity::find()
        .filter(entity::comment_revisions::Column::CommentId.eq(id))
        .order_by_asc(entity::comment_revisions::Column::EditedAt)
        .order_by_asc(entity::comment_revisions::Column::Id)
        .all(db)
        .await?)
}
