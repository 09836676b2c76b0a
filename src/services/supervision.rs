//! Public supervision ("giám sát"): each agency's record on the comments routed to it, and each
//! consultation's participation, for a period.
//!
//! An assignment belongs to the period in which it was made (Vietnam dates, both ends included).
//! For each agency: assigned, answered, answered on time (on or before the due date), answered
//! late, overdue now (open past its due date), transferred on, and the median answer time in
//! working days (the calendar of `domain::calendar`, with the admins' exceptions). Every figure
//! can be opened as the list of the comments behind it ([`items`]); the list shows tracking
//! codes, dates and, for public comments only, a link to the comment.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::enums::{AssignmentStatus, CommentStatus, ConsultationStatus};
use entity::{agencies, assignments, comments, consultations};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::calendar::WorkingCalendar;
use crate::domain::time::VIETNAM;
use crate::error::{Error, FieldErrors, Result};
use crate::services::assignments::today_vn;
use crate::services::{calendar, comments as comment_rules, now};

/// Longest period, in days.
pub const MAX_DAYS: i64 = 3 * 366;

/// A period of Vietnam dates, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl Period {
    /// The last 365 days, today included.
    pub fn last_year() -> Self {
        let to = today_vn();
        Self {
            from: to - Duration::days(364),
            to,
        }
    }

    /// A period from typed dates (`YYYY-MM-DD` or `dd/mm/yyyy`; a missing end is the default's).
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self> {
        let default = Self::last_year();
        let mut errors = FieldErrors::default();
        let mut read = |field: &str, value: Option<&str>, fallback: NaiveDate| match value
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => Some(fallback),
            Some(v) => {
                let parsed = NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .or_else(|_| NaiveDate::parse_from_str(v, "%d/%m/%Y"))
                    .ok();
                if parsed.is_none() {
                    errors.push(
                        field,
                        "invalid_format",
                        "Ngày viết theo dạng YYYY-MM-DD hoặc dd/mm/yyyy.",
                    );
                }
                parsed
            }
        };
        let from = read("from", from, default.from);
        let to = read("to", to, default.to);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push("to", "before_from", "Ngày kết thúc ở trước ngày bắt đầu.");
            } else if (t - f).num_days() > MAX_DAYS {
                errors.push("to", "too_long", "Khoảng thời gian dài tối đa 3 năm.");
            }
        }
        errors.into_result()?;
        match (from, to) {
            (Some(from), Some(to)) => Ok(Self { from, to }),
            _ => Err(Error::Internal(anyhow::anyhow!("period without dates"))),
        }
    }

    fn bounds(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(VIETNAM).single())
                .map_or_else(now, |t| t.with_timezone(&Utc))
        };
        (start(self.from), start(self.to + Duration::days(1)))
    }
}

/// One agency's record.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AgencyRecord {
    /// Stable code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Assignments made in the period.
    pub assigned: u64,
    /// Of which answered.
    pub answered: u64,
    /// Answered on or before the due date.
    pub on_time: u64,
    /// Answered after it.
    pub late: u64,
    /// Open past the due date now.
    pub overdue: u64,
    /// Passed on to another agency.
    pub transferred: u64,
    /// Median working days from assignment to answer.
    pub median_working_days: Option<f64>,
}

impl AgencyRecord {
    /// Answered on time, as a share of the answered (0 to 1).
    pub fn on_time_share(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.on_time as f64 / self.answered as f64)
    }
}

/// One consultation's participation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsultationRecord {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Status now.
    pub status: ConsultationStatus,
    /// Comments received.
    pub received: u64,
    /// Approved.
    pub approved: u64,
    /// Approved and answered by an agency.
    pub answered: u64,
    /// Comments received per week, from the week it opened (Monday first).
    pub weekly: Vec<(NaiveDate, u64)>,
}

