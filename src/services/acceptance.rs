//! The acceptance table of a consultation ("bảng tổng hợp, tiếp thu, giải trình ý kiến"): for
//! every clause, in the order of the draft, every approved comment or campaign of near-duplicates
//! with who made it, what it says (its published text) and the agency's disposition.
//!
//! The table is read in document order through an [`AcceptanceCursor`], a page of rows at a
//! time, so the exports (`crate::export`) and the sign-off stream it at any size. Only what the
//! public may read goes in: the published (redacted) text of a comment whose author consented to
//! publication, the organization's name or "Người dân" with the name its author consented to;
//! an approved comment that is not to be published is counted, with a placeholder for its text.
//!
//! When the lead agency signs the table off, the rows are copied into `acceptance_rows` under a
//! new version in `acceptance_signoffs`, and their SHA-256 goes on the audit chain; the frozen
//! version is what its exports print from then on, and later answers need a new version.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::enums::{CommentStatus, Consent, Disposition};
use entity::{
    acceptance_rows, acceptance_signoffs, agencies, agency_responses, assignments, clauses,
    comments, consultations, organizations, users,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::policy::{Action, Actor};
use crate::services::{audit, moderation, new_id, now};

/// The group heading of comments on the draft as a whole.
pub const WHOLE_DRAFT: &str = "Toàn bộ dự thảo";
/// How a resident is named when they did not consent to their name being published.
pub const RESIDENT: &str = "Người dân";
/// The content shown for an approved comment its author asked not to publish.
pub const NOT_PUBLISHED: &str =
    "(Ý kiến không công khai theo yêu cầu của người góp ý; cơ quan chủ trì đã nhận đầy đủ.)";
/// The explanation shown for an answer to a comment that is not published.
pub const ANSWERED_PRIVATELY: &str = "(Đã trả lời riêng người góp ý.)";

/// Rows read from the database per page.
const PAGE: u64 = 1000;

/// Who made the comments of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// An organization (mass organization, association, the Front ...).
    Organization,
    /// A resident in their own name.
    Resident,
    /// A campaign: near-duplicate comments merged by moderators, one row for all.
    Campaign,
}

impl Group {
    /// Every group, in the order of the summary.
    pub const ALL: [Self; 3] = [Self::Organization, Self::Resident, Self::Campaign];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::Resident => "resident",
            Self::Campaign => "campaign",
        }
    }

    /// Vietnamese label, as printed in the documents.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Organization => "Tổ chức",
            Self::Resident => "Người dân",
            Self::Campaign => "Nhóm ý kiến trùng nhau",
        }
    }
}

/// Vietnamese label of a disposition, as printed in the documents.
pub fn disposition_vi(disposition: Option<Disposition>) -> &'static str {
    match disposition {
        Some(Disposition::Accepted) => "Tiếp thu",
        Some(Disposition::PartiallyAccepted) => "Tiếp thu một phần",
        Some(Disposition::NotAccepted) => "Không tiếp thu",
        Some(Disposition::Explained) => "Giải trình",
        None => "Chưa có ý kiến",
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// STT: 1, 2, 3 ... across the whole table.
    pub number: u64,
    /// "Toàn bộ dự thảo", "Điều 3", "Điều 3, khoản 2" ...
    pub clause: String,
    /// The organization's name, "Người dân" with the consented name, or the campaign's size.
    pub commenter: String,
    /// Who made it.
    pub group: Group,
    /// Tracking code of the comment (of the campaign's first comment).
    pub tracking_code: String,
    /// How many comments the row stands for (1 unless a campaign).
    pub comment_count: u64,
    /// The published text, or [`NOT_PUBLISHED`].
    pub content: String,
    /// The agency's disposition, if it answered.
    pub disposition: Option<Disposition>,
    /// Its explanation.
    pub explanation: String,
}

