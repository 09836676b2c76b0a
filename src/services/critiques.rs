//! The Fatherland Front's critique documents ("văn bản phản biện, kiến nghị").
//!
//! Moderators draft one for a consultation, citing comments by tracking code (found in the text)
//! and themes of the synthesis; they send it to the lead agency, which must reply in writing
//! within the consultation kind's working days, like an assignment. The deadline job marks a
//! late reply once and tells the agency and the moderators. A draft is for moderators only; a
//! sent critique and its reply are read under the reports' rule (moderators and the lead agency
//! at any time, everyone once the consultation has closed). Every step is on the audit trail.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entity::enums::CritiqueStatus;
use entity::{comments, consultations, critique_citations, critiques, themes};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use crate::domain::tracking::TrackingCode;
use crate::error::{Error, FieldErrors, Result};
use crate::policy::{Action, Actor};
use crate::services::assignments::{moderators, officers};
use crate::services::notifications::notify_many;
use crate::services::{acceptance, audit, new_id, now};

/// Longest title.
pub const TITLE_MAX: usize = 200;
/// Longest text.
pub const BODY_MAX: usize = 50_000;

/// What a moderator writes.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// Title.
    pub title: String,
    /// Text, citing comments by tracking code.
    pub body: String,
    /// Themes cited.
    pub theme_ids: Vec<Uuid>,
}

/// A cited comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitedComment {
    /// Its tracking code.
    pub tracking_code: String,
    /// The comment, when the public may read it.
    pub public_comment_id: Option<Uuid>,
}

/// A critique with what it cites.
#[derive(Debug, Clone)]
pub struct Critique {
    /// The record.
    pub critique: critiques::Model,
    /// Its consultation's title.
    pub consultation_title: String,
    /// Cited comments, in the order of the text.
    pub comments: Vec<CitedComment>,
    /// Cited themes (id, label).
    pub themes: Vec<(Uuid, String)>,
    /// Whether the reply is late (overdue now, or given after the due date).
    pub late: bool,
}

fn moderator_of(actor: &Actor) -> Result<Uuid> {
    crate::services::moderation::ensure_moderator(actor)?;
    actor
        .account
        .as_ref()
        .map(|a| a.user_id)
        .ok_or(Error::Unauthenticated)
}

/// The tracking codes written in a text, canonical, in order, once each.
pub fn codes_in(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|word| word.len() >= 12 && word.to_ascii_uppercase().starts_with("GY-"))
        .filter_map(|word| TrackingCode::parse(word).ok())
        .map(|code| code.as_str().to_owned())
        .filter(|code| seen.insert(code.clone()))
        .collect()
}

fn validate(draft: &Draft) -> Result<(String, String)> {
    let title = crate::domain::text::normalize(&draft.title)
        .trim()
        .to_owned();
    let body = crate::domain::text::normalize(&draft.body)
        .trim()
        .to_owned();
    let mut errors = FieldErrors::default();
    if title.is_empty() {
        errors.push("title", "required", "Nhập tiêu đề văn bản.");
    } else if title.chars().count() > TITLE_MAX {
        errors.push(
            "title",
            "too_long",
            format!("Tiêu đề dài tối đa {TITLE_MAX} ký tự."),
        );
    }
    if body.is_empty() {
        errors.push("body", "required", "Nhập nội dung văn bản.");
    } else if body.chars().count() > BODY_MAX {
        errors.push(
            "body",
            "too_long",
            format!("Nội dung dài tối đa {BODY_MAX} ký tự."),
        );
    }
    errors.into_result()?;
    Ok((title, body))
}

