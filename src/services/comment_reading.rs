//! Reading comments: public lists and pages, the author's and moderators' view of unpublished
//! ones, and endorsements ("đồng tình").

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::enums::{CommentStatus, Consent, Stance};
use entity::{comments, endorsements};
use sea_orm::sea_query::{Expr, Order};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::policy::{Action, Actor};
use crate::services::comments::{is_public, public_author};
use crate::services::now;

/// How a public list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Newest first.
    #[default]
    Newest,
    /// Oldest first.
    Oldest,
    /// Most endorsed first.
    MostEndorsed,
}

impl Sort {
    /// Parses the `sort` parameter; only known values.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "newest" => Some(Self::Newest),
            "oldest" => Some(Self::Oldest),
            "most_endorsed" => Some(Self::MostEndorsed),
            _ => None,
        }
    }
}

/// Which public comments a list shows.
#[derive(Debug, Clone, Default)]
pub struct PublicFilter {
    /// Only comments on this clause.
    pub clause_id: Option<Uuid>,
    /// Only this stance.
    pub stance: Option<Stance>,
}

/// A comment as the public sees it.
#[derive(Debug, Clone)]
pub struct PublicComment {
    /// Id.
    pub id: Uuid,
    /// Consultation.
    pub consultation_id: Uuid,
    /// Clause, if any.
    pub clause_id: Option<Uuid>,
    /// Stance.
    pub stance: Stance,
    /// Published (redacted) text.
    pub body: String,
    /// Name under which it is published.
    pub author: String,
    /// Whether an organization wrote it.
    pub by_organization: bool,
    /// Submission time.
    pub created_at: DateTime<Utc>,
    /// Endorsements.
    pub endorsement_count: u64,
    /// The agencies' answers, and the agencies still to answer.
    pub routing: crate::services::assignments::PublicRouting,
}

/// The condition that makes a comment public: approved, consented, with a published text.
pub fn public_condition() -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(comments::Column::Status.eq(CommentStatus::Approved))
        .add(comments::Column::Consent.ne(Consent::Private))
        .add(comments::Column::PublicBody.is_not_null())
}