impl Row {
    /// The line this row contributes to the table's hash: its fields as canonical JSON.
    fn hash_line(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(self).unwrap_or_default();
        line.push(b'\n');
        line
    }
}

/// Counts of one group, by disposition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Rows.
    pub rows: u64,
    /// Comments (a campaign counts each of its comments).
    pub comments: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows partially accepted.
    pub partially_accepted: u64,
    /// Rows not accepted.
    pub not_accepted: u64,
    /// Rows explained.
    pub explained: u64,
    /// Rows still without a disposition.
    pub without_disposition: u64,
}

impl Tally {
    fn add(&mut self, row: &Row) {
        self.rows += 1;
        self.comments += row.comment_count;
        match row.disposition {
            Some(Disposition::Accepted) => self.accepted += 1,
            Some(Disposition::PartiallyAccepted) => self.partially_accepted += 1,
            Some(Disposition::NotAccepted) => self.not_accepted += 1,
            Some(Disposition::Explained) => self.explained += 1,
            None => self.without_disposition += 1,
        }
    }
}

/// A row still waiting for the agency's disposition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Undisposed {
    /// Its STT.
    pub number: u64,
    /// Its clause.
    pub clause: String,
    /// Its tracking code.
    pub tracking_code: String,
}

/// The summary under the table, built while the rows go by.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Per group, in [`Group::ALL`] order.
    pub by_group: Vec<(Group, Tally)>,
    /// All groups together.
    pub total: Tally,
    /// Rows still without a disposition, in table order.
    pub undisposed: Vec<Undisposed>,
}

impl Summary {
    /// An empty summary with every group present.
    pub fn new() -> Self {
        Self {
            by_group: Group::ALL.iter().map(|g| (*g, Tally::default())).collect(),
            ..Self::default()
        }
    }

    /// Counts a row.
    pub fn add(&mut self, row: &Row) {
        self.total.add(row);
        if let Some((_, tally)) = self.by_group.iter_mut().find(|(g, _)| *g == row.group) {
            tally.add(row);
        }
        if row.disposition.is_none() {
            self.undisposed.push(Undisposed {
                number: row.number,
                clause: row.clause.clone(),
                tracking_code: row.tracking_code.clone(),
            });
        }
    }
}

/// A signed-off version of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignOff {
    /// Version number: 1, 2 ...
    pub version: i32,
    /// SHA-256 of the rows, hex.
    pub content_hash: String,
    /// Rows frozen.
    pub row_count: i64,
    /// Who signed, by name.
    pub signed_by: String,
    /// When.
    pub signed_at: DateTime<Utc>,
}

/// What a document prints above and below the rows.
#[derive(Debug, Clone)]
pub struct Head {
    /// The consultation.
    pub consultation_id: Uuid,
    /// Its title.
    pub title: String,
    /// The lead agency, which issues the table.
    pub agency_name: String,
    /// Its id.
    pub lead_agency_id: Uuid,
    /// Its status now (an open consultation past its window reads closed).
    pub status: entity::enums::ConsultationStatus,
    /// The signed-off version read, or `None` for the live table.
    pub sign_off: Option<SignOff>,
    /// Comments still waiting for moderation (not in the table).
    pub pending_moderation: u64,
}

/// Who may read a consultation's reports: moderators, the lead agency's officers and admins at
/// any time; everyone once the consultation is closed.
pub fn can_read(actor: &Actor, consultation: &consultations::Model) -> bool {
    actor.can(&Action::ReadReports {
        lead_agency_id: consultation.lead_agency_id,
        closed: is_closed(consultation),
    })
}

/// Whether a consultation no longer takes comments (closed by its agency or past its window).
pub fn is_closed(consultation: &consultations::Model) -> bool {
    matches!(
        crate::services::consultations::effective_status(consultation, now()),
        entity::enums::ConsultationStatus::Closed | entity::enums::ConsultationStatus::Concluded
    )
}