/// The dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// The period.
    pub period: Period,
    /// Agencies with assignments in the period, by name.
    pub agencies: Vec<AgencyRecord>,
    /// Published consultations, newest first.
    pub consultations: Vec<ConsultationRecord>,
}

/// Which comments behind an agency's figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// All assigned.
    Assigned,
    /// Answered.
    Answered,
    /// Answered on time.
    OnTime,
    /// Answered late.
    Late,
    /// Overdue now.
    Overdue,
    /// Transferred on.
    Transferred,
}

impl Metric {
    /// Every metric, in the tables' order.
    pub const ALL: [Self; 6] = [
        Self::Assigned,
        Self::Answered,
        Self::OnTime,
        Self::Late,
        Self::Overdue,
        Self::Transferred,
    ];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assigned => "assigned",
            Self::Answered => "answered",
            Self::OnTime => "on_time",
            Self::Late => "late",
            Self::Overdue => "overdue",
            Self::Transferred => "transferred",
        }
    }

    /// The metric of a code.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == value)
    }
}

type AssignmentFacts = (
    Uuid,
    Uuid,
    Uuid,
    AssignmentStatus,
    DateTime<Utc>,
    NaiveDate,
    Option<DateTime<Utc>>,
);

fn vn_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&VIETNAM).date_naive()
}

/// Which metrics an assignment counts in.
fn metrics_of(
    status: AssignmentStatus,
    due_on: NaiveDate,
    answered_at: Option<DateTime<Utc>>,
    today: NaiveDate,
) -> Vec<Metric> {
    let mut out = vec![Metric::Assigned];
    match (status, answered_at) {
        (AssignmentStatus::Answered, Some(at)) => {
            out.push(Metric::Answered);
            out.push(if vn_date(at) <= due_on {
                Metric::OnTime
            } else {
                Metric::Late
            });
        }
        (AssignmentStatus::Transferred, _) => out.push(Metric::Transferred),
        (AssignmentStatus::Open | AssignmentStatus::TransferRequested, _) if due_on < today => {
            out.push(Metric::Overdue);
        }
        _ => {}
    }
    out
}

async fn assignment_facts<C: ConnectionTrait>(
    db: &C,
    period: Period,
    agency_id: Option<Uuid>,
) -> Result<Vec<AssignmentFacts>> {
    let (start, end) = period.bounds();
    let mut query = assignments::Entity::find()
        .select_only()
        .column(assignments::Column::Id)
        .column(assignments::Column::AgencyId)
        .column(assignments::Column::CommentId)
        .column(assignments::Column::Status)
        .column(assignments::Column::AssignedAt)
        .column(assignments::Column::DueOn)
        .column(assignments::Column::AnsweredAt)
        .filter(assignments::Column::AssignedAt.gte(start))
        .filter(assignments::Column::AssignedAt.lt(end));
    if let Some(agency) = agency_id {
        query = query.filter(assignments::Column::AgencyId.eq(agency));
    }
    Ok(query
        .order_by_asc(assignments::Column::AssignedAt)
        .order_by_asc(assignments::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

fn median(mut values: Vec<i64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid] as f64
    } else {
        (values[mid - 1] + values[mid]) as f64 / 2.0
    })
}