/// Checks the citations of a text and writes them, replacing earlier ones.
async fn cite<C: ConnectionTrait>(
    db: &C,
    critique_id: Uuid,
    consultation_id: Uuid,
    body: &str,
    theme_ids: &[Uuid],
) -> Result<()> {
    let codes = codes_in(body);
    let (found, unknown) =
        crate::services::comment_reading::approved_by_codes(db, consultation_id, &codes).await?;
    let known_themes: HashSet<Uuid> = themes::Entity::find()
        .select_only()
        .column(themes::Column::Id)
        .filter(themes::Column::ConsultationId.eq(consultation_id))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut errors = FieldErrors::default();
    if !unknown.is_empty() {
        errors.push(
            "body",
            "unknown_comment",
            format!(
                "Văn bản trích dẫn mã không thuộc ý kiến đã duyệt nào của đợt lấy ý kiến này: {}.",
                unknown.join(", ")
            ),
        );
    }
    if theme_ids.iter().any(|t| !known_themes.contains(t)) {
        errors.push(
            "theme_ids",
            "unknown_theme",
            "Chủ đề được chọn không thuộc đợt lấy ý kiến này.",
        );
    }
    errors.into_result()?;
    critique_citations::Entity::delete_many()
        .filter(critique_citations::Column::CritiqueId.eq(critique_id))
        .exec(db)
        .await?;
    let mut rows: Vec<critique_citations::ActiveModel> = codes
        .iter()
        .filter_map(|c| found.get(c))
        .map(|comment_id| critique_citations::ActiveModel {
            id: Set(new_id()),
            critique_id: Set(critique_id),
            comment_id: Set(Some(*comment_id)),
            theme_id: Set(None),
        })
        .collect();
    let mut seen = HashSet::new();
    rows.extend(
        theme_ids
            .iter()
            .filter(|t| seen.insert(**t))
            .map(|theme_id| critique_citations::ActiveModel {
                id: Set(new_id()),
                critique_id: Set(critique_id),
                comment_id: Set(None),
                theme_id: Set(Some(*theme_id)),
            }),
    );
    for chunk in rows.chunks(200) {
        critique_citations::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Drafts a critique of a published consultation (moderators).
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    consultation_id: Uuid,
    draft: &Draft,
) -> Result<critiques::Model> {
    let user_id = moderator_of(actor)?;
    let (title, body) = validate(draft)?;
    consultations::Entity::find_by_id(consultation_id)
        .one(db)
        .await?
        .filter(|c| c.status != entity::enums::ConsultationStatus::Draft)
        .ok_or(Error::NotFound("consultation"))?;
    let txn = crate::db::begin_write(db).await?;
    let at = now();
    let model = critiques::Model {
        id: new_id(),
        consultation_id,
        title,
        body,
        status: CritiqueStatus::Draft,
        created_by: Some(user_id),
        created_at: at,
        updated_at: at,
        sent_at: None,
        due_on: None,
        reply_body: None,
        replied_by: None,
        replied_at: None,
        overdue_at: None,
    };
    critiques::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&txn)
        .await?;
    cite(
        &txn,
        model.id,
        consultation_id,
        &model.body,
        &draft.theme_ids,
    )
    .await?;
    audit::append(
        &txn,
        Some(user_id),
        "critique.draft",
        "critique",
        &model.id.to_string(),
        json!({ "consultation_id": consultation_id, "title": model.title }),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<critiques::Model> {
    critiques::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("critique"))
}

fn not_a_draft() -> Error {
    Error::Conflict {
        code: "critique_sent",
        detail: "The critique has been sent; it can no longer be changed.".to_owned(),
    }
}

/// Changes a draft (moderators).
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    draft: &Draft,
) -> Result<critiques::Model> {
    let user_id = moderator_of(actor)?;
    let (title, body) = validate(draft)?;
    let txn = crate::db::begin_write(db).await?;
    let current = find(&txn, id).await?;
    if current.status != CritiqueStatus::Draft {
        return Err(not_a_draft());
    }
    cite(&txn, id, current.consultation_id, &body, &draft.theme_ids).await?;
    let mut active = current.into_active_model();
    active.title = Set(title);
    active.body = Set(body);
    active.updated_at = Set(now());
    let updated = active.update(&txn).await?;
    audit::append(
        &txn,
        Some(user_id),
        "critique.edit",
        "critique",
        &id.to_string(),
        json!({ "title": updated.title }),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Sends a draft to the consultation's lead agency (moderators): its reply is due in the
/// consultation kind's working days, and its officers are told.
pub async fn send(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    answer_days: &crate::config::AnswerWorkingDays,
) -> Result<critiques::Model> {
    let user_id = moderator_of(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let current = find(&txn, id).await?;
    if current.status != CritiqueStatus::Draft {
        return Err(not_a_draft());
    }
    let consultation = consultations::Entity::find_by_id(current.consultation_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("consultation"))?;
    let calendar = crate::services::calendar::load(&txn).await?;
    let due_on = calendar.add_working_days(
        crate::services::assignments::today_vn(),
        answer_days.for_kind(consultation.kind),
    );
    let at = now();
    let mut active = current.into_active_model();
    active.status = Set(CritiqueStatus::Sent);
    active.sent_at = Set(Some(at));
    active.due_on = Set(Some(due_on));
    active.updated_at = Set(at);
    let sent = active.update(&txn).await?;
    let ids: Vec<Uuid> = officers(&txn, consultation.lead_agency_id)
        .await?
        .iter()
        .map(|u| u.id)
        .collect();
    notify_many(
        &txn,
        &ids,
        "critique_received",
        &format!(
            "Mặt trận gửi văn bản phản biện: {} (hạn trả lời {})",
            sent.title,
            due_on.format("%d/%m/%Y")
        ),
        &format!("/critiques/{id}"),
    )
    .await?;
    audit::append(
        &txn,
        Some(user_id),
        "critique.send",
        "critique",
        &id.to_string(),
        json!({
            "consultation_id": consultation.id,
            "lead_agency_id": consultation.lead_agency_id,
            "due_on": due_on.to_string(),
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(sent)
}

/// The lead agency's written reply (its officers), once.
pub async fn reply(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    body: &str,
) -> Result<critiques::Model> {
    let txn = crate::db::begin_write(db).await?;
    let current = find(&txn, id).await?;
    let consultation = consultations::Entity::find_by_id(current.consultation_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("consultation"))?;
    if !actor.can(&Action::AnswerAssignments {
        agency_id: consultation.lead_agency_id,
    }) {
        return Err(if actor.account.is_none() {
            Error::Unauthenticated
        } else {
            Error::Forbidden
        });
    }
    match current.status {
        CritiqueStatus::Draft => return Err(Error::NotFound("critique")),
        CritiqueStatus::Answered => {
            return Err(Error::Conflict {
                code: "critique_answered",
                detail: "The agency has already replied to this critique.".to_owned(),
            });
        }
        CritiqueStatus::Sent => {}
    }
    let body = crate::domain::text::normalize(body).trim().to_owned();
    let mut errors = FieldErrors::default();
    if body.is_empty() {
        errors.push("body", "required", "Nhập nội dung trả lời.");
    } else if body.chars().count() > BODY_MAX {
        errors.push(
            "body",
            "too_long",
            format!("Nội dung dài tối đa {BODY_MAX} ký tự."),
        );
    }
    errors.into_result()?;
    let user_id = actor.account.as_ref().map(|a| a.user_id);
    let at = now();
    let mut active = current.into_active_model();
    active.status = Set(CritiqueStatus::Answered);
    active.reply_body = Set(Some(body));
    active.replied_by = Set(user_id);
    active.replied_at = Set(Some(at));
    active.updated_at = Set(at);
    let replied = active.update(&txn).await?;
    let ids: Vec<Uuid> = moderators(&txn).await?.iter().map(|u| u.id).collect();
    notify_many(
        &txn,
        &ids,
        "critique_answered",
        &format!("Cơ quan đã trả lời văn bản phản biện: {}", replied.title),
        &format!("/critiques/{id}"),
    )
    .await?;
    audit::append(
        &txn,
        user_id,
        "critique.reply",
        "critique",
        &id.to_string(),
        json!({ "on_time": replied.due_on.is_none_or(|d| crate::services::assignments::today_vn() <= d) }),
    )
    .await?;
    txn.commit().await?;
    Ok(replied)
}

fn can_see(
    actor: &Actor,
    critique: &critiques::Model,
    consultation: &consultations::Model,
) -> bool {
    actor.can(&Action::ModerateQueue)
        || (critique.status != CritiqueStatus::Draft && acceptance::can_read(actor, consultation))
}

async fn with_citations<C: ConnectionTrait>(
    db: &C,
    critique: critiques::Model,
    consultation_title: String,
) -> Result<Critique> {
    let citations = critique_citations::Entity::find()
        .filter(critique_citations::Column::CritiqueId.eq(critique.id))
        .all(db)
        .await?;
    let comment_ids: Vec<Uuid> = citations.iter().filter_map(|c| c.comment_id).collect();
    let theme_ids: Vec<Uuid> = citations.iter().filter_map(|c| c.theme_id).collect();
    let cited: HashMap<String, comments::Model> = comments::Entity::find()
        .filter(comments::Column::Id.is_in(comment_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.tracking_code.clone(), c))
        .collect();
    let comments_out = codes_in(&critique.body)
        .into_iter()
        .filter_map(|code| {
            let c = cited.get(&code)?;
            Some(CitedComment {
                tracking_code: code,
                public_comment_id: crate::services::comments::is_public(c).then_some(c.id),
            })
        })
        .collect();
    let themes_out = themes::Entity::find()
        .filter(themes::Column::Id.is_in(theme_ids))
        .order_by_asc(themes::Column::Label)
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.label))
        .collect();
    let today = crate::services::assignments::today_vn();
    let late = match (critique.due_on, critique.replied_at) {
        (Some(due), Some(at)) => at.with_timezone(&crate::domain::time::VIETNAM).date_naive() > due,
        (Some(due), None) => today > due,
        _ => false,
    };
    Ok(Critique {
        critique,
        consultation_title,
        comments: comments_out,
        themes: themes_out,
        late,
    })
}

/// One critique as `actor` may read it ("not found" otherwise).
pub async fn get(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<Critique> {
    let critique = find(db, id).await?;
    let consultation = consultations::Entity::find_by_id(critique.consultation_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("critique"))?;
    if !can_see(actor, &critique, &consultation) {
        return Err(Error::NotFound("critique"));
    }
    with_citations(db, critique, consultation.title).await
}

/// The critiques of a consultation `actor` may read, newest first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    consultation_id: Uuid,
) -> Result<Vec<Critique>> {
    let consultation = consultations::Entity::find_by_id(consultation_id)
        .one(db)
        .await?
        .filter(|c| c.status != entity::enums::ConsultationStatus::Draft)
        .ok_or(Error::NotFound("consultation"))?;
    let rows = critiques::Entity::find()
        .filter(critiques::Column::ConsultationId.eq(consultation_id))
        .order_by_desc(critiques::Column::CreatedAt)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for critique in rows {
        if can_see(actor, &critique, &consultation) {
            out.push(with_citations(db, critique, consultation.title.clone()).await?);
        }
    }
    Ok(out)
}

/// Marks the sent critiques past their due date, once each, and tells the lead agency and the
/// moderators; returns how many. Run by the deadline job.
pub async fn run_deadlines(db: &DatabaseConnection, today: NaiveDate) -> Result<usize> {
    let late = critiques::Entity::find()
        .filter(critiques::Column::Status.eq(CritiqueStatus::Sent))
        .filter(critiques::Column::OverdueAt.is_null())
        .filter(critiques::Column::DueOn.lt(today))
        .all(db)
        .await?;
    let mut marked = 0;
    for critique in late {
        let txn = crate::db::begin_write(db).await?;
        let updated = critiques::Entity::update_many()
            .col_expr(critiques::Column::OverdueAt, Expr::value(now()))
            .filter(critiques::Column::Id.eq(critique.id))
            .filter(critiques::Column::OverdueAt.is_null())
            .filter(critiques::Column::Status.eq(CritiqueStatus::Sent))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            continue;
        }
        let Some(consultation) = consultations::Entity::find_by_id(critique.consultation_id)
            .one(&txn)
            .await?
        else {
            continue;
        };
        let mut ids: Vec<Uuid> = officers(&txn, consultation.lead_agency_id)
            .await?
            .iter()
            .map(|u| u.id)
            .collect();
        ids.extend(moderators(&txn).await?.iter().map(|u| u.id));
        notify_many(
            &txn,
            &ids,
            "critique_overdue",
            &format!("Quá hạn trả lời văn bản phản biện: {}", critique.title),
            &format!("/critiques/{}", critique.id),
        )
        .await?;
        audit::append(
            &txn,
            None,
            "critique.overdue",
            "critique",
            &critique.id.to_string(),
            json!({ "due_on": critique.due_on.map(|d| d.to_string()) }),
        )
        .await?;
        txn.commit().await?;
        marked += 1;
    }
    Ok(marked)
}

#[cfg(test)]
mod tests {
    use super::codes_in;
    use crate::domain::tracking::TrackingCode;

    #[test]
    fn tracking_codes_are_found_in_running_text_once_each() {
        let a = TrackingCode::generate();
        let b = TrackingCode::generate();
        let text = format!(
            "Theo ý kiến {} và {}, đề nghị ... (xem lại {}). GY-SAI",
            a.as_str(),
            b.as_str().to_lowercase(),
            a.as_str()
        );
        assert_eq!(codes_in(&text), [a.as_str(), b.as_str()]);
    }
}