/// The consultation, if `actor` may read its reports; "not found" for a draft or an unknown id,
/// 403 otherwise.
pub async fn readable<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    consultation_id: Uuid,
) -> Result<consultations::Model> {
    let consultation = consultations::Entity::find_by_id(consultation_id)
        .one(db)
        .await?
        .filter(|c| c.status != entity::enums::ConsultationStatus::Draft)
        .ok_or(Error::NotFound("consultation"))?;
    if can_read(actor, &consultation) {
        Ok(consultation)
    } else if actor.account.is_none() {
        Err(Error::Unauthenticated)
    } else {
        Err(Error::Forbidden)
    }
}

/// "Điều 3", "Điều 3, khoản 2", "Điều 3, khoản 2, điểm a" for every clause of a consultation.
pub fn clause_labels(all: &[clauses::Model]) -> HashMap<Uuid, String> {
    let by_id: HashMap<Uuid, &clauses::Model> = all.iter().map(|c| (c.id, c)).collect();
    all.iter()
        .map(|clause| {
            let mut parts = vec![moderation::clause_label(clause)];
            let mut parent = clause.parent_id.and_then(|id| by_id.get(&id));
            while let Some(p) = parent {
                // Above the article (chương, mục) adds nothing a reader needs to find it.
                if matches!(
                    clause.level,
                    entity::enums::ClauseLevel::Khoan | entity::enums::ClauseLevel::Diem
                ) && matches!(
                    p.level,
                    entity::enums::ClauseLevel::Dieu | entity::enums::ClauseLevel::Khoan
                ) {
                    parts.push(moderation::clause_label(p));
                }
                parent = p.parent_id.and_then(|id| by_id.get(&id));
            }
            parts.reverse();
            let label = parts
                .iter()
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        part.clone()
                    } else {
                        lowercase_first(part)
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            (clause.id, label)
        })
        .collect()
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// A campaign's first approved comment, its size and the organizations among its authors.
#[derive(Debug, Clone)]
struct CampaignInfo {
    representative: Uuid,
    size: u64,
    organizations: Vec<Uuid>,
}

/// What the table's order is computed from: an approved comment's clause position (0 for the
/// draft as a whole), time and id, and what its campaign row needs.
struct Fact {
    group: usize,
    at: DateTime<Utc>,
    id: Uuid,
    campaign: Option<Uuid>,
    organization: Option<Uuid>,
}

/// Reads the live table of a consultation in document order, a page at a time.
pub struct AcceptanceCursor {
    lead_agency_id: Uuid,
    /// The rows' comments still to read, in table order (a campaign by its first comment).
    order: std::collections::VecDeque<Uuid>,
    labels: HashMap<Uuid, String>,
    organizations: HashMap<Uuid, String>,
    agencies: HashMap<Uuid, String>,
    campaigns: HashMap<Uuid, CampaignInfo>,
    number: u64,
}

impl AcceptanceCursor {
    /// Opens the live table of `consultation`.
    pub async fn open<C: ConnectionTrait>(
        db: &C,
        consultation: &consultations::Model,
    ) -> Result<Self> {
        let all = clauses::Entity::find()
            .filter(clauses::Column::ConsultationId.eq(consultation.id))
            .order_by_asc(clauses::Column::Position)
            .order_by_asc(clauses::Column::Id)
            .all(db)
            .await?;
        // The order of the table is computed once from the small facts of every approved
        // comment (id, clause, time, campaign, organization): sorting them here costs a few
        // megabytes at 100,000 comments, and every page is then read by primary key.
        let position: HashMap<Uuid, usize> =
            all.iter().enumerate().map(|(i, c)| (c.id, i + 1)).collect();
        let mut facts: Vec<Fact> = comments::Entity::find()
            .select_only()
            .column(comments::Column::Id)
            .column(comments::Column::ClauseId)
            .column(comments::Column::CreatedAt)
            .column(comments::Column::CampaignId)
            .column(comments::Column::OrganizationId)
            .filter(comments::Column::ConsultationId.eq(consultation.id))
            .filter(comments::Column::Status.eq(CommentStatus::Approved))
            .into_tuple::<(
                Uuid,
                Option<Uuid>,
                DateTime<Utc>,
                Option<Uuid>,
                Option<Uuid>,
            )>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, clause, at, campaign, organization)| Fact {
                group: clause.map_or(0, |c| position.get(&c).copied().unwrap_or(usize::MAX)),
                at,
                id,
                campaign,
                organization,
            })
            .collect();
        facts.sort_unstable_by_key(|f| (f.group, f.at, f.id));
        let organizations = organizations::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let agencies = agencies::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        // A campaign's row stands where its first comment in table order does.
        let mut campaigns: HashMap<Uuid, CampaignInfo> = HashMap::new();
        for fact in &facts {
            let Some(campaign) = fact.campaign else {
                continue;
            };
            let info = campaigns.entry(campaign).or_insert(CampaignInfo {
                representative: fact.id,
                size: 0,
                organizations: Vec::new(),
            });
            info.size += 1;
            if let Some(org) = fact.organization
                && !info.organizations.contains(&org)
            {
                info.organizations.push(org);
            }
        }
        let order = facts
            .into_iter()
            .filter(|f| {
                f.campaign
                    .is_none_or(|c| campaigns.get(&c).is_none_or(|i| i.representative == f.id))
            })
            .map(|f| f.id)
            .collect();
        Ok(Self {
            lead_agency_id: consultation.lead_agency_id,
            order,
            labels: clause_labels(&all),
            organizations,
            agencies,
            campaigns,
            number: 0,
        })
    }

    /// The next rows, or an empty vector at the end.
    pub async fn next_page<C: ConnectionTrait>(&mut self, db: &C) -> Result<Vec<Row>> {
        let take = self.order.len().min(usize::try_from(PAGE).unwrap_or(500));
        if take == 0 {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = self.order.drain(..take).collect();
        let mut found: HashMap<Uuid, comments::Model> = comments::Entity::find()
            .filter(comments::Column::Id.is_in(ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        // A comment changed by someone else between the two reads (say, rejected after an
        // appeal) is left out rather than shown with a stale status.
        let page: Vec<comments::Model> = ids
            .iter()
            .filter_map(|id| found.remove(id))
            .filter(|c| c.status == CommentStatus::Approved)
            .collect();
        self.rows(db, page).await
    }

    async fn rows<C: ConnectionTrait>(
        &mut self,
        db: &C,
        page: Vec<comments::Model>,
    ) -> Result<Vec<Row>> {
        let ids: Vec<Uuid> = page.iter().map(|c| c.id).collect();
        let answers = latest_answers(db, &ids, self.lead_agency_id).await?;
        let named: Vec<Uuid> = page
            .iter()
            .filter(|c| {
                c.organization_id.is_none()
                    && c.consent == Consent::PublicNamed
                    && c.author_name.is_none()
            })
            .filter_map(|c| c.author_id)
            .collect();
        let names: HashMap<Uuid, String> = if named.is_empty() {
            HashMap::new()
        } else {
            users::Entity::find()
                .select_only()
                .column(users::Column::Id)
                .column(users::Column::DisplayName)
                .filter(users::Column::Id.is_in(named))
                .into_tuple()
                .all(db)
                .await?
                .into_iter()
                .collect()
        };
        let mut out = Vec::with_capacity(page.len());
        for comment in page {
            self.number += 1;
            let public = crate::services::comments::is_public(&comment);
            let campaign = comment
                .campaign_id
                .and_then(|id| self.campaigns.get(&id))
                .filter(|info| info.size > 1);
            let (group, commenter, comment_count) = match campaign {
                Some(info) => (Group::Campaign, self.campaign_commenter(info), info.size),
                None => match comment
                    .organization_id
                    .and_then(|id| self.organizations.get(&id))
                {
                    Some(org) => (Group::Organization, org.clone(), 1),
                    None => {
                        let name = (comment.consent == Consent::PublicNamed)
                            .then(|| {
                                comment.author_name.clone().or_else(|| {
                                    comment.author_id.and_then(|id| names.get(&id).cloned())
                                })
                            })
                            .flatten()
                            .filter(|n| !n.trim().is_empty());
                        let commenter = match name {
                            Some(name) => format!("{RESIDENT} ({})", name.trim()),
                            None => RESIDENT.to_owned(),
                        };
                        (Group::Resident, commenter, 1)
                    }
                },
            };
            let answer = answers.get(&comment.id);
            let explanation = match answer {
                Some(_) if !public => ANSWERED_PRIVATELY.to_owned(),
                Some((agency, _, body)) if *agency != self.lead_agency_id => format!(
                    "{}: {body}",
                    self.agencies.get(agency).cloned().unwrap_or_default()
                ),
                Some((_, _, body)) => body.clone(),
                None => String::new(),
            };
            out.push(Row {
                number: self.number,
                clause: comment.clause_id.map_or_else(
                    || WHOLE_DRAFT.to_owned(),
                    |id| self.labels.get(&id).cloned().unwrap_or_default(),
                ),
                commenter,
                group,
                tracking_code: comment.tracking_code.clone(),
                comment_count,
                content: if public {
                    comment.public_body.clone().unwrap_or_default()
                } else {
                    NOT_PUBLISHED.to_owned()
                },
                disposition: answer.map(|(_, disposition, _)| *disposition),
                explanation,
            });
        }
        Ok(out)
    }

    fn campaign_commenter(&self, info: &CampaignInfo) -> String {
        let mut text = format!("{} ý kiến cùng nội dung", info.size);
        let names: Vec<&str> = info
            .organizations
            .iter()
            .filter_map(|id| self.organizations.get(id).map(String::as_str))
            .collect();
        if !names.is_empty() {
            const SHOWN: usize = 5;
            text.push_str(", trong đó có ");
            text.push_str(&names[..names.len().min(SHOWN)].join(", "));
            if names.len() > SHOWN {
                text.push_str(&format!(" và {} tổ chức khác", names.len() - SHOWN));
            }
        }
        text
    }
}

/// The latest answer to each comment: the lead agency's if it answered, else the latest of any
/// agency the comment was routed to. Value: (agency, disposition, body).
async fn latest_answers<C: ConnectionTrait>(
    db: &C,
    comment_ids: &[Uuid],
    lead_agency_id: Uuid,
) -> Result<HashMap<Uuid, (Uuid, Disposition, String)>> {
    let mut out: HashMap<Uuid, (Uuid, Disposition, String, bool)> = HashMap::new();
    if comment_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let lead_assignments: HashSet<Uuid> = assignments::Entity::find()
        .select_only()
        .column(assignments::Column::Id)
        .filter(assignments::Column::CommentId.is_in(comment_ids.to_vec()))
        .filter(
            Condition::any()
                .add(assignments::Column::IsLead.eq(true))
                .add(assignments::Column::AgencyId.eq(lead_agency_id)),
        )
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    for response in agency_responses::Entity::find()
        .filter(agency_responses::Column::CommentId.is_in(comment_ids.to_vec()))
        .order_by_asc(agency_responses::Column::CreatedAt)
        .order_by_asc(agency_responses::Column::Id)
        .all(db)
        .await?
    {
        let lead = lead_assignments.contains(&response.assignment_id);
        // Later answers replace earlier ones, but another agency's never replaces the lead's.
        let replace = out
            .get(&response.comment_id)
            .is_none_or(|(_, _, _, was_lead)| lead || !was_lead);
        if replace {
            out.insert(
                response.comment_id,
                (
                    response.agency_id,
                    response.disposition,
                    response.body,
                    lead,
                ),
            );
        }
    }
    Ok(out
        .into_iter()
        .map(|(id, (agency, disposition, body, _))| (id, (agency, disposition, body)))
        .collect())
}

/// The rows of a table: the live one, or a signed-off version as frozen.
pub enum Rows {
    /// Read from the comments and answers now.
    Live(Box<AcceptanceCursor>),
    /// Read from `acceptance_rows`.
    Frozen {
        /// The sign-off.
        signoff_id: Uuid,
        /// Last STT read.
        after: i64,
    },
}

impl Rows {
    /// The next rows, or an empty vector at the end.
    pub async fn next_page<C: ConnectionTrait>(&mut self, db: &C) -> Result<Vec<Row>> {
        match self {
            Self::Live(cursor) => cursor.next_page(db).await,
            Self::Frozen { signoff_id, after } => {
                let page = acceptance_rows::Entity::find()
                    .filter(acceptance_rows::Column::SignoffId.eq(*signoff_id))
                    .filter(acceptance_rows::Column::Number.gt(*after))
                    .order_by_asc(acceptance_rows::Column::Number)
                    .limit(PAGE)
                    .all(db)
                    .await?;
                if let Some(last) = page.last() {
                    *after = last.number;
                }
                Ok(page.into_iter().map(frozen_row).collect())
            }
        }
    }
}

fn frozen_row(row: acceptance_rows::Model) -> Row {
    Row {
        number: u64::try_from(row.number).unwrap_or(0),
        clause: row.clause,
        commenter: row.commenter,
        group: match row.group_kind.as_str() {
            "organization" => Group::Organization,
            "campaign" => Group::Campaign,
            _ => Group::Resident,
        },
        tracking_code: row.tracking_code,
        comment_count: u64::try_from(row.comment_count).unwrap_or(1),
        content: row.content,
        disposition: row.disposition,
        explanation: row.explanation,
    }
}

/// The SHA-256 of a table's content and its summary, built while its rows go by: what
/// [`sign_off`] freezes and what a frozen version can be checked against.
pub struct TableDigest {
    hasher: Sha256,
    summary: Summary,
}

impl TableDigest {
    /// Starts the digest of a consultation's table.
    pub fn new(consultation_id: Uuid) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"gopy-acceptance-table-v1\n");
        hasher.update(consultation_id.to_string().as_bytes());
        hasher.update(b"\n");
        Self {
            hasher,
            summary: Summary::new(),
        }
    }

    /// Adds rows, in table order.
    pub fn add(&mut self, rows: &[Row]) {
        for row in rows {
            self.hasher.update(row.hash_line());
            self.summary.add(row);
        }
    }

    /// The hash (hex) and the summary.
    pub fn finish(self) -> (String, Summary) {
        (hex::encode(self.hasher.finalize()), self.summary)
    }
}

