//! The demo's record: one concluded consultation with comments keyed in from paper forms and
//! meetings, moderated, routed to the lead agency and mostly answered, then closed.
//!
//! `gopy serve --demo` loads it once (after the demo accounts), so the synthesis, the acceptance
//! table, the supervision dashboard, the feeds and the search have something true to show. It
//! goes through the same services as real work (import, bulk approval with routing, answers,
//! closing), so every step is on the audit trail and in the search index like any other.

use entity::enums::{CommentStatus, Decision};
use entity::{assignments, comments, consultations, users};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;

use crate::config::Settings;
use crate::error::{Error, Result};
use crate::policy::{Actor, ActorAccount};
use crate::services::assignments::AnswerInput;
use crate::services::import::Format;
use crate::services::moderation::DecisionRequest;
use crate::services::{assignments as assigning, authoring, first_run, import, moderation};

/// The demo history, compiled into the binary.
const SOURCE: &str = include_str!("../../data/samples/demo-history.json");

#[derive(Debug, Deserialize)]
struct History {
    consultation: serde_json::Value,
    comments: Vec<HistoryComment>,
}

#[derive(Debug, Deserialize)]
struct HistoryComment {
    stance: String,
    clause: String,
    author_name: String,
    #[serde(default)]
    organization: Option<String>,
    channel: String,
    consent: String,
    body: String,
    answer: Option<HistoryAnswer>,
}

#[derive(Debug, Deserialize)]
struct HistoryAnswer {
    disposition: String,
    body: String,
}

/// Loads the demo history unless its consultation is already there. Returns whether it loaded.
///
/// `moderator` keys in and approves the comments; `officer` (of the consultation's lead agency)
/// answers them and closes the consultation.
pub async fn ensure(
    db: &DatabaseConnection,
    settings: &Settings,
    base_url: &str,
    moderator: &users::Model,
    officer: &users::Model,
) -> Result<bool> {
    let history: History = serde_json::from_str(SOURCE)
        .map_err(|e| Error::Internal(anyhow::anyhow!("demo history does not parse: {e}")))?;
    let title = history.consultation["title"].as_str().unwrap_or_default();
    let title = crate::domain::text::normalize(title);
    let exists = consultations::Entity::find()
        .filter(consultations::Column::Title.eq(title))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(false);
    }
    let source = serde_json::json!({ "consultations": [history.consultation] }).to_string();
    let ids = {
        let txn = crate::db::begin_write(db).await?;
        let ids = first_run::load_samples(&txn, &source).await?;
        txn.commit().await?;
        ids
    };
    let Some(&consultation_id) = ids.first() else {
        return Ok(false);
    };
    let moderator_actor = actor_of(moderator);
    let officer_actor = actor_of(officer);
    let report = import::import_comments(
        db,
        consultation_id,
        Some(moderator.id),
        Format::JsonLines,
        json_lines(&history.comments).as_bytes(),
    )
    .await?;
    let pending: Vec<_> = comments::Entity::find()
        .filter(comments::Column::ConsultationId.eq(consultation_id))
        .filter(comments::Column::Status.eq(CommentStatus::Pending))
        .order_by_asc(comments::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    moderation::decide_many(
        db,
        &moderator_actor,
        &pending,
        DecisionRequest::new(Decision::Approve),
        &settings.answer_working_days,
        base_url,
    )
    .await?;
    for (code, comment) in report.tracking_codes.iter().zip(&history.comments) {
        let Some(answer) = &comment.answer else {
            continue;
        };
        let Some(assignment) = assignment_of(db, code, officer).await? else {
            continue;
        };
        let input = AnswerInput {
            disposition: answer.disposition.clone(),
            body: answer.body.clone(),
            whole_campaign: false,
        };
        assigning::answer(db, &officer_actor, assignment.id, input, base_url).await?;
    }
    authoring::close(db, &officer_actor, consultation_id).await?;
    Ok(true)
}

/// The comments as the import's JSON Lines.
fn json_lines(comments: &[HistoryComment]) -> String {
    let mut out = String::new();
    for c in comments {
        let mut row = serde_json::json!({
            "body": c.body,
            "stance": c.stance,
            "author_name": c.author_name,
            "channel": c.channel,
            "consent": c.consent,
        });
        if !c.clause.is_empty() {
            row["clause"] = c.clause.clone().into();
        }
        if let Some(organization) = &c.organization {
            row["organization"] = organization.clone().into();
        }
        out.push_str(&row.to_string());
        out.push('\n');
    }
    out
}

/// The open assignment of the comment with `code` to the officer's agency.
async fn assignment_of(
    db: &DatabaseConnection,
    code: &str,
    officer: &users::Model,
) -> Result<Option<assignments::Model>> {
    let Some(comment) = comments::Entity::find()
        .filter(comments::Column::TrackingCode.eq(code))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(assignments::Entity::find()
        .filter(assignments::Column::CommentId.eq(comment.id))
        .filter(assignments::Column::AgencyId.eq(officer.agency_id))
        .one(db)
        .await?)
}

fn actor_of(user: &users::Model) -> Actor {
    Actor {
        account: Some(ActorAccount {
            user_id: user.id,
            role: user.role,
            agency_id: user.agency_id,
            organization_id: user.organization_id,
            verified: user.email_verified_at.is_some(),
        }),
    }
}
