//! The Fatherland Front's synthesis of a consultation: what was received and decided, the
//! approved comments counted by stance, clause, unit, author kind and organization, participation
//! day by day, the themes moderators grouped comments under (with groupings suggested from the
//! merged campaigns), and the most endorsed public comments.
//!
//! Who reads it is the reports' rule ([`crate::services::acceptance::readable`]): moderators,
//! the lead agency and admins at any time, everyone once the consultation has closed. Counts
//! include approved comments whose authors asked not to publish them (a count reveals nothing);
//! texts shown are published texts only.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{CommentStatus, Stance};
use entity::{
    admin_units, agencies, campaigns, clauses, comment_themes, comments, consultations,
    endorsements, organizations, themes,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Iterable,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{Error, FieldErrors, Result};
use crate::policy::Actor;
use crate::services::moderation::ensure_moderator;
use crate::services::{acceptance, audit, comment_reading, new_id, now};

/// The longest theme label.
pub const LABEL_MAX: usize = 120;
/// Most endorsed comments shown.
const TOP: u64 = 5;

/// A label and a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// What is counted.
    pub label: String,
    /// How many.
    pub count: u64,
}

/// A clause and its approved comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseCount {
    /// The clause, or `None` for the draft as a whole.
    pub clause_id: Option<Uuid>,
    /// "Toàn bộ dự thảo", "Điều 3, khoản 2" ...
    pub label: String,
    /// Approved comments.
    pub count: u64,
}

/// A theme and its approved comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeCount {
    /// The theme.
    pub id: Uuid,
    /// Its label.
    pub label: String,
    /// Approved comments under it.
    pub count: u64,
}

/// A merged campaign that is not a theme yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The campaign.
    pub campaign_id: Uuid,
    /// The label the theme would get.
    pub label: String,
    /// Approved comments in it.
    pub size: u64,
}

/// A public comment among the most endorsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endorsed {
    /// The comment.
    pub comment_id: Uuid,
    /// Its clause.
    pub clause: String,
    /// Its published text.
    pub body: String,
    /// Endorsements.
    pub endorsements: u64,
}

/// The synthesis.
#[derive(Debug, Clone, Serialize)]
pub struct Synthesis {
    /// The consultation.
    pub consultation_id: Uuid,
    /// Its title.
    pub title: String,
    /// Its lead agency.
    pub agency_name: String,
    /// Whether it has closed.
    pub closed: bool,
    /// Comments received (every status).
    pub received: u64,
    /// Approved.
    pub approved: u64,
    /// Waiting for moderation (or for the author's edit).
    pub pending: u64,
    /// Rejected.
    pub rejected: u64,
    /// Approved comments answered by an agency.
    pub answered: u64,
    /// Approved comments by stance, every stance listed.
    pub by_stance: Vec<(Stance, u64)>,
    /// By clause, in the draft's order (clauses without comments left out).
    pub by_clause: Vec<ClauseCount>,
    /// By the unit the comment concerns, most first.
    pub by_unit: Vec<Count>,
    /// Residents, then organizations.
    pub by_author_kind: Vec<(acceptance::Group, u64)>,
    /// By organization, most first.
    pub by_organization: Vec<Count>,
    /// Comments received per day (Vietnam time), every day from the first to the last.
    pub per_day: Vec<(NaiveDate, u64)>,
    /// Themes, most comments first.
    pub themes: Vec<ThemeCount>,
    /// Campaigns that could become themes.
    pub suggestions: Vec<Suggestion>,
    /// The most endorsed public comments.
    pub most_endorsed: Vec<Endorsed>,
}