/// Reads every row of `rows`: the table's hash and summary.
pub async fn digest<C: ConnectionTrait>(
    db: &C,
    consultation_id: Uuid,
    rows: &mut Rows,
) -> Result<(String, Summary)> {
    let mut digest = TableDigest::new(consultation_id);
    loop {
        let page = rows.next_page(db).await?;
        if page.is_empty() {
            return Ok(digest.finish());
        }
        digest.add(&page);
    }
}

/// The signed-off versions of a consultation's table, oldest first.
pub async fn sign_offs<C: ConnectionTrait>(db: &C, consultation_id: Uuid) -> Result<Vec<SignOff>> {
    let rows = acceptance_signoffs::Entity::find()
        .filter(acceptance_signoffs::Column::ConsultationId.eq(consultation_id))
        .order_by_asc(acceptance_signoffs::Column::Version)
        .all(db)
        .await?;
    let signers: Vec<Uuid> = rows.iter().filter_map(|r| r.signed_by).collect();
    let names: HashMap<Uuid, String> = users::Entity::find()
        .filter(users::Column::Id.is_in(signers))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| SignOff {
            version: r.version,
            content_hash: r.content_hash,
            row_count: r.row_count,
            signed_by: r
                .signed_by
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default(),
            signed_at: r.signed_at,
        })
        .collect())
}