fn agency_records(
    facts: &[AssignmentFacts],
    names: &HashMap<Uuid, (String, String)>,
    calendar: &WorkingCalendar,
    today: NaiveDate,
) -> Vec<AgencyRecord> {
    let mut by_agency: HashMap<Uuid, (AgencyRecord, Vec<i64>)> = HashMap::new();
    for (_, agency, _, status, assigned_at, due_on, answered_at) in facts {
        let (record, times) = by_agency.entry(*agency).or_insert_with(|| {
            let (code, name) = names.get(agency).cloned().unwrap_or_default();
            (
                AgencyRecord {
                    code,
                    name,
                    ..AgencyRecord::default()
                },
                Vec::new(),
            )
        });
        for metric in metrics_of(*status, *due_on, *answered_at, today) {
            match metric {
                Metric::Assigned => record.assigned += 1,
                Metric::Answered => record.answered += 1,
                Metric::OnTime => record.on_time += 1,
                Metric::Late => record.late += 1,
                Metric::Overdue => record.overdue += 1,
                Metric::Transferred => record.transferred += 1,
            }
        }
        if let (AssignmentStatus::Answered, Some(at)) = (status, answered_at) {
            times.push(calendar.working_days_between(vn_date(*assigned_at), vn_date(*at)));
        }
    }
    let mut out: Vec<AgencyRecord> = by_agency
        .into_values()
        .map(|(mut record, times)| {
            record.median_working_days = median(times);
            record
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The dashboard for a period.
pub async fn dashboard<C: ConnectionTrait>(db: &C, period: Period) -> Result<Dashboard> {
    let facts = assignment_facts(db, period, None).await?;
    let names: HashMap<Uuid, (String, String)> = agencies::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, (a.code, a.name)))
        .collect();
    let calendar = calendar::load(db).await?;
    let agencies = agency_records(&facts, &names, &calendar, today_vn());

    let at = now();
    let published = consultations::Entity::find()
        .filter(consultations::Column::Status.ne(ConsultationStatus::Draft))
        .order_by_desc(consultations::Column::OpensAt)
        .order_by_asc(consultations::Column::Id)
        .all(db)
        .await?;
    let mut records = Vec::with_capacity(published.len());
    for consultation in published {
        let rows: Vec<(Uuid, CommentStatus, DateTime<Utc>)> = comments::Entity::find()
            .select_only()
            .column(comments::Column::Id)
            .column(comments::Column::Status)
            .column(comments::Column::CreatedAt)
            .filter(comments::Column::ConsultationId.eq(consultation.id))
            .into_tuple()
            .all(db)
            .await?;
        let approved: Vec<Uuid> = rows
            .iter()
            .filter(|(_, s, _)| *s == CommentStatus::Approved)
            .map(|(id, _, _)| *id)
            .collect();
        let answered = answered_count(db, consultation.id).await?;
        let first_week = week_of(vn_date(consultation.opens_at));
        let mut weeks: HashMap<NaiveDate, u64> = HashMap::new();
        for (_, _, created_at) in &rows {
            *weeks.entry(week_of(vn_date(*created_at))).or_default() += 1;
        }
        let last_week = weeks
            .keys()
            .max()
            .copied()
            .unwrap_or(first_week)
            .max(first_week);
        let weekly = first_week
            .iter_weeks()
            .take_while(|w| *w <= last_week)
            .map(|w| (w, weeks.get(&w).copied().unwrap_or(0)))
            .collect();
        records.push(ConsultationRecord {
            id: consultation.id,
            title: consultation.title.clone(),
            status: crate::services::consultations::effective_status(&consultation, at),
            received: rows.len() as u64,
            approved: approved.len() as u64,
            answered,
            weekly,
        });
    }
    Ok(Dashboard {
        period,
        agencies,
        consultations: records,
    })
}

fn week_of(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

async fn answered_count<C: ConnectionTrait>(db: &C, consultation_id: Uuid) -> Result<u64> {
    let ids: Vec<Uuid> = entity::agency_responses::Entity::find()
        .select_only()
        .column(entity::agency_responses::Column::CommentId)
        .inner_join(comments::Entity)
        .filter(comments::Column::ConsultationId.eq(consultation_id))
        .filter(comments::Column::Status.eq(CommentStatus::Approved))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.len() as u64)
}

/// A comment behind a figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Tracking code.
    pub tracking_code: String,
    /// The comment, when the public may read it.
    pub public_comment_id: Option<Uuid>,
    /// Its consultation.
    pub consultation_title: String,
    /// When it was assigned (Vietnam date).
    pub assigned_on: NaiveDate,
    /// Due date.
    pub due_on: NaiveDate,
    /// When answered (Vietnam date).
    pub answered_on: Option<NaiveDate>,
    /// Working days it took (answered ones).
    pub working_days: Option<i64>,
}

