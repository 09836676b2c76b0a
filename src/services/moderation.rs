//! Moderation by the Fatherland Front: the queue of pending comments with their automatic
//! flags and near-duplicate groups, decisions (approve with redactions, reject with a reason,
//! ask for an edit, merge into a campaign), one by one or in bulk, and the public counts.
//!
//! Only moderators decide (see [`crate::policy`]). Every decision is a row of
//! `moderation_decisions` (who, when, what, why); the comment's status reflects the latest
//! one. Personal data the detectors find is always replaced by
//! [`REDACTION_MARK`](crate::domain::screening::REDACTION_MARK) in the public text; the
//! moderator may hide more, never less.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::enums::{ClauseLevel, CommentStatus, Decision};
use entity::{
    campaigns, clauses, comment_flags, comments, consultation_units, consultations,
    moderation_decisions, organizations, users,
};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::screening::{self, FlagKind};
use crate::error::{Error, FieldErrors, Result};
use crate::policy::{Action, Actor};
use crate::services::outbox::{MailPayload, enqueue_mail};
use crate::services::screening::{REPEATED_TEXT, findings, fingerprint_bits};
use crate::services::{new_id, now};

/// Reasons a comment can be rejected for, as stored and sent in the API.
pub const REJECT_REASONS: [&str; 6] = [
    "off_topic",
    "abusive",
    "spam",
    "duplicate",
    "personal_data_only",
    "other",
];

/// Vietnamese label of a rejection reason, for mails and pages.
pub fn reason_label_vi(code: &str) -> &'static str {
    match code {
        "off_topic" => "không liên quan đến dự thảo",
        "abusive" => "ngôn từ xúc phạm",
        "spam" => "quảng cáo, tin rác",
        "duplicate" => "trùng lặp",
        "personal_data_only" => "chỉ chứa thông tin cá nhân",
        _ => "lý do khác",
    }
}

/// Longest note a moderator can write, in characters.
const MAX_NOTE_CHARS: usize = 2000;

/// Most comments one bulk decision may cover.
pub const MAX_BULK: usize = 1000;

/// Who wrote a comment, as the queue filters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    /// A resident writing online.
    Resident,
    /// An organization (online through its representative, or keyed in).
    Organization,
    /// Keyed in from paper, a meeting, e-mail or the hotline, without an account.
    Imported,
}

impl AuthorKind {
    /// Parses the query-string form.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "resident" => Some(Self::Resident),
            "organization" => Some(Self::Organization),
            "imported" => Some(Self::Imported),
            _ => None,
        }
    }

    fn of(comment: &comments::Model) -> Self {
        if comment.organization_id.is_some() {
            Self::Organization
        } else if comment.author_id.is_none() {
            Self::Imported
        } else {
            Self::Resident
        }
    }
}

/// Flag filters besides a single detector kind.
pub const FLAG_ANY: &str = "any";
/// Any kind of personal data.
pub const FLAG_PERSONAL_DATA: &str = "personal_data";
/// Member of a group of near-duplicates.
pub const FLAG_NEAR_DUPLICATE: &str = "near_duplicate";

/// Whether `value` is a flag the queue can filter on.
pub fn is_known_flag(value: &str) -> bool {
    [
        FLAG_ANY,
        FLAG_PERSONAL_DATA,
        FLAG_NEAR_DUPLICATE,
        REPEATED_TEXT,
    ]
    .contains(&value)
        || FlagKind::parse(value).is_some()
}

/// What the queue shows.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Status (default pending).
    pub status: Option<CommentStatus>,
    /// One consultation.
    pub consultation_id: Option<Uuid>,
    /// One clause.
    pub clause_id: Option<Uuid>,
    /// Comments about a ward or commune, or on consultations concerning it.
    pub unit_id: Option<Uuid>,
    /// A flag kind, [`FLAG_ANY`], [`FLAG_PERSONAL_DATA`] or [`FLAG_NEAR_DUPLICATE`].
    pub flag: Option<String>,
    /// Who wrote it.
    pub author_kind: Option<AuthorKind>,
    /// Only the near-duplicate group of this comment.
    pub group_of: Option<Uuid>,
}

/// A group of near-duplicates a comment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GroupRef {
    /// The oldest comment of the group, which names it.
    pub key: Uuid,
    /// How many pending comments the group has.
    pub size: usize,
}

/// One row of the queue.
#[derive(Debug, Clone)]
pub struct QueueItem {
    /// The comment (original text).
    pub comment: comments::Model,
    /// Title of its consultation.
    pub consultation_title: String,
    /// Lead agency of its consultation.
    pub lead_agency_id: Uuid,
    /// The clause, as "Điều 5", "Khoản 2" ...
    pub clause_label: Option<String>,
    /// Who wrote it (moderators see names).
    pub author_label: String,
    /// Kind of author.
    pub author_kind: AuthorKind,
    /// What the screening found, in text order.
    pub flags: Vec<comment_flags::Model>,
    /// Its near-duplicate group, when pending and in one.
    pub group: Option<GroupRef>,
}

/// Comments per moderation state.
#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct StateCounts {
    /// Waiting for a moderator.
    pub pending: u64,
    /// Returned to their authors.
    pub edit_requested: u64,
    /// Approved.
    pub approved: u64,
    /// Rejected.
    pub rejected: u64,
}

/// A page of the queue.
#[derive(Debug, Clone)]
pub struct Queue {
    /// Rows, oldest first.
    pub items: Vec<QueueItem>,
    /// Rows matching the filter.
    pub total: u64,
    /// Counts per state (for the consultation filter only).
    pub counts: StateCounts,
}