fn sorted_counts(map: HashMap<String, u64>) -> Vec<Count> {
    let mut out: Vec<Count> = map
        .into_iter()
        .map(|(label, count)| Count { label, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    out
}

/// The synthesis of a consultation, as `actor` may read it.
pub async fn synthesis(
    db: &DatabaseConnection,
    actor: &Actor,
    consultation_id: Uuid,
) -> Result<Synthesis> {
    let consultation = acceptance::readable(db, actor, consultation_id).await?;
    build(db, &consultation).await
}

type CommentFacts = (
    Uuid,
    CommentStatus,
    Stance,
    Option<Uuid>,
    Option<Uuid>,
    Option<Uuid>,
    Option<Uuid>,
    DateTime<Utc>,
);

async fn build<C: ConnectionTrait>(
    db: &C,
    consultation: &consultations::Model,
) -> Result<Synthesis> {
    let facts: Vec<CommentFacts> = comments::Entity::find()
        .select_only()
        .column(comments::Column::Id)
        .column(comments::Column::Status)
        .column(comments::Column::Stance)
        .column(comments::Column::ClauseId)
        .column(comments::Column::UnitId)
        .column(comments::Column::OrganizationId)
        .column(comments::Column::CampaignId)
        .column(comments::Column::CreatedAt)
        .filter(comments::Column::ConsultationId.eq(consultation.id))
        .into_tuple()
        .all(db)
        .await?;
    let clause_rows = clauses::Entity::find()
        .filter(clauses::Column::ConsultationId.eq(consultation.id))
        .order_by_asc(clauses::Column::Position)
        .order_by_asc(clauses::Column::Id)
        .all(db)
        .await?;
    let labels = acceptance::clause_labels(&clause_rows);
    let unit_names: HashMap<Uuid, String> = admin_units::Entity::find()
        .select_only()
        .column(admin_units::Column::Id)
        .column(admin_units::Column::Name)
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let organization_names: HashMap<Uuid, String> = organizations::Entity::find()
        .select_only()
        .column(organizations::Column::Id)
        .column(organizations::Column::Name)
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();

    let mut received = 0;
    let mut pending = 0;
    let mut rejected = 0;
    let mut approved_ids: HashSet<Uuid> = HashSet::new();
    let mut stance: HashMap<Stance, u64> = HashMap::new();
    let mut per_clause: HashMap<Option<Uuid>, u64> = HashMap::new();
    let mut units: HashMap<String, u64> = HashMap::new();
    let mut organizations_count: HashMap<String, u64> = HashMap::new();
    let mut residents = 0;
    let mut by_organization_kind = 0;
    let mut days: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let mut campaign_sizes: HashMap<Uuid, u64> = HashMap::new();
    for (id, status, st, clause, unit, organization, campaign, created_at) in facts {
        received += 1;
        *days
            .entry(
                created_at
                    .with_timezone(&crate::domain::time::VIETNAM)
                    .date_naive(),
            )
            .or_default() += 1;
        match status {
            CommentStatus::Pending | CommentStatus::EditRequested => pending += 1,
            CommentStatus::Rejected => rejected += 1,
            CommentStatus::Approved => {
                approved_ids.insert(id);
                *stance.entry(st).or_default() += 1;
                *per_clause.entry(clause).or_default() += 1;
                let unit = unit
                    .and_then(|u| unit_names.get(&u).cloned())
                    .unwrap_or_else(|| "Không ghi địa bàn".to_owned());
                *units.entry(unit).or_default() += 1;
                match organization.and_then(|o| organization_names.get(&o)) {
                    Some(name) => {
                        by_organization_kind += 1;
                        *organizations_count.entry(name.clone()).or_default() += 1;
                    }
                    None => residents += 1,
                }
                if let Some(campaign) = campaign {
                    *campaign_sizes.entry(campaign).or_default() += 1;
                }
            }
        }
    }
    let approved = approved_ids.len() as u64;

    let answered: u64 = if approved_ids.is_empty() {
        0
    } else {
        let ids: HashSet<Uuid> = entity::agency_responses::Entity::find()
            .select_only()
            .column(entity::agency_responses::Column::CommentId)
            .filter(
                entity::agency_responses::Column::CommentId
                    .in_subquery(approved_subquery(consultation.id)),
            )
            .into_tuple::<Uuid>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        ids.len() as u64
    };

    let mut by_clause = Vec::new();
    if let Some(n) = per_clause.get(&None) {
        by_clause.push(ClauseCount {
            clause_id: None,
            label: acceptance::WHOLE_DRAFT.to_owned(),
            count: *n,
        });
    }
    for clause in &clause_rows {
        if let Some(n) = per_clause.get(&Some(clause.id)) {
            by_clause.push(ClauseCount {
                clause_id: Some(clause.id),
                label: labels.get(&clause.id).cloned().unwrap_or_default(),
                count: *n,
            });
        }
    }

    let per_day = match (days.keys().next(), days.keys().next_back()) {
        (Some(first), Some(last)) => first
            .iter_days()
            .take_while(|d| d <= last)
            .map(|d| (d, days.get(&d).copied().unwrap_or(0)))
            .collect(),
        _ => Vec::new(),
    };

    let theme_rows = themes::Entity::find()
        .filter(themes::Column::ConsultationId.eq(consultation.id))
        .all(db)
        .await?;
    let tags: Vec<(Uuid, Uuid)> = if theme_rows.is_empty() {
        Vec::new()
    } else {
        comment_themes::Entity::find()
            .select_only()
            .column(comment_themes::Column::ThemeId)
            .column(comment_themes::Column::CommentId)
            .filter(comment_themes::Column::ThemeId.is_in(theme_rows.iter().map(|t| t.id)))
            .into_tuple()
            .all(db)
            .await?
    };
    let mut theme_counts: HashMap<Uuid, u64> = HashMap::new();
    for (theme, comment) in tags {
        if approved_ids.contains(&comment) {
            *theme_counts.entry(theme).or_default() += 1;
        }
    }
    let mut themes_out: Vec<ThemeCount> = theme_rows
        .iter()
        .map(|t| ThemeCount {
            id: t.id,
            label: t.label.clone(),
            count: theme_counts.get(&t.id).copied().unwrap_or(0),
        })
        .collect();
    themes_out.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    let theme_labels: HashSet<&str> = theme_rows.iter().map(|t| t.label.as_str()).collect();

    let mut suggestions = Vec::new();
    for campaign in campaigns::Entity::find()
        .filter(campaigns::Column::ConsultationId.eq(consultation.id))
        .order_by_asc(campaigns::Column::CreatedAt)
        .all(db)
        .await?
    {
        let size = campaign_sizes.get(&campaign.id).copied().unwrap_or(0);
        let label = campaign_label(&campaign);
        if size >= 2 && !theme_labels.contains(label.as_str()) {
            suggestions.push(Suggestion {
                campaign_id: campaign.id,
                label,
                size,
            });
        }
    }
    suggestions.sort_by_key(|s| std::cmp::Reverse(s.size));

    let agency_name = agencies::Entity::find_by_id(consultation.lead_agency_id)
        .one(db)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    Ok(Synthesis {
        consultation_id: consultation.id,
        title: consultation.title.clone(),
        agency_name,
        closed: acceptance::is_closed(consultation),
        received,
        approved,
        pending,
        rejected,
        answered,
        by_stance: Stance::iter()
            .map(|s| (s, stance.get(&s).copied().unwrap_or(0)))
            .collect(),
        by_clause,
        by_unit: sorted_counts(units),
        by_author_kind: vec![
            (acceptance::Group::Resident, residents),
            (acceptance::Group::Organization, by_organization_kind),
        ],
        by_organization: sorted_counts(organizations_count),
        per_day,
        themes: themes_out,
        suggestions,
        most_endorsed: most_endorsed(db, consultation.id, &labels).await?,
    })
}

fn approved_subquery(consultation_id: Uuid) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(comments::Column::Id)
        .from(comments::Entity)
        .and_where(comments::Column::ConsultationId.eq(consultation_id))
        .and_where(comments::Column::Status.eq(CommentStatus::Approved))
        .to_owned()
}

fn campaign_label(campaign: &campaigns::Model) -> String {
    campaign
        .label
        .clone()
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_else(|| {
            let id = campaign.id.simple().to_string();
            format!("Nhóm ý kiến trùng nhau {}", &id[id.len() - 6..])
        })
}

async fn most_endorsed<C: ConnectionTrait>(
    db: &C,
    consultation_id: Uuid,
    labels: &HashMap<Uuid, String>,
) -> Result<Vec<Endorsed>> {
    let counts: Vec<(Uuid, i64)> = endorsements::Entity::find()
        .select_only()
        .column(endorsements::Column::CommentId)
        .column_as(endorsements::Column::UserId.count(), "n")
        .inner_join(comments::Entity)
        .filter(comments::Column::ConsultationId.eq(consultation_id))
        .filter(comment_reading::public_condition())
        .group_by(endorsements::Column::CommentId)
        .order_by_desc(endorsements::Column::UserId.count())
        .order_by_asc(endorsements::Column::CommentId)
        .limit(TOP)
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<Uuid> = counts.iter().map(|(id, _)| *id).collect();
    let rows: HashMap<Uuid, comments::Model> = comments::Entity::find()
        .filter(comments::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(counts
        .into_iter()
        .filter_map(|(id, n)| {
            let c = rows.get(&id)?;
            Some(Endorsed {
                comment_id: id,
                clause: c.clause_id.map_or_else(
                    || acceptance::WHOLE_DRAFT.to_owned(),
                    |cl| labels.get(&cl).cloned().unwrap_or_default(),
                ),
                body: c.public_body.clone().unwrap_or_default(),
                endorsements: u64::try_from(n).unwrap_or(0),
            })
        })
        .collect())
}

/// The approved comments of a consultation with these tracking codes; an unknown code, or one
/// of a comment that is not approved, is a field error naming it.
async fn approved_by_codes<C: ConnectionTrait>(
    db: &C,
    consultation_id: Uuid,
    codes: &[String],
) -> Result<Vec<Uuid>> {
    let wanted: Vec<String> = codes
        .iter()
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    let (found, unknown) = comment_reading::approved_by_codes(db, consultation_id, &wanted).await?;
    let mut errors = FieldErrors::default();
    if !unknown.is_empty() {
        errors.push(
            "tracking_codes",
            "unknown_comment",
            format!(
                "Không có ý kiến đã duyệt nào của đợt lấy ý kiến này với mã: {}.",
                unknown.join(", ")
            ),
        );
    }
    errors.into_result()?;
    let mut ids: Vec<Uuid> = found.into_values().collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Splits tracking codes typed one per line, or separated by commas or spaces.
pub fn codes_from_text(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
        .map(ToOwned::to_owned)
        .collect()
}

async fn tag<C: ConnectionTrait>(db: &C, theme_id: Uuid, comment_ids: &[Uuid]) -> Result<u64> {
    let existing: HashSet<Uuid> = comment_themes::Entity::find()
        .select_only()
        .column(comment_themes::Column::CommentId)
        .filter(comment_themes::Column::ThemeId.eq(theme_id))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let at = now();
    let new: Vec<comment_themes::ActiveModel> = comment_ids
        .iter()
        .filter(|id| !existing.contains(id))
        .map(|id| comment_themes::ActiveModel {
            theme_id: Set(theme_id),
            comment_id: Set(*id),
            created_at: Set(at),
        })
        .collect();
    let added = new.len() as u64;
    for chunk in new.chunks(500) {
        comment_themes::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(added)
}

/// Creates a theme on a consultation (moderators), with the approved comments of these tracking
/// codes under it.
pub async fn create_theme(
    db: &DatabaseConnection,
    actor: &Actor,
    consultation_id: Uuid,
    label: &str,
    tracking_codes: &[String],
) -> Result<themes::Model> {
    ensure_moderator(actor)?;
    let label = crate::domain::text::normalize(label).trim().to_owned();
    let mut errors = FieldErrors::default();
    if label.is_empty() {
        errors.push("label", "required", "Nhập tên chủ đề.");
    } else if label.chars().count() > LABEL_MAX {
        errors.push(
            "label",
            "too_long",
            format!("Tên chủ đề dài tối đa {LABEL_MAX} ký tự."),
        );
    }
    errors.into_result()?;
    consultations::Entity::find_by_id(consultation_id)
        .one(db)
        .await?
        .filter(|c| c.status != entity::enums::ConsultationStatus::Draft)
        .ok_or(Error::NotFound("consultation"))?;
    let txn = crate::db::begin_write(db).await?;
    let exists = themes::Entity::find()
        .filter(themes::Column::ConsultationId.eq(consultation_id))
        .filter(themes::Column::Label.eq(label.clone()))
        .one(&txn)
        .await?
        .is_some();
    if exists {
        return Err(Error::Conflict {
            code: "theme_exists",
            detail: "A theme with this label already exists on this consultation.".to_owned(),
        });
    }
    let ids = approved_by_codes(&txn, consultation_id, tracking_codes).await?;
    let theme = themes::Model {
        id: new_id(),
        consultation_id,
        label,
        created_by: actor.account.as_ref().map(|a| a.user_id),
        created_at: now(),
    };
    themes::Entity::insert(themes::ActiveModel {
        id: Set(theme.id),
        consultation_id: Set(theme.consultation_id),
        label: Set(theme.label.clone()),
        created_by: Set(theme.created_by),
        created_at: Set(theme.created_at),
    })
    .exec_without_returning(&txn)
    .await?;
    let added = tag(&txn, theme.id, &ids).await?;
    audit::append(
        &txn,
        theme.created_by,
        "theme.create",
        "theme",
        &theme.id.to_string(),
        serde_json::json!({
            "consultation_id": consultation_id,
            "label": theme.label,
            "comments": added,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(theme)
}

/// Puts more approved comments under a theme (moderators); returns how many were added.
pub async fn add_to_theme(
    db: &DatabaseConnection,
    actor: &Actor,
    theme_id: Uuid,
    tracking_codes: &[String],
) -> Result<u64> {
    ensure_moderator(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let theme = themes::Entity::find_by_id(theme_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("theme"))?;
    let ids = approved_by_codes(&txn, theme.consultation_id, tracking_codes).await?;
    let added = tag(&txn, theme.id, &ids).await?;
    audit::append(
        &txn,
        actor.account.as_ref().map(|a| a.user_id),
        "theme.tag",
        "theme",
        &theme.id.to_string(),
        serde_json::json!({ "comments": added }),
    )
    .await?;
    txn.commit().await?;
    Ok(added)
}

/// Turns a merged campaign into a theme holding its approved comments (moderators).
pub async fn adopt_suggestion(
    db: &DatabaseConnection,
    actor: &Actor,
    campaign_id: Uuid,
) -> Result<themes::Model> {
    ensure_moderator(actor)?;
    let campaign = campaigns::Entity::find_by_id(campaign_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("campaign"))?;
    let codes: Vec<String> = comments::Entity::find()
        .select_only()
        .column(comments::Column::TrackingCode)
        .filter(comments::Column::CampaignId.eq(campaign.id))
        .filter(comments::Column::Status.eq(CommentStatus::Approved))
        .into_tuple()
        .all(db)
        .await?;
    create_theme(
        db,
        actor,
        campaign.consultation_id,
        &campaign_label(&campaign),
        &codes,
    )
    .await
}
