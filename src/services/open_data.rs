//! Open data: the public record (published consultations, published comments and the agencies'
//! answers to them) as datasets under the CC BY 4.0 licence, read in keyset pages so that a
//! download never holds a whole table in memory. The same queries feed the Atom feeds and the
//! Open311 endpoint.
//!
//! Only what the public pages show is ever read out: a comment's `public_body` (the moderated,
//! redacted text, never `body`), its author under the publication rule of
//! [`public_author`](crate::services::comments::public_author), and answers to public comments.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::enums::{Consent, ConsultationStatus};
use entity::{agencies, agency_responses, comments, consultations, organizations, users};
use sea_orm::sea_query::{Expr, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde::Serialize;
use uuid::Uuid;

use crate::error::Result;
use crate::services::acceptance::disposition_vi;
use crate::services::comment_reading::public_condition;
use crate::services::consultations::effective_status;
use crate::services::now;

/// The licence of every dataset.
pub const LICENCE: &str = "CC BY 4.0";
/// Where the licence's text is.
pub const LICENCE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";
/// The attribution the licence asks for.
pub const SOURCE: &str = "gopy – Cổng góp ý của thành phố Cần Thơ (UBND thành phố Cần Thơ)";
/// Rows read from the database at a time.
pub const PAGE_SIZE: u64 = 500;
/// The name under which a comment is published when its author is not named.
const ANONYMOUS: &str = "Người dân";

/// A published consultation.
#[derive(Debug, Clone, Serialize)]
pub struct ConsultationRecord {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// `general_plan`, `zoning_plan`, `detailed_plan`, `investment_project` or `policy`.
    pub kind: &'static str,
    /// `open`, `closed` or `concluded`, as of now.
    pub status: &'static str,
    /// Version number (1, 2 ...).
    pub version: i32,
    /// The lead agency's name.
    pub lead_agency: String,
    /// Start of the comment window.
    pub opens_at: DateTime<Utc>,
    /// End of the comment window.
    pub closes_at: DateTime<Utc>,
    /// When it was published.
    pub published_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A published comment.
#[derive(Debug, Clone, Serialize)]
pub struct CommentRecord {
    /// Id.
    pub id: Uuid,
    /// Tracking code.
    pub tracking_code: String,
    /// The consultation.
    pub consultation_id: Uuid,
    /// The clause, if the comment is on one.
    pub clause_id: Option<Uuid>,
    /// `support`, `oppose`, `suggest` or `question`.
    pub stance: &'static str,
    /// The name under which it is published.
    pub author: String,
    /// Whether an organization wrote it.
    pub by_organization: bool,
    /// The published (moderated, redacted) text.
    pub body: String,
    /// Submission time.
    pub created_at: DateTime<Utc>,
}

/// An agency's answer to a published comment.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerRecord {
    /// Id.
    pub id: Uuid,
    /// The comment answered.
    pub comment_id: Uuid,
    /// Its tracking code.
    pub tracking_code: String,
    /// Its consultation.
    pub consultation_id: Uuid,
    /// The agency's name.
    pub agency: String,
    /// `accepted`, `partially_accepted`, `not_accepted` or `explained`.
    pub disposition: &'static str,
    /// The disposition in Vietnamese.
    pub disposition_label: &'static str,
    /// The answer.
    pub body: String,
    /// When it was given.
    pub answered_at: DateTime<Utc>,
}

/// Published consultations: everything but drafts.
fn published() -> sea_orm::Condition {
    sea_orm::Condition::all().add(consultations::Column::Status.ne(ConsultationStatus::Draft))
}

/// The ids of the public comments (of one consultation, if given).
pub fn public_comment_ids(consultation_id: Option<Uuid>) -> SelectStatement {
    let mut query = comments::Entity::find()
        .select_only()
        .column(comments::Column::Id)
        .filter(public_condition())
        .filter(
            comments::Column::ConsultationId.in_subquery(
                consultations::Entity::find()
                    .select_only()
                    .column(consultations::Column::Id)
                    .filter(published())
                    .into_query(),
            ),
        );
    if let Some(id) = consultation_id {
        query = query.filter(comments::Column::ConsultationId.eq(id));
    }
    query.into_query()
}

/// Agency names by id.
pub async fn agency_names<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = ids
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String)> = agencies::Entity::find()
        .select_only()
        .column(agencies::Column::Id)
        .column(agencies::Column::Name)
        .filter(agencies::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The published names of the authors of public comments, by comment id, in two queries: the
/// organization's name; the consented name only for `public_named`; otherwise "Người dân".
pub async fn public_authors<C: ConnectionTrait>(
    db: &C,
    rows: &[comments::Model],
) -> Result<HashMap<Uuid, String>> {
    let org_ids: HashSet<Uuid> = rows.iter().filter_map(|c| c.organization_id).collect();
    let orgs: HashMap<Uuid, String> = if org_ids.is_empty() {
        HashMap::new()
    } else {
        organizations::Entity::find()
            .select_only()
            .column(organizations::Column::Id)
            .column(organizations::Column::Name)
            .filter(organizations::Column::Id.is_in(org_ids))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let user_ids: HashSet<Uuid> = rows
        .iter()
        .filter(|c| c.consent == Consent::PublicNamed && c.author_name.is_none())
        .filter_map(|c| c.author_id)
        .collect();
    let names: HashMap<Uuid, String> = if user_ids.is_empty() {
        HashMap::new()
    } else {
        users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::DisplayName)
            .filter(users::Column::Id.is_in(user_ids))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(rows
        .iter()
        .map(|c| {
            let org = c.organization_id.and_then(|id| orgs.get(&id));
            let name = if let Some(org) = org {
                org.clone()
            } else if c.consent != Consent::PublicNamed {
                ANONYMOUS.to_owned()
            } else if let Some(name) = &c.author_name {
                name.clone()
            } else {
                c.author_id
                    .and_then(|id| names.get(&id))
                    .cloned()
                    .unwrap_or_else(|| ANONYMOUS.to_owned())
            };
            (c.id, name)
        })
        .collect())
}

/// Turns consultations into records.
pub async fn consultation_records<C: ConnectionTrait>(
    db: &C,
    rows: Vec<consultations::Model>,
) -> Result<Vec<ConsultationRecord>> {
    let agencies = agency_names(db, rows.iter().map(|c| c.lead_agency_id)).await?;
    let at = now();
    Ok(rows
        .into_iter()
        .map(|c| ConsultationRecord {
            kind: c.kind.as_str(),
            status: effective_status(&c, at).as_str(),
            lead_agency: agencies.get(&c.lead_agency_id).cloned().unwrap_or_default(),
            id: c.id,
            title: c.title,
            summary: c.summary,
            version: c.version,
            opens_at: c.opens_at,
            closes_at: c.closes_at,
            published_at: c.published_at,
            updated_at: c.updated_at,
        })
        .collect())
}

/// The published consultations after `after` in id order (one, with `consultation_id`).
pub async fn consultations_page<C: ConnectionTrait>(
    db: &C,
    consultation_id: Option<Uuid>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<ConsultationRecord>> {
    let mut query = consultations::Entity::find().filter(published());
    if let Some(id) = consultation_id {
        query = query.filter(consultations::Column::Id.eq(id));
    }
    if let Some(after) = after {
        query = query.filter(consultations::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(consultations::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    consultation_records(db, rows).await
}

/// The newest published consultations, by publication time.
pub async fn newest_consultations<C: ConnectionTrait>(
    db: &C,
    limit: u64,
) -> Result<Vec<ConsultationRecord>> {
    let rows = consultations::Entity::find()
        .filter(published())
        .order_by_desc(consultations::Column::PublishedAt)
        .order_by_desc(consultations::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    consultation_records(db, rows).await
}

/// The public comments after `after` in id order (of one consultation, if given).
pub async fn comments_page<C: ConnectionTrait>(
    db: &C,
    consultation_id: Option<Uuid>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<CommentRecord>> {
    let mut query = comments::Entity::find()
        .filter(comments::Column::Id.in_subquery(public_comment_ids(consultation_id)));
    if let Some(after) = after {
        query = query.filter(comments::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(comments::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut authors = public_authors(db, &rows).await?;
    Ok(rows
        .into_iter()
        .map(|c| CommentRecord {
            author: authors
                .remove(&c.id)
                .unwrap_or_else(|| ANONYMOUS.to_owned()),
            by_organization: c.organization_id.is_some(),
            stance: c.stance.as_str(),
            body: c.public_body.unwrap_or_default(),
            id: c.id,
            tracking_code: c.tracking_code,
            consultation_id: c.consultation_id,
            clause_id: c.clause_id,
            created_at: c.created_at,
        })
        .collect())
}

/// Turns answers into records.
async fn answer_records<C: ConnectionTrait>(
    db: &C,
    rows: Vec<agency_responses::Model>,
) -> Result<Vec<AnswerRecord>> {
    let agencies = agency_names(db, rows.iter().map(|r| r.agency_id)).await?;
    let comment_ids: HashSet<Uuid> = rows.iter().map(|r| r.comment_id).collect();
    let comments: HashMap<Uuid, (String, Uuid)> = if comment_ids.is_empty() {
        HashMap::new()
    } else {
        comments::Entity::find()
            .select_only()
            .column(comments::Column::Id)
            .column(comments::Column::TrackingCode)
            .column(comments::Column::ConsultationId)
            .filter(comments::Column::Id.is_in(comment_ids))
            .into_tuple::<(Uuid, String, Uuid)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, code, consultation)| (id, (code, consultation)))
            .collect()
    };
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let (tracking_code, consultation_id) = comments.get(&r.comment_id)?.clone();
            Some(AnswerRecord {
                agency: agencies.get(&r.agency_id).cloned().unwrap_or_default(),
                disposition: r.disposition.as_str(),
                disposition_label: disposition_vi(Some(r.disposition)),
                id: r.id,
                comment_id: r.comment_id,
                tracking_code,
                consultation_id,
                body: r.body,
                answered_at: r.created_at,
            })
        })
        .collect())
}

fn public_answers(consultation_id: Option<Uuid>) -> sea_orm::Select<agency_responses::Entity> {
    agency_responses::Entity::find().filter(
        agency_responses::Column::CommentId.in_subquery(public_comment_ids(consultation_id)),
    )
}

/// The answers to public comments after `after` in id order (of one consultation, if given).
pub async fn answers_page<C: ConnectionTrait>(
    db: &C,
    consultation_id: Option<Uuid>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<AnswerRecord>> {
    let mut query = public_answers(consultation_id);
    if let Some(after) = after {
        query = query.filter(agency_responses::Column::Id.gt(after));
    }
    let rows = query
        .order_by_asc(agency_responses::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    answer_records(db, rows).await
}

/// The newest answers to public comments.
pub async fn newest_answers<C: ConnectionTrait>(db: &C, limit: u64) -> Result<Vec<AnswerRecord>> {
    let rows = public_answers(None)
        .order_by_desc(agency_responses::Column::CreatedAt)
        .order_by_desc(agency_responses::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    answer_records(db, rows).await
}

/// Whether a comment has an answer: an `EXISTS` over `agency_responses`.
pub fn answered() -> sea_orm::sea_query::SimpleExpr {
    Expr::cust(
        "EXISTS (SELECT 1 FROM agency_responses WHERE agency_responses.comment_id = comments.id)",
    )
}