async fn head_of<C: ConnectionTrait>(
    db: &C,
    consultation: &consultations::Model,
    sign_off: Option<SignOff>,
) -> Result<Head> {
    let agency_name = agencies::Entity::find_by_id(consultation.lead_agency_id)
        .one(db)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let pending_moderation = comments::Entity::find()
        .filter(comments::Column::ConsultationId.eq(consultation.id))
        .filter(
            comments::Column::Status.is_in([CommentStatus::Pending, CommentStatus::EditRequested]),
        )
        .count(db)
        .await?;
    Ok(Head {
        consultation_id: consultation.id,
        title: consultation.title.clone(),
        agency_name,
        lead_agency_id: consultation.lead_agency_id,
        status: crate::services::consultations::effective_status(consultation, now()),
        sign_off,
        pending_moderation,
    })
}

/// Opens a consultation's table as `actor` may read it: the live table (`version: None`) or a
/// signed-off version.
pub async fn open<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    consultation_id: Uuid,
    version: Option<i32>,
) -> Result<(Head, Rows)> {
    let consultation = readable(db, actor, consultation_id).await?;
    match version {
        None => {
            let head = head_of(db, &consultation, None).await?;
            let cursor = AcceptanceCursor::open(db, &consultation).await?;
            Ok((head, Rows::Live(Box::new(cursor))))
        }
        Some(version) => {
            let signoff = acceptance_signoffs::Entity::find()
                .filter(acceptance_signoffs::Column::ConsultationId.eq(consultation_id))
                .filter(acceptance_signoffs::Column::Version.eq(version))
                .one(db)
                .await?
                .ok_or(Error::NotFound("acceptance table version"))?;
            let listed = sign_offs(db, consultation_id)
                .await?
                .into_iter()
                .find(|s| s.version == version);
            let head = head_of(db, &consultation, listed).await?;
            Ok((
                head,
                Rows::Frozen {
                    signoff_id: signoff.id,
                    after: 0,
                },
            ))
        }
    }
}

