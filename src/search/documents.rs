//! The search documents of one object, read fresh from the database: a consultation and its
//! clauses; a comment (its published text for those who may read it, its original text for
//! moderators) and the agencies' answers to it.

use chrono::{DateTime, Utc};
use entity::enums::{CommentStatus, Consent, ConsultationStatus};
use entity::{agency_responses, assignments, clauses, comments, consultation_units, consultations};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use tantivy::TantivyDocument;
use uuid::Uuid;

use super::Fields;
use crate::domain::time::VIETNAM;
use crate::error::Result;

/// Visibility token of public documents.
pub const PUBLIC: &str = "public";
/// Visibility token of documents for moderators.
pub const MODERATORS: &str = "moderators";

/// Visibility token of the documents an agency may find.
pub fn agency_token(agency_id: Uuid) -> String {
    format!("agency:{agency_id}")
}

/// Sets each document's `public` flag from its visibility tokens (the index is sorted on it).
pub fn mark_public(f: Fields, docs: &mut [TantivyDocument]) {
    use tantivy::schema::Value;
    for doc in docs {
        let public = doc
            .get_all(f.visibility)
            .any(|v| v.as_str() == Some(PUBLIC));
        doc.add_u64(f.public, u64::from(public));
    }
}

/// Owner key of an object's documents.
pub fn owner(kind: &str, id: Uuid) -> String {
    format!("{kind}:{id}")
}

fn month(at: DateTime<Utc>) -> String {
    at.with_timezone(&VIETNAM).format("%Y-%m").to_string()
}

struct Doc {
    doc: TantivyDocument,
}

impl Doc {
    fn new(f: Fields, id: String, owner: &str, kind: &str, at: DateTime<Utc>) -> Self {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, id);
        doc.add_text(f.owner, owner);
        doc.add_text(f.kind, kind);
        doc.add_text(f.month, month(at));
        doc.add_i64(f.created_at, at.timestamp());
        Self { doc }
    }

    /// The title shown in results and the text searched (which need not include the title:
    /// a comment shows its consultation's title but is found by its own words only).
    fn text(mut self, f: Fields, title: &str, searched: &str) -> Self {
        self.doc.add_text(f.title, title);
        self.doc.add_text(f.exact, searched);
        self.doc.add_text(f.folded, searched);
        self.doc.add_text(f.bigrams, searched);
        self
    }

    fn add(mut self, field: tantivy::schema::Field, value: &str) -> Self {
        self.doc.add_text(field, value);
        self
    }
}

/// The documents of a consultation and its clauses (none for a draft).
pub async fn consultation<C: ConnectionTrait>(
    db: &C,
    f: Fields,
    id: Uuid,
) -> Result<Vec<TantivyDocument>> {
    let Some(c) = consultations::Entity::find_by_id(id).one(db).await? else {
        return Ok(Vec::new());
    };
    if c.status == ConsultationStatus::Draft {
        return Ok(Vec::new());
    }
    let owner_key = owner("consultation", id);
    let at = c.published_at.unwrap_or(c.created_at);
    let units: Vec<String> = unit_codes(db, id).await?;
    let base = |doc: Doc| {
        let mut doc = doc
            .add(f.visibility, PUBLIC)
            .add(f.consultation_id, &id.to_string())
            .add(f.status, c.status.as_str())
            .add(f.agency, &c.lead_agency_id.to_string());
        for unit in &units {
            doc = doc.add(f.unit, unit);
        }
        doc.doc
    };
    let mut out = vec![base(
        Doc::new(f, owner_key.clone(), &owner_key, "consultation", at).text(
            f,
            &c.title,
            &format!("{}\n{}\n{}", c.title, c.summary, c.body),
        ),
    )];
    for clause in clauses::Entity::find()
        .filter(clauses::Column::ConsultationId.eq(id))
        .all(db)
        .await?
    {
        let label = crate::services::moderation::clause_label(&clause);
        let title = match &clause.heading {
            Some(heading) => format!("{label}. {heading}"),
            None => label,
        };
        out.push(base(
            Doc::new(f, owner("clause", clause.id), &owner_key, "clause", at).text(
                f,
                &title,
                &format!("{title}\n{}", clause.body),
            ),
        ));
    }
    mark_public(f, &mut out);
    Ok(out)
}