/// The agency of a code, or "not found".
pub async fn agency_by_code<C: ConnectionTrait>(db: &C, code: &str) -> Result<agencies::Model> {
    agencies::Entity::find()
        .filter(agencies::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or(Error::NotFound("agency"))
}

/// The comments behind one of an agency's figures, oldest assignment first, a page at a time;
/// with their total.
pub async fn items<C: ConnectionTrait>(
    db: &C,
    agency: &agencies::Model,
    metric: Metric,
    period: Period,
    page: u64,
    per_page: u64,
) -> Result<(Vec<Item>, u64)> {
    let today = today_vn();
    let calendar = calendar::load(db).await?;
    let matching: Vec<AssignmentFacts> = assignment_facts(db, period, Some(agency.id))
        .await?
        .into_iter()
        .filter(|(_, _, _, status, _, due_on, answered_at)| {
            metrics_of(*status, *due_on, *answered_at, today).contains(&metric)
        })
        .collect();
    let total = matching.len() as u64;
    let start = usize::try_from((page.max(1) - 1) * per_page).unwrap_or(usize::MAX);
    let shown: Vec<&AssignmentFacts> = matching
        .iter()
        .skip(start)
        .take(usize::try_from(per_page).unwrap_or(usize::MAX))
        .collect();
    let ids: Vec<Uuid> = shown.iter().map(|f| f.2).collect();
    let comments_by_id: HashMap<Uuid, comments::Model> = comments::Entity::find()
        .filter(comments::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let titles = crate::services::consultations::titles(
        db,
        comments_by_id.values().map(|c| c.consultation_id).collect(),
    )
    .await?;
    Ok((
        shown
            .into_iter()
            .filter_map(
                |(_, _, comment_id, status, assigned_at, due_on, answered_at)| {
                    let comment = comments_by_id.get(comment_id)?;
                    let answered = (*status == AssignmentStatus::Answered)
                        .then_some(*answered_at)
                        .flatten();
                    Some(Item {
                        tracking_code: comment.tracking_code.clone(),
                        public_comment_id: comment_rules::is_public(comment).then_some(comment.id),
                        consultation_title: titles
                            .get(&comment.consultation_id)
                            .cloned()
                            .unwrap_or_default(),
                        assigned_on: vn_date(*assigned_at),
                        due_on: *due_on,
                        answered_on: answered.map(vn_date),
                        working_days: answered.map(|at| {
                            calendar.working_days_between(vn_date(*assigned_at), vn_date(at))
                        }),
                    })
                },
            )
            .collect(),
        total,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5, 1, 3]), Some(3.0));
        assert_eq!(median(vec![4, 1, 2, 8]), Some(3.0));
    }

    #[test]
    fn an_answer_on_its_due_date_is_on_time_and_one_day_later_is_late() {
        let due = NaiveDate::from_ymd_opt(2026, 5, 20).unwrap_or_default();
        let on = |d: u32| {
            NaiveDate::from_ymd_opt(2026, 5, d)
                .and_then(|d| d.and_hms_opt(15, 0, 0))
                .map(|t| t.and_utc())
        };
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        assert!(
            metrics_of(AssignmentStatus::Answered, due, on(20), today).contains(&Metric::OnTime)
        );
        assert!(metrics_of(AssignmentStatus::Answered, due, on(21), today).contains(&Metric::Late));
        assert!(metrics_of(AssignmentStatus::Open, due, None, today).contains(&Metric::Overdue));
        assert!(!metrics_of(AssignmentStatus::Open, today, None, today).contains(&Metric::Overdue));
        assert_eq!(
            Period::parse(Some("2026-05-01"), Some("2026-04-01"))
                .err()
                .map(|e| e.code()),
            Some("validation_failed")
        );
    }
}