/// Signs off the live table of a closed consultation (officers of its lead agency): freezes its
/// rows as a new version, puts their hash on the audit chain and returns the version. Refused
/// while comments wait for moderation or rows wait for a disposition, and when nothing changed
/// since the last version.
pub async fn sign_off(
    db: &DatabaseConnection,
    actor: &Actor,
    consultation_id: Uuid,
) -> Result<SignOff> {
    let consultation = readable(db, actor, consultation_id).await?;
    if !actor.can(&Action::SignOffAcceptance {
        lead_agency_id: consultation.lead_agency_id,
    }) {
        return Err(Error::Forbidden);
    }
    let user_id = actor.account.as_ref().map(|a| a.user_id);
    if !is_closed(&consultation) {
        return Err(Error::Conflict {
            code: "consultation_not_closed",
            detail: "The table can be signed off once the consultation has closed.".to_owned(),
        });
    }
    let txn = crate::db::begin_write(db).await?;
    let head = head_of(&txn, &consultation, None).await?;
    if head.pending_moderation > 0 {
        return Err(Error::Conflict {
            code: "acceptance_pending_moderation",
            detail: format!(
                "{} comments still wait for moderation; the table can be signed off once they are decided.",
                head.pending_moderation
            ),
        });
    }
    let previous = acceptance_signoffs::Entity::find()
        .filter(acceptance_signoffs::Column::ConsultationId.eq(consultation_id))
        .order_by_desc(acceptance_signoffs::Column::Version)
        .one(&txn)
        .await?;
    let version = previous.as_ref().map_or(1, |p| p.version + 1);
    let signoff_id = new_id();
    let signed_at = now();
    acceptance_signoffs::Entity::insert(acceptance_signoffs::ActiveModel {
        id: Set(signoff_id),
        consultation_id: Set(consultation_id),
        version: Set(version),
        content_hash: Set(String::new()),
        row_count: Set(0),
        signed_by: Set(user_id),
        signed_at: Set(signed_at),
    })
    .exec_without_returning(&txn)
    .await?;
    let mut rows = Rows::Live(Box::new(AcceptanceCursor::open(&txn, &consultation).await?));
    let mut digest = TableDigest::new(consultation_id);
    loop {
        let page = rows.next_page(&txn).await?;
        if page.is_empty() {
            break;
        }
        digest.add(&page);
        // Rows are wide; a hundred per statement stays under every parameter limit.
        for chunk in page.chunks(100) {
            acceptance_rows::Entity::insert_many(
                chunk.iter().map(|row| frozen_model(signoff_id, row)),
            )
            .exec_without_returning(&txn)
            .await?;
        }
    }
    // Returning early drops the transaction, which rolls the frozen rows back.
    let (content_hash, summary) = digest.finish();
    if summary.total.without_disposition > 0 {
        return Err(Error::Conflict {
            code: "acceptance_incomplete",
            detail: format!(
                "{} rows still have no disposition; the agency answers them before signing off.",
                summary.total.without_disposition
            ),
        });
    }
    if previous
        .as_ref()
        .is_some_and(|p| p.content_hash == content_hash)
    {
        return Err(Error::Conflict {
            code: "acceptance_unchanged",
            detail: "Nothing changed since the last signed-off version.".to_owned(),
        });
    }
    let row_count = i64::try_from(summary.total.rows).unwrap_or(i64::MAX);
    acceptance_signoffs::Entity::update_many()
        .col_expr(
            acceptance_signoffs::Column::ContentHash,
            Expr::value(content_hash.clone()),
        )
        .col_expr(
            acceptance_signoffs::Column::RowCount,
            Expr::value(row_count),
        )
        .filter(acceptance_signoffs::Column::Id.eq(signoff_id))
        .exec(&txn)
        .await?;
    audit::append(
        &txn,
        user_id,
        "acceptance.sign_off",
        "consultation",
        &consultation_id.to_string(),
        serde_json::json!({
            "version": version,
            "content_hash": content_hash,
            "row_count": row_count,
        }),
    )
    .await?;
    txn.commit().await?;
    let signed_by = match user_id {
        Some(id) => users::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(SignOff {
        version,
        content_hash,
        row_count,
        signed_by,
        signed_at,
    })
}

fn frozen_model(signoff_id: Uuid, row: &Row) -> acceptance_rows::ActiveModel {
    acceptance_rows::ActiveModel {
        signoff_id: Set(signoff_id),
        number: Set(i64::try_from(row.number).unwrap_or(i64::MAX)),
        clause: Set(row.clause.clone()),
        commenter: Set(row.commenter.clone()),
        group_kind: Set(row.group.as_str().to_owned()),
        tracking_code: Set(row.tracking_code.clone()),
        comment_count: Set(i64::try_from(row.comment_count).unwrap_or(1)),
        content: Set(row.content.clone()),
        disposition: Set(row.disposition),
        explanation: Set(row.explanation.clone()),
    }
}

/// Whether the live table still matches the latest signed-off version: `None` when none was
/// signed, else `Some(true)` when unchanged.
pub async fn matches_latest<C: ConnectionTrait>(
    db: &C,
    consultation: &consultations::Model,
) -> Result<Option<bool>> {
    let Some(latest) = acceptance_signoffs::Entity::find()
        .filter(acceptance_signoffs::Column::ConsultationId.eq(consultation.id))
        .order_by_desc(acceptance_signoffs::Column::Version)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let mut rows = Rows::Live(Box::new(AcceptanceCursor::open(db, consultation).await?));
    let (hash, _) = digest(db, consultation.id, &mut rows).await?;
    Ok(Some(hash == latest.content_hash))
}