/// Checks that `actor` may see the queue at all (moderators only).
pub fn ensure_moderator(actor: &Actor) -> Result<()> {
    if actor.can(&Action::ModerateQueue) {
        Ok(())
    } else if actor.account.is_none() {
        Err(Error::Unauthenticated)
    } else {
        Err(Error::Forbidden)
    }
}

/// Near-duplicate groups among pending comments (of one consultation, or of all), each
/// computed within its consultation.
pub async fn pending_groups<C: ConnectionTrait>(
    db: &C,
    consultation_id: Option<Uuid>,
) -> Result<HashMap<Uuid, GroupRef>> {
    let mut query = comments::Entity::find()
        .select_only()
        .column(comments::Column::Id)
        .column(comments::Column::ConsultationId)
        .column(comments::Column::Fingerprint)
        .filter(comments::Column::Status.eq(CommentStatus::Pending))
        .filter(comments::Column::Fingerprint.is_not_null());
    if let Some(id) = consultation_id {
        query = query.filter(comments::Column::ConsultationId.eq(id));
    }
    let rows: Vec<(Uuid, Uuid, Option<i64>)> = query.into_tuple().all(db).await?;
    let mut by_consultation: HashMap<Uuid, Vec<(Uuid, u64)>> = HashMap::new();
    for (id, consultation, print) in rows {
        if let Some(print) = print {
            by_consultation
                .entry(consultation)
                .or_default()
                .push((id, fingerprint_bits(print)));
        }
    }
    let mut out = HashMap::new();
    for items in by_consultation.values() {
        for group in screening::group_near_duplicates(items) {
            // UUIDs v7 sort by creation time: the smallest is the oldest comment.
            let Some(key) = group.iter().min().copied() else {
                continue;
            };
            let size = group.len();
            for id in group {
                out.insert(id, GroupRef { key, size });
            }
        }
    }
    Ok(out)
}

/// A page of the queue for `actor`, oldest first.
pub async fn queue(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &QueueFilter,
    page: u64,
    per_page: u64,
) -> Result<Queue> {
    ensure_moderator(actor)?;
    let status = filter.status.unwrap_or(CommentStatus::Pending);
    let groups = if status == CommentStatus::Pending {
        pending_groups(db, filter.consultation_id).await?
    } else {
        HashMap::new()
    };
    let mut condition = Condition::all().add(comments::Column::Status.eq(status));
    if let Some(id) = filter.consultation_id {
        condition = condition.add(comments::Column::ConsultationId.eq(id));
    }
    if let Some(id) = filter.clause_id {
        condition = condition.add(comments::Column::ClauseId.eq(id));
    }
    if let Some(unit) = filter.unit_id {
        condition = condition.add(
            Condition::any().add(comments::Column::UnitId.eq(unit)).add(
                comments::Column::ConsultationId.in_subquery(
                    Query::select()
                        .column(consultation_units::Column::ConsultationId)
                        .from(consultation_units::Entity)
                        .and_where(Expr::col(consultation_units::Column::UnitId).eq(unit))
                        .to_owned(),
                ),
            ),
        );
    }
    match filter.author_kind {
        Some(AuthorKind::Organization) => {
            condition = condition.add(comments::Column::OrganizationId.is_not_null());
        }
        Some(AuthorKind::Resident) => {
            condition = condition
                .add(comments::Column::OrganizationId.is_null())
                .add(comments::Column::AuthorId.is_not_null());
        }
        Some(AuthorKind::Imported) => {
            condition = condition
                .add(comments::Column::OrganizationId.is_null())
                .add(comments::Column::AuthorId.is_null());
        }
        None => {}
    }
    let mut only: Option<HashSet<Uuid>> = None;
    if let Some(of) = filter.group_of {
        let key = groups.get(&of).map_or(of, |g| g.key);
        only = Some(
            groups
                .iter()
                .filter(|(_, g)| g.key == key)
                .map(|(id, _)| *id)
                .chain(std::iter::once(of))
                .collect(),
        );
    }
    match filter.flag.as_deref() {
        None => {}
        Some(FLAG_NEAR_DUPLICATE) => {
            let grouped: HashSet<Uuid> = groups.keys().copied().collect();
            only = Some(match only {
                Some(set) => set.intersection(&grouped).copied().collect(),
                None => grouped,
            });
        }
        Some(flag) => {
            let kinds: Vec<String> = match flag {
                FLAG_ANY => Vec::new(),
                FLAG_PERSONAL_DATA => FlagKind::ALL
                    .iter()
                    .filter(|k| k.is_personal_data())
                    .map(|k| k.as_str().to_owned())
                    .collect(),
                other => vec![other.to_owned()],
            };
            let mut sub = Query::select();
            sub.column(comment_flags::Column::CommentId)
                .from(comment_flags::Entity);
            if !kinds.is_empty() {
                sub.and_where(Expr::col(comment_flags::Column::Kind).is_in(kinds));
            }
            condition = condition.add(comments::Column::Id.in_subquery(sub.to_owned()));
        }
    }
    if let Some(ids) = only {
        // An empty set must match nothing (an empty IN list would be invalid SQL).
        condition = condition.add(comments::Column::Id.is_in(if ids.is_empty() {
            vec![Uuid::nil()]
        } else {
            ids.into_iter().collect()
        }));
    }
    let paginator = comments::Entity::find()
        .filter(condition)
        .order_by_asc(comments::Column::CreatedAt)
        .order_by_asc(comments::Column::Id)
        .paginate(db, per_page);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.saturating_sub(1)).await?;
    let items = describe(db, rows, &groups).await?;
    let counts = state_counts(db, filter.consultation_id).await?;
    Ok(Queue {
        items,
        total,
        counts,
    })
}