async fn endorsement_counts(db: &DatabaseConnection, ids: Vec<Uuid>) -> Result<HashMap<Uuid, u64>> {
    let rows: Vec<(Uuid, i64)> = endorsements::Entity::find()
        .select_only()
        .column(endorsements::Column::CommentId)
        .column_as(endorsements::Column::UserId.count(), "n")
        .filter(endorsements::Column::CommentId.is_in(ids))
        .group_by(endorsements::Column::CommentId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}

async fn to_public(
    db: &DatabaseConnection,
    rows: Vec<comments::Model>,
) -> Result<Vec<PublicComment>> {
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
    let counts = endorsement_counts(db, ids.clone()).await?;
    let mut routing = crate::services::assignments::public_routing(db, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        out.push(PublicComment {
            author: public_author(db, &c).await?,
            id: c.id,
            consultation_id: c.consultation_id,
            clause_id: c.clause_id,
            stance: c.stance,
            body: c.public_body.clone().unwrap_or_default(),
            by_organization: c.organization_id.is_some(),
            created_at: c.created_at,
            endorsement_count: counts.get(&c.id).copied().unwrap_or(0),
            routing: routing.remove(&c.id).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// A page of a consultation's public comments, with the total.
pub async fn list_public(
    db: &DatabaseConnection,
    consultation_id: Uuid,
    filter: &PublicFilter,
    sort: Sort,
    page: u64,
    per_page: u64,
) -> Result<(Vec<PublicComment>, u64)> {
    let mut query = comments::Entity::find()
        .filter(comments::Column::ConsultationId.eq(consultation_id))
        .filter(public_condition());
    if let Some(clause) = filter.clause_id {
        query = query.filter(comments::Column::ClauseId.eq(clause));
    }
    if let Some(stance) = filter.stance {
        query = query.filter(comments::Column::Stance.eq(stance));
    }
    let query = match sort {
        Sort::Newest => query.order_by_desc(comments::Column::CreatedAt),
        Sort::Oldest => query.order_by_asc(comments::Column::CreatedAt),
        Sort::MostEndorsed => query.order_by(
            Expr::cust(
                "(SELECT COUNT(*) FROM endorsements WHERE endorsements.comment_id = comments.id)",
            ),
            Order::Desc,
        ),
    }
    .order_by_asc(comments::Column::Id);
    let paginator = query.paginate(db, per_page);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.saturating_sub(1)).await?;
    Ok((to_public(db, rows).await?, total))
}

/// One comment for a reader: the public view, or the full record for its author and moderators.
/// Anyone else gets "not found", so unpublished comments do not reveal that they exist.
pub enum CommentView {
    /// What everyone may see.
    Public(PublicComment),
    /// The full record (author or moderator).
    Full(Box<comments::Model>, u64),
}

/// Reads one comment as `actor` may see it.
pub async fn get(db: &DatabaseConnection, id: Uuid, actor: &Actor) -> Result<CommentView> {
    let comment = comments::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("comment"))?;
    if actor.can(&Action::ReadUnpublishedComment {
        author_id: comment.author_id,
    }) {
        let count = endorsement_counts(db, vec![comment.id])
            .await?
            .get(&comment.id)
            .copied()
            .unwrap_or(0);
        return Ok(CommentView::Full(Box::new(comment), count));
    }
    if !is_public(&comment) {
        return Err(Error::NotFound("comment"));
    }
    let mut public = to_public(db, vec![comment]).await?;
    public
        .pop()
        .map(CommentView::Public)
        .ok_or(Error::NotFound("comment"))
}

/// Records that `user_id` agrees with a public comment; a second endorsement by the same person
/// (even sent 50 times at once) counts once. Returns the comment's endorsement count.
pub async fn endorse(db: &DatabaseConnection, comment_id: Uuid, user_id: Uuid) -> Result<u64> {
    let comment = comments::Entity::find_by_id(comment_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("comment"))?;
    if !is_public(&comment) {
        return Err(Error::NotFound("comment"));
    }
    let inserted = endorsements::ActiveModel {
        comment_id: Set(comment_id),
        user_id: Set(user_id),
        created_at: Set(now()),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if Error::is_unique_violation(&e) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(endorsement_counts(db, vec![comment_id])
        .await?
        .get(&comment_id)
        .copied()
        .unwrap_or(0))
}

/// Every comment an author wrote, newest first.
pub async fn list_by_author(
    db: &DatabaseConnection,
    author_id: Uuid,
) -> Result<Vec<comments::Model>> {
    Ok(comments::Entity::find()
        .filter(comments::Column::AuthorId.eq(author_id))
        .order_by_desc(comments::Column::CreatedAt)
        .order_by_asc(comments::Column::Id)
        .all(db)
        .await?)
}

/// Splits the approved comments of a consultation with these tracking codes (canonical,
/// upper-case) into those found, by code, and the codes that name none; the unknown ones in the
/// order given.
pub async fn approved_by_codes<C: sea_orm::ConnectionTrait>(
    db: &C,
    consultation_id: Uuid,
    codes: &[String],
) -> Result<(HashMap<String, Uuid>, Vec<String>)> {
    let found: HashMap<String, Uuid> = if codes.is_empty() {
        HashMap::new()
    } else {
        comments::Entity::find()
            .select_only()
            .column(comments::Column::TrackingCode)
            .column(comments::Column::Id)
            .filter(comments::Column::ConsultationId.eq(consultation_id))
            .filter(comments::Column::Status.eq(CommentStatus::Approved))
            .filter(comments::Column::TrackingCode.is_in(codes.to_vec()))
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let unknown = codes
        .iter()
        .filter(|c| !found.contains_key(*c))
        .cloned()
        .collect();
    Ok((found, unknown))
}