async fn unit_codes<C: ConnectionTrait>(db: &C, consultation_id: Uuid) -> Result<Vec<String>> {
    let ids: Vec<Uuid> = consultation_units::Entity::find()
        .filter(consultation_units::Column::ConsultationId.eq(consultation_id))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.unit_id)
        .collect();
    Ok(entity::admin_units::Entity::find()
        .filter(entity::admin_units::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| u.code)
        .collect())
}

/// The documents of a comment: `comment_full` (original text, moderators, any status); and,
/// once approved, `comment` (the published, redacted text: public when its author consented,
/// and for the agencies it was assigned to) and one `answer` per agency answer.
pub async fn comment<C: ConnectionTrait>(
    db: &C,
    f: Fields,
    id: Uuid,
) -> Result<Vec<TantivyDocument>> {
    let Some(c) = comments::Entity::find_by_id(id).one(db).await? else {
        return Ok(Vec::new());
    };
    let consultation_title = consultations::Entity::find_by_id(c.consultation_id)
        .one(db)
        .await?
        .map(|c| c.title)
        .unwrap_or_default();
    let owner_key = owner("comment", id);
    let author_kind = if c.organization_id.is_some() {
        "organization"
    } else if c.author_id.is_none() {
        "imported"
    } else {
        "resident"
    };
    let unit = match c.unit_id {
        Some(unit) => entity::admin_units::Entity::find_by_id(unit)
            .one(db)
            .await?
            .and_then(|u| u.code),
        None => None,
    };
    let agencies: Vec<Uuid> = assignments::Entity::find()
        .filter(assignments::Column::CommentId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.agency_id)
        .collect();
    let common = |doc: Doc| {
        let mut doc = doc
            .add(f.consultation_id, &c.consultation_id.to_string())
            .add(f.comment_id, &id.to_string())
            .add(f.stance, c.stance.as_str())
            .add(f.status, c.status.as_str())
            .add(f.author_kind, author_kind);
        if let Some(unit) = &unit {
            doc = doc.add(f.unit, unit);
        }
        for agency in &agencies {
            doc = doc.add(f.agency, &agency.to_string());
        }
        doc
    };
    let mut out = vec![
        common(
            Doc::new(
                f,
                owner("comment_full", id),
                &owner_key,
                "comment_full",
                c.created_at,
            )
            .text(
                f,
                &format!("{} · {consultation_title}", c.tracking_code),
                &c.body,
            ),
        )
        .add(f.visibility, MODERATORS)
        .add(f.tracking_code, &c.tracking_code)
        .doc,
    ];
    let published = c.status == CommentStatus::Approved;
    if let (true, Some(public_body)) = (published, c.public_body.as_deref()) {
        let mut doc = common(
            Doc::new(f, owner_key.clone(), &owner_key, "comment", c.created_at).text(
                f,
                &consultation_title,
                public_body,
            ),
        );
        if c.consent != Consent::Private {
            doc = doc.add(f.visibility, PUBLIC);
        }
        for agency in &agencies {
            doc = doc.add(f.visibility, &agency_token(*agency));
        }
        out.push(doc.doc);
        for answer in agency_responses::Entity::find()
            .filter(agency_responses::Column::CommentId.eq(id))
            .all(db)
            .await?
        {
            let mut doc = common(
                Doc::new(
                    f,
                    owner("answer", answer.id),
                    &owner_key,
                    "answer",
                    answer.created_at,
                )
                .text(f, &consultation_title, &answer.body),
            )
            .add(f.visibility, MODERATORS)
            .add(f.visibility, &agency_token(answer.agency_id));
            // An answer to a comment published without consent stays with those who handle it.
            if c.consent != Consent::Private {
                doc = doc.add(f.visibility, PUBLIC);
            }
            out.push(doc.doc);
        }
    }
    mark_public(f, &mut out);
    Ok(out)
}