/// Counts per state, for one consultation or all.
pub async fn state_counts<C: ConnectionTrait>(
    db: &C,
    consultation_id: Option<Uuid>,
) -> Result<StateCounts> {
    let mut query = comments::Entity::find()
        .select_only()
        .column(comments::Column::Status)
        .column_as(comments::Column::Id.count(), "n")
        .group_by(comments::Column::Status);
    if let Some(id) = consultation_id {
        query = query.filter(comments::Column::ConsultationId.eq(id));
    }
    let rows: Vec<(CommentStatus, i64)> = query.into_tuple().all(db).await?;
    let mut counts = StateCounts::default();
    for (status, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        match status {
            CommentStatus::Pending => counts.pending = n,
            CommentStatus::EditRequested => counts.edit_requested = n,
            CommentStatus::Approved => counts.approved = n,
            CommentStatus::Rejected => counts.rejected = n,
        }
    }
    Ok(counts)
}

/// Queue rows with their consultation, clause, author and flags, in one query each.
async fn describe<C: ConnectionTrait>(
    db: &C,
    rows: Vec<comments::Model>,
    groups: &HashMap<Uuid, GroupRef>,
) -> Result<Vec<QueueItem>> {
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
    let consultation_ids: HashSet<Uuid> = rows.iter().map(|c| c.consultation_id).collect();
    let consultations: HashMap<Uuid, consultations::Model> = consultations::Entity::find()
        .filter(consultations::Column::Id.is_in(consultation_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let clause_ids: HashSet<Uuid> = rows.iter().filter_map(|c| c.clause_id).collect();
    let clauses: HashMap<Uuid, clauses::Model> = if clause_ids.is_empty() {
        HashMap::new()
    } else {
        clauses::Entity::find()
            .filter(clauses::Column::Id.is_in(clause_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    let user_ids: HashSet<Uuid> = rows.iter().filter_map(|c| c.author_id).collect();
    let users: HashMap<Uuid, String> = if user_ids.is_empty() {
        HashMap::new()
    } else {
        users::Entity::find()
            .filter(users::Column::Id.is_in(user_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect()
    };
    let org_ids: HashSet<Uuid> = rows.iter().filter_map(|c| c.organization_id).collect();
    let orgs: HashMap<Uuid, String> = if org_ids.is_empty() {
        HashMap::new()
    } else {
        organizations::Entity::find()
            .filter(organizations::Column::Id.is_in(org_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect()
    };
    let mut flags: HashMap<Uuid, Vec<comment_flags::Model>> = HashMap::new();
    if !ids.is_empty() {
        for flag in comment_flags::Entity::find()
            .filter(comment_flags::Column::CommentId.is_in(ids))
            .order_by_asc(comment_flags::Column::StartChar)
            .all(db)
            .await?
        {
            flags.entry(flag.comment_id).or_default().push(flag);
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for comment in rows {
        let consultation = consultations.get(&comment.consultation_id);
        let author_label = match (comment.organization_id, comment.author_id) {
            (Some(org), _) => orgs.get(&org).cloned().unwrap_or_default(),
            (None, Some(user)) => users
                .get(&user)
                .cloned()
                .unwrap_or_else(|| "Người dân".to_owned()),
            (None, None) => comment
                .author_name
                .clone()
                .unwrap_or_else(|| "Người dân (nhập từ phiếu)".to_owned()),
        };
        out.push(QueueItem {
            consultation_title: consultation.map(|c| c.title.clone()).unwrap_or_default(),
            lead_agency_id: consultation.map(|c| c.lead_agency_id).unwrap_or_default(),
            clause_label: comment
                .clause_id
                .and_then(|id| clauses.get(&id))
                .map(clause_label),
            author_label,
            author_kind: AuthorKind::of(&comment),
            flags: flags.remove(&comment.id).unwrap_or_default(),
            group: groups.get(&comment.id).copied(),
            comment,
        });
    }
    Ok(out)
}

/// "Điều 5", "Khoản 2", "Điểm a" ...
pub fn clause_label(clause: &clauses::Model) -> String {
    let level = match clause.level {
        ClauseLevel::Phan => "Phần",
        ClauseLevel::Chuong => "Chương",
        ClauseLevel::Muc => "Mục",
        ClauseLevel::Dieu => "Điều",
        ClauseLevel::Khoan => "Khoản",
        ClauseLevel::Diem => "Điểm",
    };
    format!("{level} {}", clause.number)
}

/// A comment as a moderator reviews it: the queue row plus its history.
#[derive(Debug, Clone)]
pub struct Review {
    /// The row.
    pub item: QueueItem,
    /// Earlier versions, oldest first.
    pub revisions: Vec<entity::comment_revisions::Model>,
    /// Decisions so far, oldest first, with the moderator's name.
    pub decisions: Vec<(moderation_decisions::Model, String)>,
    /// Other pending comments of its near-duplicate group (id, tracking code).
    pub group_members: Vec<(Uuid, String)>,
    /// Campaigns of the same consultation it could be merged into.
    pub campaigns: Vec<campaigns::Model>,
}

/// One comment with everything a moderator needs to decide.
pub async fn review(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<Review> {
    ensure_moderator(actor)?;
    let comment = comments::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("comment"))?;
    let groups = if comment.status == CommentStatus::Pending {
        pending_groups(db, Some(comment.consultation_id)).await?
    } else {
        HashMap::new()
    };
    let group_members = match groups.get(&id) {
        Some(group) => {
            let member_ids: Vec<Uuid> = groups
                .iter()
                .filter(|(other, g)| g.key == group.key && **other != id)
                .map(|(other, _)| *other)
                .collect();
            comments::Entity::find()
                .select_only()
                .column(comments::Column::Id)
                .column(comments::Column::TrackingCode)
                .filter(comments::Column::Id.is_in(member_ids))
                .order_by_asc(comments::Column::CreatedAt)
                .into_tuple()
                .all(db)
                .await?
        }
        None => Vec::new(),
    };
    let campaigns = campaigns::Entity::find()
        .filter(campaigns::Column::ConsultationId.eq(comment.consultation_id))
        .order_by_desc(campaigns::Column::CreatedAt)
        .all(db)
        .await?;
    let revisions = crate::services::comments::revisions(db, id).await?;
    let decided = moderation_decisions::Entity::find()
        .filter(moderation_decisions::Column::CommentId.eq(id))
        .order_by_asc(moderation_decisions::Column::CreatedAt)
        .all(db)
        .await?;
    let moderator_ids: HashSet<Uuid> = decided.iter().map(|d| d.moderator_id).collect();
    let names: HashMap<Uuid, String> = users::Entity::find()
        .filter(users::Column::Id.is_in(moderator_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let decisions = decided
        .into_iter()
        .map(|d| {
            let name = names.get(&d.moderator_id).cloned().unwrap_or_default();
            (d, name)
        })
        .collect();
    let item = describe(db, vec![comment], &groups)
        .await?
        .pop()
        .ok_or(Error::NotFound("comment"))?;
    Ok(Review {
        item,
        revisions,
        decisions,
        group_members,
        campaigns,
    })
}

/// What a moderator decides.
#[derive(Debug, Clone)]
pub struct DecisionRequest {
    /// The decision.
    pub decision: Decision,
    /// One of [`REJECT_REASONS`] (rejections only).
    pub reason_code: Option<String>,
    /// A note to the author (required to reject for "other" and to ask for an edit).
    pub note: Option<String>,
    /// More spans to hide, in characters of the comment's text (single decisions only).
    pub redact_ranges: Vec<(usize, usize)>,
    /// Exact pieces of text to hide wherever they occur.
    pub redact_texts: Vec<String>,
    /// Campaign to merge into (merge only); a new one is created when absent.
    pub campaign_id: Option<Uuid>,
    /// Label of a new campaign.
    pub campaign_label: Option<String>,
    /// Approvals: the agencies that must answer, the first leading; empty for the agency the
    /// routing rules propose.
    pub agency_ids: Vec<Uuid>,
}

impl DecisionRequest {
    /// A plain decision without extras.
    pub fn new(decision: Decision) -> Self {
        Self {
            decision,
            reason_code: None,
            note: None,
            redact_ranges: Vec::new(),
            redact_texts: Vec::new(),
            campaign_id: None,
            campaign_label: None,
            agency_ids: Vec::new(),
        }
    }

    /// Checks what does not depend on the comment; the note comes back trimmed.
    fn validate(&mut self) -> Result<()> {
        let mut errors = FieldErrors::default();
        self.note = self
            .note
            .as_deref()
            .map(crate::domain::text::normalize)
            .filter(|n| !n.is_empty());
        if self
            .note
            .as_deref()
            .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
        {
            errors.push("note", "too_long", "Ghi chú tối đa 2.000 ký tự");
        }
        match self.decision {
            Decision::Reject => match self.reason_code.as_deref() {
                Some(code) if REJECT_REASONS.contains(&code) => {
                    if code == "other" && self.note.is_none() {
                        errors.push(
                            "note",
                            "required",
                            "Từ chối vì lý do khác cần ghi rõ lý do cho người góp ý",
                        );
                    }
                }
                Some(_) => errors.push("reason_code", "unknown", "Lý do từ chối không hợp lệ"),
                None => errors.push("reason_code", "required", "Chọn lý do từ chối"),
            },
            Decision::RequestEdit => {
                if self.note.is_none() {
                    errors.push("note", "required", "Ghi rõ người góp ý cần sửa nội dung gì");
                }
            }
            Decision::Approve | Decision::Merge => {
                if self.reason_code.is_some() {
                    errors.push("reason_code", "not_allowed", "Chỉ ghi lý do khi từ chối");
                }
            }
        }
        self.redact_texts = self
            .redact_texts
            .iter()
            .map(|t| crate::domain::text::normalize(t))
            .filter(|t| !t.is_empty())
            .collect();
        if self.redact_texts.iter().any(|t| t.chars().count() > 500) || self.redact_texts.len() > 50
        {
            errors.push(
                "redact_texts",
                "too_long",
                "Tối đa 50 đoạn cần ẩn, mỗi đoạn tối đa 500 ký tự",
            );
        }
        if self
            .campaign_label
            .as_deref()
            .is_some_and(|l| l.chars().count() > 200)
        {
            errors.push("campaign_label", "too_long", "Tên nhóm tối đa 200 ký tự");
        }
        errors.into_result()
    }
}

/// One hidden span of a public text, in characters of the original text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Redaction {
    /// Start (characters).
    pub start: usize,
    /// End, exclusive (characters).
    pub end: usize,
    /// What it hid: a detector's kind, or `moderator`.
    pub kind: String,
}

/// The public text of `body`: personal data found by the detectors, the `ranges` (characters)
/// and every occurrence of `texts` replaced by the redaction mark.
pub fn public_text(
    body: &str,
    ranges: &[(usize, usize)],
    texts: &[String],
) -> Result<(String, Vec<Redaction>)> {
    let mut hidden: Vec<(usize, usize, String)> = findings(body)
        .into_iter()
        .filter(|f| f.kind.is_personal_data())
        .map(|f| (f.start, f.end, f.kind.as_str().to_owned()))
        .collect();
    let length = body.chars().count();
    for &(start, end) in ranges {
        let span = (start < end && end <= length)
            .then(|| screening::byte_range(body, start, end))
            .flatten();
        let Some((start, end)) = span else {
            let mut errors = FieldErrors::default();
            errors.push(
                "redactions",
                "out_of_range",
                format!("Đoạn cần ẩn {start}–{end} nằm ngoài nội dung ({length} ký tự)"),
            );
            return Err(Error::Invalid(errors));
        };
        hidden.push((start, end, "moderator".to_owned()));
    }
    for text in texts {
        let mut from = 0;
        while let Some(at) = body.get(from..).and_then(|rest| rest.find(text.as_str())) {
            let start = from + at;
            hidden.push((start, start + text.len(), "moderator".to_owned()));
            from = start + text.len();
        }
    }
    hidden.sort();
    let byte_ranges: Vec<(usize, usize)> = hidden.iter().map(|(s, e, _)| (*s, *e)).collect();
    let redactions = hidden
        .into_iter()
        .map(|(start, end, kind)| {
            let (start, end) = screening::char_range(body, start, end);
            Redaction { start, end, kind }
        })
        .collect();
    Ok((screening::redact(body, &byte_ranges), redactions))
}

/// What approvals need to route comments: the rules, the calendar and the default days.
pub struct Routing {
    rules: Vec<entity::routing_rules::Model>,
    calendar: crate::domain::calendar::WorkingCalendar,
    days: crate::config::AnswerWorkingDays,
}

impl Routing {
    /// Loads the active rules and the calendar, in the caller's transaction.
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        days: crate::config::AnswerWorkingDays,
    ) -> Result<Self> {
        Ok(Self {
            rules: crate::services::routing::active_rules(db).await?,
            calendar: crate::services::calendar::load(db).await?,
            days,
        })
    }
}

/// Checks that every agency a moderator names exists and is current.
async fn check_agencies<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let found = entity::agencies::Entity::find()
        .filter(entity::agencies::Column::Id.is_in(ids.to_vec()))
        .filter(entity::agencies::Column::ValidTo.is_null())
        .count(db)
        .await?;
    let distinct: HashSet<&Uuid> = ids.iter().collect();
    if usize::try_from(found).unwrap_or(0) != distinct.len() || ids.len() > 10 {
        let mut errors = FieldErrors::default();
        errors.push(
            "agency_ids",
            "unknown",
            "Có cơ quan không còn trong danh sách hiện hành (tối đa 10 cơ quan)",
        );
        return Err(Error::Invalid(errors));
    }
    Ok(())
}

/// The outcome of one decision.
#[derive(Debug, Clone)]
pub struct Decided {
    /// The comment after the decision.
    pub comment: comments::Model,
    /// The recorded decision.
    pub decision: moderation_decisions::Model,
    /// The agencies it was assigned to (approvals).
    pub assignments: Vec<entity::assignments::Model>,
}

/// Decides one pending comment.
pub async fn decide(
    db: &DatabaseConnection,
    actor: &Actor,
    comment_id: Uuid,
    mut request: DecisionRequest,
    answer_days: &crate::config::AnswerWorkingDays,
    base_url: &str,
) -> Result<Decided> {
    ensure_moderator(actor)?;
    request.validate()?;
    let txn = crate::db::begin_write(db).await?;
    let comment = comments::Entity::find_by_id(comment_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("comment"))?;
    let consultation = consultation_of(&txn, comment.consultation_id).await?;
    check_agencies(&txn, &request.agency_ids).await?;
    let routing = Routing::load(&txn, *answer_days).await?;
    let campaign = campaign_for(&txn, &request, &[&comment]).await?;
    let decided = apply(
        &txn,
        actor,
        &consultation,
        &routing,
        comment,
        &request,
        campaign,
        base_url,
    )
    .await?;
    txn.commit().await?;
    Ok(decided)
}

/// The outcome of a bulk decision.
#[derive(Debug, Clone, Default)]
pub struct BulkOutcome {
    /// Comments decided.
    pub decided: Vec<Uuid>,
    /// Comments left alone, with why (`not_found`, `not_pending`).
    pub skipped: Vec<(Uuid, &'static str)>,
    /// The campaign the comments were merged into (merge only).
    pub campaign_id: Option<Uuid>,
}

/// Decides many pending comments the same way, in one transaction. Comments that are no longer
/// pending (another moderator was faster) are skipped and reported, not failed.
pub async fn decide_many(
    db: &DatabaseConnection,
    actor: &Actor,
    ids: &[Uuid],
    mut request: DecisionRequest,
    answer_days: &crate::config::AnswerWorkingDays,
    base_url: &str,
) -> Result<BulkOutcome> {
    ensure_moderator(actor)?;
    let mut errors = FieldErrors::default();
    if ids.is_empty() {
        errors.push("comment_ids", "required", "Chọn ít nhất một ý kiến");
    }
    if ids.len() > MAX_BULK {
        errors.push(
            "comment_ids",
            "too_many",
            format!("Mỗi lần xử lý tối đa {MAX_BULK} ý kiến"),
        );
    }
    if !request.redact_ranges.is_empty() {
        errors.push(
            "redactions",
            "not_allowed",
            "Vị trí cần ẩn chỉ dùng khi xử lý từng ý kiến",
        );
    }
    errors.into_result()?;
    request.validate()?;
    let unique: Vec<Uuid> = {
        let mut seen = HashSet::new();
        ids.iter().copied().filter(|id| seen.insert(*id)).collect()
    };
    let txn = crate::db::begin_write(db).await?;
    let mut found: HashMap<Uuid, comments::Model> = HashMap::new();
    for chunk in unique.chunks(500) {
        for c in comments::Entity::find()
            .filter(comments::Column::Id.is_in(chunk.to_vec()))
            .all(&txn)
            .await?
        {
            found.insert(c.id, c);
        }
    }
    let mut outcome = BulkOutcome::default();
    let mut pending = Vec::new();
    for id in &unique {
        match found.remove(id) {
            None => outcome.skipped.push((*id, "not_found")),
            Some(c) if c.status != CommentStatus::Pending => {
                outcome.skipped.push((*id, "not_pending"));
            }
            Some(c) => pending.push(c),
        }
    }
    let refs: Vec<&comments::Model> = pending.iter().collect();
    let campaign = if pending.is_empty() {
        None
    } else {
        campaign_for(&txn, &request, &refs).await?
    };
    outcome.campaign_id = campaign;
    check_agencies(&txn, &request.agency_ids).await?;
    let routing = Routing::load(&txn, *answer_days).await?;
    let mut consultations: HashMap<Uuid, consultations::Model> = HashMap::new();
    for comment in pending {
        let id = comment.id;
        if !consultations.contains_key(&comment.consultation_id) {
            let consultation = consultation_of(&txn, comment.consultation_id).await?;
            consultations.insert(consultation.id, consultation);
        }
        let Some(consultation) = consultations.get(&comment.consultation_id) else {
            continue;
        };
        let applied = apply(
            &txn,
            actor,
            consultation,
            &routing,
            comment,
            &request,
            campaign,
            base_url,
        )
        .await;
        match applied {
            Ok(_) => outcome.decided.push(id),
            // Another moderator's bulk decision committed first (PostgreSQL re-checks the
            // status after waiting for its lock): leave the comment as they decided it.
            Err(Error::Conflict {
                code: "not_pending",
                ..
            }) => outcome.skipped.push((id, "not_pending")),
            Err(e) => return Err(e),
        }
    }
    txn.commit().await?;
    Ok(outcome)
}

/// A consultation.
async fn consultation_of<C: ConnectionTrait>(
    db: &C,
    consultation_id: Uuid,
) -> Result<consultations::Model> {
    consultations::Entity::find_by_id(consultation_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("consultation"))
}

/// The campaign a merge goes into: the requested one (same consultation), or a new one.
async fn campaign_for<C: ConnectionTrait>(
    db: &C,
    request: &DecisionRequest,
    comments: &[&comments::Model],
) -> Result<Option<Uuid>> {
    if request.decision != Decision::Merge {
        return Ok(None);
    }
    let consultations: HashSet<Uuid> = comments.iter().map(|c| c.consultation_id).collect();
    let [consultation_id] = consultations.into_iter().collect::<Vec<_>>()[..] else {
        return Err(Error::bad_request(
            "mixed_consultations",
            "A campaign groups comments of one consultation; these belong to several.",
        ));
    };
    if let Some(id) = request.campaign_id {
        let campaign = campaigns::Entity::find_by_id(id)
            .one(db)
            .await?
            .filter(|c| c.consultation_id == consultation_id);
        return match campaign {
            Some(c) => Ok(Some(c.id)),
            None => {
                let mut errors = FieldErrors::default();
                errors.push(
                    "campaign_id",
                    "unknown",
                    "Không có nhóm ý kiến này trong dự thảo",
                );
                Err(Error::Invalid(errors))
            }
        };
    }
    let label = request.campaign_label.clone().or_else(|| {
        comments.first().map(|c| {
            let start: String = c.body.chars().take(80).collect();
            format!("Nhóm ý kiến giống nhau: {start}…")
        })
    });
    let campaign = campaigns::ActiveModel {
        id: Set(new_id()),
        consultation_id: Set(consultation_id),
        label: Set(label),
        created_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(Some(campaign.id))
}

/// Applies a validated decision to one comment, in the caller's transaction.
#[expect(clippy::too_many_arguments, reason = "one decision's whole context")]
async fn apply<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    consultation: &consultations::Model,
    routing: &Routing,
    comment: comments::Model,
    request: &DecisionRequest,
    campaign: Option<Uuid>,
    base_url: &str,
) -> Result<Decided> {
    let moderator_id = actor
        .account
        .as_ref()
        .map(|a| a.user_id)
        .ok_or(Error::Unauthenticated)?;
    if !actor.can(&Action::Moderate {
        lead_agency_id: consultation.lead_agency_id,
    }) {
        return Err(Error::Forbidden);
    }
    if comment.status != CommentStatus::Pending {
        return Err(Error::Conflict {
            code: "not_pending",
            detail: format!(
                "This comment is {} and is no longer waiting for moderation.",
                comment.status
            ),
        });
    }
    // The chain's lock before any row lock (see `audit::lock`).
    crate::services::audit::lock(db).await?;
    let at = now();
    let (status, public_body, redactions) = match request.decision {
        Decision::Approve | Decision::Merge => {
            let (text, redactions) =
                public_text(&comment.body, &request.redact_ranges, &request.redact_texts)?;
            (CommentStatus::Approved, Some(text), redactions)
        }
        Decision::Reject => (CommentStatus::Rejected, None, Vec::new()),
        Decision::RequestEdit => (CommentStatus::EditRequested, None, Vec::new()),
    };
    // Conditional on the status, so two moderators deciding at once cannot both win.
    let updated = comments::Entity::update_many()
        .col_expr(comments::Column::Status, Expr::value(status.as_str()))
        .col_expr(
            comments::Column::PublicBody,
            Expr::value(public_body.clone()),
        )
        .col_expr(comments::Column::ModeratedAt, Expr::value(at))
        .col_expr(
            comments::Column::StatusReason,
            Expr::value(request.reason_code.clone()),
        )
        .col_expr(
            comments::Column::CampaignId,
            Expr::value(campaign.or(comment.campaign_id)),
        )
        .filter(comments::Column::Id.eq(comment.id))
        .filter(comments::Column::Status.eq(CommentStatus::Pending))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(Error::Conflict {
            code: "not_pending",
            detail: "Another moderator decided this comment first.".into(),
        });
    }
    let redactions_json = (!redactions.is_empty())
        .then(|| serde_json::to_value(&redactions))
        .transpose()
        .map_err(|e| Error::Internal(anyhow::anyhow!("redactions: {e}")))?;
    let decision = moderation_decisions::ActiveModel {
        id: Set(new_id()),
        comment_id: Set(comment.id),
        moderator_id: Set(moderator_id),
        decision: Set(request.decision),
        reason_code: Set(request.reason_code.clone()),
        note: Set(request.note.clone()),
        redactions: Set(redactions_json),
        created_at: Set(at),
    }
    .insert(db)
    .await?;
    let comment = comments::Model {
        status,
        public_body,
        moderated_at: Some(at),
        status_reason: request.reason_code.clone(),
        campaign_id: campaign.or(comment.campaign_id),
        ..comment
    };
    crate::services::outbox::enqueue_index(db, "comment", comment.id).await?;
    let action = crate::services::audit::decision_action(decision.decision);
    let payload = crate::services::audit::decision_payload(&comment, &decision);
    let id = comment.id.to_string();
    crate::services::audit::append(db, Some(moderator_id), action, "comment", &id, payload).await?;
    // An approved comment goes to the agencies that must answer it.
    let assigned = if status == CommentStatus::Approved {
        let (agency_ids, working_days) = if request.agency_ids.is_empty() {
            let proposal = crate::services::routing::propose(
                db,
                &routing.rules,
                &comment,
                consultation,
                &routing.days,
            )
            .await?;
            (vec![proposal.agency_id], proposal.working_days)
        } else {
            (
                request.agency_ids.clone(),
                routing.days.for_kind(consultation.kind),
            )
        };
        crate::services::assignments::assign(
            db,
            Some(moderator_id),
            &comment,
            &agency_ids,
            working_days,
            &routing.calendar,
        )
        .await?
    } else {
        Vec::new()
    };
    notify_author(db, &comment, &decision, &assigned, base_url).await?;
    Ok(Decided {
        comment,
        decision,
        assignments: assigned,
    })
}

/// Mails the author the outcome and the reason (imported comments have no account to tell).
async fn notify_author<C: ConnectionTrait>(
    db: &C,
    comment: &comments::Model,
    decision: &moderation_decisions::Model,
    assigned: &[entity::assignments::Model],
    base_url: &str,
) -> Result<()> {
    let Some(author_id) = comment.author_id else {
        return Ok(());
    };
    let Some(author) = users::Entity::find_by_id(author_id)
        .one(db)
        .await?
        .filter(|u| u.deleted_at.is_none())
    else {
        return Ok(());
    };
    let code = &comment.tracking_code;
    let note = decision
        .note
        .as_deref()
        .map(|n| format!("\nGhi chú của người kiểm duyệt: {n}\n"))
        .unwrap_or_default();
    let (subject, what) = match decision.decision {
        Decision::Approve | Decision::Merge => {
            let mut routed = String::new();
            for assignment in assigned {
                let name = entity::agencies::Entity::find_by_id(assignment.agency_id)
                    .one(db)
                    .await?
                    .map(|a| a.name)
                    .unwrap_or_default();
                routed.push_str(&format!(
                    "- {name}, hạn trả lời {}\n",
                    assignment.due_on.format("%d/%m/%Y")
                ));
            }
            (
                format!("Ý kiến {code} đã được duyệt"),
                format!(
                    "Ý kiến của bạn đã được Mặt trận Tổ quốc duyệt, công khai và chuyển đến:\n\
                     {routed}Xem ý kiến: {base_url}/comments/{id}\n",
                    id = comment.id
                ),
            )
        }
        Decision::Reject => (
            format!("Ý kiến {code} không được đăng"),
            format!(
                "Ý kiến của bạn không được đăng. Lý do: {}.\n",
                reason_label_vi(decision.reason_code.as_deref().unwrap_or("other"))
            ),
        ),
        Decision::RequestEdit => (
            format!("Ý kiến {code} cần được chỉnh sửa"),
            format!(
                "Người kiểm duyệt đề nghị bạn chỉnh sửa ý kiến trước khi đăng.\n\
                 Sửa ý kiến: {base_url}/comments/{id}/edit\n",
                id = comment.id
            ),
        ),
    };
    let (kind, link) = match decision.decision {
        Decision::Approve | Decision::Merge => {
            ("comment_approved", format!("/comments/{}", comment.id))
        }
        Decision::Reject => ("comment_rejected", format!("/comments/{}", comment.id)),
        Decision::RequestEdit => (
            "comment_edit_requested",
            format!("/comments/{}/edit", comment.id),
        ),
    };
    crate::services::notifications::notify(db, author.id, kind, &subject, &link).await?;
    let mail = MailPayload {
        to: author.email,
        to_name: Some(author.display_name.clone()),
        subject,
        text: format!(
            "Xin chào {name},\n\n{what}{note}\nTheo dõi: {base_url}/track/{code}\n",
            name = author.display_name
        ),
    };
    enqueue_mail(db, "comment", &comment.id.to_string(), mail).await
}

/// What the public sees of a consultation's moderation.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct PublicCounts {
    /// Comments approved (published or, by the author's choice, kept private).
    pub approved: u64,
    /// Comments waiting for a moderator.
    pub pending: u64,
    /// Comments returned to their authors for an edit.
    pub edit_requested: u64,
    /// Comments rejected.
    pub rejected: u64,
    /// Rejections by reason code, every reason listed.
    pub rejected_by_reason: BTreeMap<String, u64>,
}

/// Moderation counts by outcome and rejection reason, for a consultation's public page.
pub async fn public_counts<C: ConnectionTrait>(
    db: &C,
    consultation_id: Uuid,
) -> Result<PublicCounts> {
    let rows: Vec<(CommentStatus, Option<String>, i64)> = comments::Entity::find()
        .select_only()
        .column(comments::Column::Status)
        .column(comments::Column::StatusReason)
        .column_as(comments::Column::Id.count(), "n")
        .filter(comments::Column::ConsultationId.eq(consultation_id))
        .group_by(comments::Column::Status)
        .group_by(comments::Column::StatusReason)
        .into_tuple()
        .all(db)
        .await?;
    let mut counts = PublicCounts {
        rejected_by_reason: REJECT_REASONS
            .iter()
            .map(|r| ((*r).to_owned(), 0))
            .collect(),
        ..PublicCounts::default()
    };
    for (status, reason, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        match status {
            CommentStatus::Pending => counts.pending += n,
            CommentStatus::EditRequested => counts.edit_requested += n,
            CommentStatus::Approved => counts.approved += n,
            CommentStatus::Rejected => {
                counts.rejected += n;
                *counts
                    .rejected_by_reason
                    .entry(reason.unwrap_or_else(|| "other".to_owned()))
                    .or_default() += n;
            }
        }
    }
    Ok(counts)
}

/// A campaign (merged group) with its size.
#[derive(Debug, Clone)]
pub struct CampaignSummary {
    /// The campaign.
    pub campaign: campaigns::Model,
    /// Comments merged into it.
    pub size: u64,
}

/// A group of pending near-duplicates the detector found.
#[derive(Debug, Clone)]
pub struct SuggestedGroup {
    /// Consultation.
    pub consultation_id: Uuid,
    /// Oldest comment, which names the group.
    pub key: Uuid,
    /// Members, oldest first.
    pub comment_ids: Vec<Uuid>,
    /// The oldest member's text.
    pub sample: String,
    /// When the oldest member arrived.
    pub first_at: DateTime<Utc>,
}

/// Merged campaigns and suggested groups (of one consultation, or of all).
pub async fn campaigns(
    db: &DatabaseConnection,
    actor: &Actor,
    consultation_id: Option<Uuid>,
) -> Result<(Vec<CampaignSummary>, Vec<SuggestedGroup>)> {
    ensure_moderator(actor)?;
    let mut query = campaigns::Entity::find().order_by_desc(campaigns::Column::CreatedAt);
    if let Some(id) = consultation_id {
        query = query.filter(campaigns::Column::ConsultationId.eq(id));
    }
    let merged = query.all(db).await?;
    let sizes: HashMap<Uuid, i64> = comments::Entity::find()
        .select_only()
        .column(comments::Column::CampaignId)
        .column_as(comments::Column::Id.count(), "n")
        .filter(comments::Column::CampaignId.is_in(merged.iter().map(|c| c.id)))
        .group_by(comments::Column::CampaignId)
        .into_tuple::<(Option<Uuid>, i64)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect();
    let summaries = merged
        .into_iter()
        .map(|campaign| CampaignSummary {
            size: sizes
                .get(&campaign.id)
                .and_then(|n| u64::try_from(*n).ok())
                .unwrap_or(0),
            campaign,
        })
        .collect();
    let groups = pending_groups(db, consultation_id).await?;
    let mut members: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (id, group) in &groups {
        members.entry(group.key).or_default().push(*id);
    }
    let keys: Vec<Uuid> = members.keys().copied().collect();
    let firsts: HashMap<Uuid, comments::Model> = if keys.is_empty() {
        HashMap::new()
    } else {
        comments::Entity::find()
            .filter(comments::Column::Id.is_in(keys))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect()
    };
    let mut suggested: Vec<SuggestedGroup> = members
        .into_iter()
        .filter_map(|(key, mut ids)| {
            ids.sort();
            let first = firsts.get(&key)?;
            Some(SuggestedGroup {
                consultation_id: first.consultation_id,
                key,
                comment_ids: ids,
                sample: first.body.clone(),
                first_at: first.created_at,
            })
        })
        .collect();
    suggested.sort_by(|a, b| {
        b.comment_ids
            .len()
            .cmp(&a.comment_ids.len())
            .then(a.first_at.cmp(&b.first_at))
    });
    Ok((summaries, suggested))
}
