//! Assignments: an approved comment routed to the agencies that must answer it, with a due date
//! in working days; the agency's inbox; answers (also once for a whole campaign), transfers and
//! extensions that moderators grant or refuse; and the deadline job's reminders and escalations.
//!
//! Every change writes its notifications (in-app and mail through the outbox) and its audit
//! event in the same transaction, so a notice is sent exactly when the change commits.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{AssignmentStatus, Disposition, Role};
use entity::{
    agencies, agency_responses, assignment_requests, assignments, comments, consultations, users,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::domain::calendar::WorkingCalendar;
use crate::domain::time::VIETNAM;
use crate::error::{Error, FieldErrors, Result};
use crate::policy::{Action, Actor};
use crate::services::notifications::{notify, notify_many};
use crate::services::outbox::{MailPayload, enqueue_mail};
use crate::services::{audit, new_id, now};

/// Request kinds.
pub const TRANSFER: &str = "transfer";
/// More time.
pub const EXTENSION: &str = "extension";
/// Request states.
pub const PENDING: &str = "pending";
/// Granted by a moderator.
pub const GRANTED: &str = "granted";
/// Refused by a moderator.
pub const REFUSED: &str = "refused";

/// Working days before the due date when the officers are reminded.
pub const REMIND_WORKING_DAYS: u32 = 2;

/// Today in Vietnam.
pub fn today_vn() -> NaiveDate {
    now().with_timezone(&VIETNAM).date_naive()
}

fn actor_id(actor: &Actor) -> Result<Uuid> {
    actor
        .account
        .as_ref()
        .map(|a| a.user_id)
        .ok_or(Error::Unauthenticated)
}

/// Active officers of an agency.
pub async fn officers<C: ConnectionTrait>(db: &C, agency_id: Uuid) -> Result<Vec<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::AgencyId.eq(agency_id))
        .filter(users::Column::Role.eq(Role::AgencyOfficer))
        .filter(users::Column::IsActive.eq(true))
        .filter(users::Column::DeletedAt.is_null())
        .all(db)
        .await?)
}

/// Active moderators.
pub async fn moderators<C: ConnectionTrait>(db: &C) -> Result<Vec<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::Role.eq(Role::Moderator))
        .filter(users::Column::IsActive.eq(true))
        .filter(users::Column::DeletedAt.is_null())
        .all(db)
        .await?)
}

/// Mails one notice to each of `people`, in the caller's transaction.
async fn mail_each<C: ConnectionTrait>(
    db: &C,
    people: &[users::Model],
    aggregate_id: Uuid,
    subject: &str,
    text: &str,
) -> Result<()> {
    for person in people {
        enqueue_mail(
            db,
            "assignment",
            &aggregate_id.to_string(),
            MailPayload {
                to: person.email.clone(),
                to_name: Some(person.display_name.clone()),
                subject: subject.to_owned(),
                text: format!("Xin chào {},\n\n{text}", person.display_name),
            },
        )
        .await?;
    }
    Ok(())
}

/// Assigns an approved comment to agencies (the first one leads), each due after
/// `working_days` working days from today. Officers of each agency are told in the app.
pub async fn assign<C: ConnectionTrait>(
    db: &C,
    assigned_by: Option<Uuid>,
    comment: &comments::Model,
    agency_ids: &[Uuid],
    working_days: u32,
    calendar: &WorkingCalendar,
) -> Result<Vec<assignments::Model>> {
    let at = now();
    let due_on = calendar.add_working_days(today_vn(), working_days);
    let mut out = Vec::with_capacity(agency_ids.len());
    let mut seen = HashSet::new();
    for (index, agency_id) in agency_ids.iter().enumerate() {
        if !seen.insert(*agency_id) {
            continue;
        }
        let assignment = assignments::ActiveModel {
            id: Set(new_id()),
            comment_id: Set(comment.id),
            agency_id: Set(*agency_id),
            is_lead: Set(index == 0),
            status: Set(AssignmentStatus::Open),
            assigned_by: Set(assigned_by),
            assigned_at: Set(at),
            due_on: Set(due_on),
            reminded_at: Set(None),
            overdue_at: Set(None),
            escalated_at: Set(None),
            answered_at: Set(None),
        }
        .insert(db)
        .await?;
        let officer_ids: Vec<Uuid> = officers(db, *agency_id)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        notify_many(
            db,
            &officer_ids,
            "assignment_new",
            &format!(
                "Ý kiến {} được chuyển đến cơ quan, hạn trả lời {}",
                comment.tracking_code,
                due_on.format("%d/%m/%Y")
            ),
            &format!("/agency/inbox/{}", assignment.id),
        )
        .await?;
        audit::append(
            db,
            assigned_by,
            "assignment.create",
            "assignment",
            &assignment.id.to_string(),
            json!({
                "comment_id": comment.id,
                "agency_id": agency_id,
                "is_lead": index == 0,
                "due_on": due_on.to_string(),
                "working_days": working_days,
            }),
        )
        .await?;
        out.push(assignment);
    }
    crate::services::outbox::enqueue_index(db, "comment", comment.id).await?;
    Ok(out)
}

/// Which assignments an inbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InboxView {
    /// Still to answer (open, or waiting for a transfer decision), most urgent first.
    #[default]
    ToDo,
    /// Answered, newest first.
    Answered,
    /// Everything.
    All,
}

/// One row of an agency's inbox.
#[derive(Debug, Clone)]
pub struct InboxItem {
    /// The assignment.
    pub assignment: assignments::Model,
    /// The comment (its published text is what the agency answers).
    pub comment: comments::Model,
    /// Consultation title.
    pub consultation_title: String,
    /// Whether the due date has passed without an answer.
    pub overdue: bool,
    /// Whether the reminder period has started.
    pub due_soon: bool,
    /// A transfer or extension waiting for a moderator.
    pub pending_request: Option<assignment_requests::Model>,
    /// Other open assignments of this agency for comments of the same campaign.
    pub campaign_open: usize,
    /// The answers already given.
    pub responses: Vec<agency_responses::Model>,
}

/// Whether an assignment is overdue on `today`.
pub fn is_overdue(assignment: &assignments::Model, today: NaiveDate) -> bool {
    matches!(
        assignment.status,
        AssignmentStatus::Open | AssignmentStatus::TransferRequested
    ) && assignment.due_on < today
}

/// A page of the inbox of the actor's agency.
pub async fn inbox(
    db: &DatabaseConnection,
    actor: &Actor,
    view: InboxView,
    page: u64,
    per_page: u64,
) -> Result<(Vec<InboxItem>, u64)> {
    let agency_id = actor
        .account
        .as_ref()
        .filter(|_| actor.can(&Action::ReadInbox))
        .and_then(|a| a.agency_id)
        .ok_or(Error::Forbidden)?;
    let mut query = assignments::Entity::find().filter(assignments::Column::AgencyId.eq(agency_id));
    query = match view {
        InboxView::ToDo => query
            .filter(
                assignments::Column::Status
                    .is_in([AssignmentStatus::Open, AssignmentStatus::TransferRequested]),
            )
            .order_by_asc(assignments::Column::DueOn)
            .order_by_asc(assignments::Column::AssignedAt),
        InboxView::Answered => query
            .filter(assignments::Column::Status.eq(AssignmentStatus::Answered))
            .order_by_desc(assignments::Column::AnsweredAt),
        InboxView::All => query.order_by_desc(assignments::Column::AssignedAt),
    }
    .order_by_asc(assignments::Column::Id);
    let paginator = query.paginate(db, per_page);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.saturating_sub(1)).await?;
    Ok((describe(db, rows, today_vn()).await?, total))
}

async fn describe<C: ConnectionTrait>(
    db: &C,
    rows: Vec<assignments::Model>,
    today: NaiveDate,
) -> Result<Vec<InboxItem>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let comment_ids: Vec<Uuid> = rows.iter().map(|a| a.comment_id).collect();
    let comments: HashMap<Uuid, comments::Model> = comments::Entity::find()
        .filter(comments::Column::Id.is_in(comment_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let consultation_ids: HashSet<Uuid> = comments.values().map(|c| c.consultation_id).collect();
    let titles: HashMap<Uuid, String> = consultations::Entity::find()
        .filter(consultations::Column::Id.is_in(consultation_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let assignment_ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
    let mut pending: HashMap<Uuid, assignment_requests::Model> = HashMap::new();
    for request in assignment_requests::Entity::find()
        .filter(assignment_requests::Column::AssignmentId.is_in(assignment_ids.clone()))
        .filter(assignment_requests::Column::Status.eq(PENDING))
        .all(db)
        .await?
    {
        pending.insert(request.assignment_id, request);
    }
    let mut responses: HashMap<Uuid, Vec<agency_responses::Model>> = HashMap::new();
    for response in agency_responses::Entity::find()
        .filter(agency_responses::Column::AssignmentId.is_in(assignment_ids))
        .order_by_asc(agency_responses::Column::CreatedAt)
        .all(db)
        .await?
    {
        responses
            .entry(response.assignment_id)
            .or_default()
            .push(response);
    }
    let calendar = crate::services::calendar::load(db).await?;
    let mut out = Vec::with_capacity(rows.len());
    for assignment in rows {
        let Some(comment) = comments.get(&assignment.comment_id).cloned() else {
            continue;
        };
        let campaign_open = match comment.campaign_id {
            Some(campaign) => campaign_assignments(db, campaign, assignment.agency_id)
                .await?
                .len()
                .saturating_sub(1),
            None => 0,
        };
        let remind_from = calendar.previous_working_day(assignment.due_on, REMIND_WORKING_DAYS);
        out.push(InboxItem {
            overdue: is_overdue(&assignment, today),
            due_soon: assignment.status == AssignmentStatus::Open
                && today >= remind_from
                && today <= assignment.due_on,
            pending_request: pending.remove(&assignment.id),
            responses: responses.remove(&assignment.id).unwrap_or_default(),
            consultation_title: titles
                .get(&comment.consultation_id)
                .cloned()
                .unwrap_or_default(),
            campaign_open,
            comment,
            assignment,
        });
    }
    Ok(out)
}

/// Open assignments of `agency_id` for comments of a campaign.
async fn campaign_assignments<C: ConnectionTrait>(
    db: &C,
    campaign_id: Uuid,
    agency_id: Uuid,
) -> Result<Vec<assignments::Model>> {
    let comment_ids: Vec<Uuid> = comments::Entity::find()
        .filter(comments::Column::CampaignId.eq(campaign_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    Ok(assignments::Entity::find()
        .filter(assignments::Column::CommentId.is_in(comment_ids))
        .filter(assignments::Column::AgencyId.eq(agency_id))
        .filter(assignments::Column::Status.eq(AssignmentStatus::Open))
        .all(db)
        .await?)
}

/// One assignment as the actor may see it (an officer of its agency, or a moderator).
pub async fn get(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<InboxItem> {
    let assignment = assignments::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("assignment"))?;
    if !actor.can(&Action::AnswerAssignments {
        agency_id: assignment.agency_id,
    }) && !actor.can(&Action::DecideAssignmentRequests)
    {
        return Err(Error::NotFound("assignment"));
    }
    describe(db, vec![assignment], today_vn())
        .await?
        .pop()
        .ok_or(Error::NotFound("assignment"))
}

/// Loads an assignment the actor's agency may act on, still open.
async fn open_for<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> Result<assignments::Model> {
    let assignment = assignments::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("assignment"))?;
    if !actor.can(&Action::AnswerAssignments {
        agency_id: assignment.agency_id,
    }) {
        return Err(Error::NotFound("assignment"));
    }
    if assignment.status != AssignmentStatus::Open {
        return Err(Error::Conflict {
            code: "assignment_not_open",
            detail: format!(
                "This assignment is {} and can no longer be answered, transferred or extended.",
                assignment.status
            ),
        });
    }
    Ok(assignment)
}

/// An agency's answer.
#[derive(Debug, Clone)]
pub struct AnswerInput {
    /// `accepted`, `partially_accepted`, `not_accepted` or `explained`.
    pub disposition: String,
    /// The answer, 10 to 10,000 characters; public on the comment page.
    pub body: String,
    /// Answer every open assignment of this agency for comments of the same campaign.
    pub whole_campaign: bool,
}

/// Parses a disposition.
pub fn parse_disposition(value: &str) -> Option<Disposition> {
    match value {
        "accepted" => Some(Disposition::Accepted),
        "partially_accepted" => Some(Disposition::PartiallyAccepted),
        "not_accepted" => Some(Disposition::NotAccepted),
        "explained" => Some(Disposition::Explained),
        _ => None,
    }
}

/// Records an agency's answer (public on the comment page) and tells the author. With
/// `whole_campaign`, every open assignment of the agency for the campaign's comments gets the
/// same answer, each in its own record. Returns the assignments answered.
pub async fn answer(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: AnswerInput,
    base_url: &str,
) -> Result<Vec<Uuid>> {
    let officer_id = actor_id(actor)?;
    let mut errors = FieldErrors::default();
    let disposition = parse_disposition(&input.disposition);
    if disposition.is_none() {
        errors.push(
            "disposition",
            "unknown",
            "Chọn: tiếp thu, tiếp thu một phần, không tiếp thu hoặc giải trình",
        );
    }
    let body = crate::domain::text::normalize(&input.body);
    let length = body.chars().count();
    if !(10..=10_000).contains(&length) {
        errors.push(
            "body",
            "length",
            "Nội dung trả lời cần từ 10 đến 10.000 ký tự",
        );
    }
    errors.into_result()?;
    let disposition = disposition.unwrap_or(Disposition::Explained);
    let txn = crate::db::begin_write(db).await?;
    let first = open_for(&txn, actor, id).await?;
    let mut targets = vec![first.clone()];
    if input.whole_campaign {
        let comment = comments::Entity::find_by_id(first.comment_id)
            .one(&txn)
            .await?
            .ok_or(Error::NotFound("comment"))?;
        if let Some(campaign) = comment.campaign_id {
            targets.extend(
                campaign_assignments(&txn, campaign, first.agency_id)
                    .await?
                    .into_iter()
                    .filter(|a| a.id != first.id),
            );
        }
    }
    let at = now();
    let mut answered = Vec::with_capacity(targets.len());
    for assignment in targets {
        let updated = assignments::Entity::update_many()
            .col_expr(
                assignments::Column::Status,
                Expr::value(AssignmentStatus::Answered.as_str()),
            )
            .col_expr(assignments::Column::AnsweredAt, Expr::value(at))
            .filter(assignments::Column::Id.eq(assignment.id))
            .filter(assignments::Column::Status.eq(AssignmentStatus::Open))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            continue;
        }
        let response = agency_responses::ActiveModel {
            id: Set(new_id()),
            assignment_id: Set(assignment.id),
            comment_id: Set(assignment.comment_id),
            agency_id: Set(assignment.agency_id),
            officer_id: Set(Some(officer_id)),
            disposition: Set(disposition),
            body: Set(body.clone()),
            created_at: Set(at),
        }
        .insert(&txn)
        .await?;
        audit::append(
            &txn,
            Some(officer_id),
            "assignment.answer",
            "assignment",
            &assignment.id.to_string(),
            json!({
                "comment_id": assignment.comment_id,
                "agency_id": assignment.agency_id,
                "disposition": disposition.as_str(),
                "response_id": response.id,
                "body_sha256": crate::domain::audit::text_digest(&body),
                "on_time": at.with_timezone(&VIETNAM).date_naive() <= assignment.due_on,
            }),
        )
        .await?;
        tell_author(
            &txn,
            assignment.comment_id,
            "comment_answered",
            "đã được cơ quan trả lời",
            base_url,
        )
        .await?;
        crate::services::outbox::enqueue_index(&txn, "comment", assignment.comment_id).await?;
        answered.push(assignment.id);
    }
    txn.commit().await?;
    Ok(answered)
}

/// Tells a comment's author (mail and in-app) that something happened to it.
async fn tell_author<C: ConnectionTrait>(
    db: &C,
    comment_id: Uuid,
    kind: &str,
    what: &str,
    base_url: &str,
) -> Result<()> {
    let Some(comment) = comments::Entity::find_by_id(comment_id).one(db).await? else {
        return Ok(());
    };
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
    let title = format!("Ý kiến {} {what}", comment.tracking_code);
    let link = format!("/comments/{}", comment.id);
    notify(db, author.id, kind, &title, &link).await?;
    enqueue_mail(
        db,
        "comment",
        &comment.id.to_string(),
        MailPayload {
            to: author.email,
            to_name: Some(author.display_name.clone()),
            subject: title.clone(),
            text: format!(
                "Xin chào {},\n\n{title}.\nXem: {base_url}{link}\n",
                author.display_name
            ),
        },
    )
    .await
}

/// An agency asking to pass an assignment to another agency ("không thuộc thẩm quyền").
pub async fn request_transfer(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    reason: &str,
    target_agency_id: Option<Uuid>,
) -> Result<assignment_requests::Model> {
    request(db, actor, id, TRANSFER, reason, target_agency_id, None).await
}

/// An agency asking for more working days.
pub async fn request_extension(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    reason: &str,
    extra_working_days: u32,
) -> Result<assignment_requests::Model> {
    request(
        db,
        actor,
        id,
        EXTENSION,
        reason,
        None,
        Some(extra_working_days),
    )
    .await
}

async fn request(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    kind: &str,
    reason: &str,
    target_agency_id: Option<Uuid>,
    extra_working_days: Option<u32>,
) -> Result<assignment_requests::Model> {
    let officer_id = actor_id(actor)?;
    let reason = crate::domain::text::normalize(reason);
    let mut errors = FieldErrors::default();
    if !(5..=2000).contains(&reason.chars().count()) {
        errors.push("reason", "length", "Nêu lý do (5 đến 2.000 ký tự)");
    }
    if let Some(days) = extra_working_days
        && !(1..=30).contains(&days)
    {
        errors.push(
            "extra_working_days",
            "out_of_range",
            "Gia hạn từ 1 đến 30 ngày làm việc",
        );
    }
    if let Some(target) = target_agency_id {
        let exists = agencies::Entity::find_by_id(target)
            .one(db)
            .await?
            .is_some_and(|a| a.valid_to.is_none());
        if !exists {
            errors.push(
                "target_agency_id",
                "unknown",
                "Không có cơ quan này trong danh sách hiện hành",
            );
        }
    }
    errors.into_result()?;
    let txn = crate::db::begin_write(db).await?;
    let assignment = open_for(&txn, actor, id).await?;
    let already = assignment_requests::Entity::find()
        .filter(assignment_requests::Column::AssignmentId.eq(assignment.id))
        .filter(assignment_requests::Column::Status.eq(PENDING))
        .count(&txn)
        .await?;
    if already > 0 {
        return Err(Error::Conflict {
            code: "request_pending",
            detail:
                "A transfer or extension of this assignment is already waiting for a moderator."
                    .into(),
        });
    }
    if target_agency_id == Some(assignment.agency_id) {
        let mut errors = FieldErrors::default();
        errors.push(
            "target_agency_id",
            "same_agency",
            "Chọn một cơ quan khác với cơ quan đang xử lý",
        );
        return Err(Error::Invalid(errors));
    }
    let at = now();
    let request = assignment_requests::ActiveModel {
        id: Set(new_id()),
        assignment_id: Set(assignment.id),
        kind: Set(kind.to_owned()),
        reason: Set(reason),
        target_agency_id: Set(target_agency_id),
        extra_working_days: Set(extra_working_days.and_then(|d| i32::try_from(d).ok())),
        status: Set(PENDING.to_owned()),
        requested_by: Set(officer_id),
        requested_at: Set(at),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_note: Set(None),
    }
    .insert(&txn)
    .await?;
    if kind == TRANSFER {
        let mut active: assignments::ActiveModel = assignment.clone().into();
        active.status = Set(AssignmentStatus::TransferRequested);
        active.update(&txn).await?;
    }
    let people = moderators(&txn).await?;
    let ids: Vec<Uuid> = people.iter().map(|u| u.id).collect();
    let title = if kind == TRANSFER {
        "Một cơ quan đề nghị chuyển ý kiến sang cơ quan khác".to_owned()
    } else {
        "Một cơ quan đề nghị gia hạn trả lời ý kiến".to_owned()
    };
    notify_many(
        &txn,
        &ids,
        "assignment_request",
        &title,
        "/moderation/requests",
    )
    .await?;
    audit::append(
        &txn,
        Some(officer_id),
        if kind == TRANSFER {
            "assignment.transfer_request"
        } else {
            "assignment.extension_request"
        },
        "assignment",
        &assignment.id.to_string(),
        json!({
            "request_id": request.id,
            "target_agency_id": target_agency_id,
            "extra_working_days": extra_working_days,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(request)
}

/// A request with what a moderator needs to decide it.
#[derive(Debug, Clone)]
pub struct RequestItem {
    /// The request.
    pub request: assignment_requests::Model,
    /// Its assignment.
    pub assignment: assignments::Model,
    /// The agency asking.
    pub agency_name: String,
    /// The agency suggested (transfers).
    pub target_agency_name: Option<String>,
    /// The comment's tracking code.
    pub tracking_code: String,
}

/// Requests in a state (pending first for moderators), oldest first.
pub async fn requests(
    db: &DatabaseConnection,
    actor: &Actor,
    status: &str,
) -> Result<Vec<RequestItem>> {
    if !actor.can(&Action::DecideAssignmentRequests) {
        return Err(if actor.account.is_some() {
            Error::Forbidden
        } else {
            Error::Unauthenticated
        });
    }
    let rows = assignment_requests::Entity::find()
        .filter(assignment_requests::Column::Status.eq(status))
        .order_by_asc(assignment_requests::Column::RequestedAt)
        .all(db)
        .await?;
    let assignment_ids: Vec<Uuid> = rows.iter().map(|r| r.assignment_id).collect();
    let assignments: HashMap<Uuid, assignments::Model> = assignments::Entity::find()
        .filter(assignments::Column::Id.is_in(assignment_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let names: HashMap<Uuid, String> = agencies::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let comment_ids: Vec<Uuid> = assignments.values().map(|a| a.comment_id).collect();
    let codes: HashMap<Uuid, String> = comments::Entity::find()
        .filter(comments::Column::Id.is_in(comment_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.tracking_code))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|request| {
            let assignment = assignments.get(&request.assignment_id)?.clone();
            Some(RequestItem {
                agency_name: names
                    .get(&assignment.agency_id)
                    .cloned()
                    .unwrap_or_default(),
                target_agency_name: request
                    .target_agency_id
                    .and_then(|id| names.get(&id).cloned()),
                tracking_code: codes
                    .get(&assignment.comment_id)
                    .cloned()
                    .unwrap_or_default(),
                assignment,
                request,
            })
        })
        .collect())
}

/// A moderator's decision on a request.
#[derive(Debug, Clone)]
pub struct RequestDecision {
    /// Grant (`true`) or refuse.
    pub grant: bool,
    /// Note to the agency (required to refuse).
    pub note: Option<String>,
    /// Transfers: the agency that takes over (default: the one the agency suggested).
    pub target_agency_id: Option<Uuid>,
}

/// Grants or refuses a transfer or an extension. A granted transfer closes the assignment and
/// opens one for the new agency with a fresh deadline; a granted extension moves the due date
/// by the working days asked for; a refused transfer reopens the assignment.
pub async fn decide_request(
    db: &DatabaseConnection,
    actor: &Actor,
    request_id: Uuid,
    decision: RequestDecision,
    answer_days: &crate::config::AnswerWorkingDays,
) -> Result<assignment_requests::Model> {
    if !actor.can(&Action::DecideAssignmentRequests) {
        return Err(Error::Forbidden);
    }
    let moderator_id = actor_id(actor)?;
    let note = decision
        .note
        .as_deref()
        .map(crate::domain::text::normalize)
        .filter(|n| !n.is_empty());
    if !decision.grant && note.is_none() {
        let mut errors = FieldErrors::default();
        errors.push("note", "required", "Nêu lý do không chấp thuận cho cơ quan");
        return Err(Error::Invalid(errors));
    }
    let txn = crate::db::begin_write(db).await?;
    let request = assignment_requests::Entity::find_by_id(request_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("request"))?;
    if request.status != PENDING {
        return Err(Error::Conflict {
            code: "request_decided",
            detail: "This request has already been decided.".into(),
        });
    }
    let assignment = assignments::Entity::find_by_id(request.assignment_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("assignment"))?;
    let calendar = crate::services::calendar::load(&txn).await?;
    let at = now();
    let mut event = json!({"request_id": request.id, "granted": decision.grant});
    if request.kind == TRANSFER {
        if decision.grant {
            let target = decision
                .target_agency_id
                .or(request.target_agency_id)
                .filter(|t| *t != assignment.agency_id);
            let Some(target) = target else {
                let mut errors = FieldErrors::default();
                errors.push("target_agency_id", "required", "Chọn cơ quan nhận chuyển");
                return Err(Error::Invalid(errors));
            };
            let mut old: assignments::ActiveModel = assignment.clone().into();
            old.status = Set(AssignmentStatus::Transferred);
            old.update(&txn).await?;
            let comment = comments::Entity::find_by_id(assignment.comment_id)
                .one(&txn)
                .await?
                .ok_or(Error::NotFound("comment"))?;
            let kind = consultations::Entity::find_by_id(comment.consultation_id)
                .one(&txn)
                .await?
                .map(|c| c.kind)
                .ok_or(Error::NotFound("consultation"))?;
            let created = assign(
                &txn,
                Some(moderator_id),
                &comment,
                &[target],
                answer_days.for_kind(kind),
                &calendar,
            )
            .await?;
            // The new agency takes the old one's place as lead, if it was the lead.
            if let Some(new) = created.first()
                && new.is_lead != assignment.is_lead
            {
                let mut active: assignments::ActiveModel = new.clone().into();
                active.is_lead = Set(assignment.is_lead);
                active.update(&txn).await?;
            }
            event["target_agency_id"] = json!(target);
        } else {
            let mut old: assignments::ActiveModel = assignment.clone().into();
            old.status = Set(AssignmentStatus::Open);
            old.update(&txn).await?;
        }
    } else if decision.grant {
        let extra = request
            .extra_working_days
            .and_then(|d| u32::try_from(d).ok())
            .unwrap_or(0);
        let due_on = calendar.add_working_days(assignment.due_on, extra);
        let mut active: assignments::ActiveModel = assignment.clone().into();
        active.due_on = Set(due_on);
        // A new due date earns a new reminder; an overdue mark stays in the record.
        active.reminded_at = Set(None);
        active.update(&txn).await?;
        event["due_on"] = json!(due_on.to_string());
    }
    let mut active: assignment_requests::ActiveModel = request.into();
    active.status = Set(if decision.grant { GRANTED } else { REFUSED }.to_owned());
    active.decided_by = Set(Some(moderator_id));
    active.decided_at = Set(Some(at));
    active.decision_note = Set(note);
    let request = active.update(&txn).await?;
    let officer_ids: Vec<Uuid> = officers(&txn, assignment.agency_id)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let what = match (request.kind.as_str(), decision.grant) {
        (TRANSFER, true) => "Đề nghị chuyển ý kiến đã được chấp thuận",
        (TRANSFER, false) => "Đề nghị chuyển ý kiến không được chấp thuận",
        (_, true) => "Đề nghị gia hạn đã được chấp thuận",
        (_, false) => "Đề nghị gia hạn không được chấp thuận",
    };
    notify_many(
        &txn,
        &officer_ids,
        "assignment_request_decided",
        what,
        &format!("/agency/inbox/{}", assignment.id),
    )
    .await?;
    audit::append(
        &txn,
        Some(moderator_id),
        if request.kind == TRANSFER {
            "assignment.transfer_decision"
        } else {
            "assignment.extension_decision"
        },
        "assignment",
        &assignment.id.to_string(),
        event,
    )
    .await?;
    txn.commit().await?;
    Ok(request)
}

/// What one run of the deadline job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeadlineRun {
    /// Reminders sent (assignments due within two working days).
    pub reminded: usize,
    /// Assignments marked overdue and escalated.
    pub overdue: usize,
}

/// Sends the reminders and escalations that are due on `today`. Each assignment is reminded
/// once and escalated once: the mark (`reminded_at`, `overdue_at`) is set by an update
/// conditional on its absence, in the same transaction as the notices, so a restart or a second
/// node never sends a notice twice.
pub async fn run_deadlines(
    db: &DatabaseConnection,
    today: NaiveDate,
    base_url: &str,
) -> Result<DeadlineRun> {
    let calendar = crate::services::calendar::load(db).await?;
    let mut run = DeadlineRun::default();
    let candidates = assignments::Entity::find()
        .filter(
            assignments::Column::Status
                .is_in([AssignmentStatus::Open, AssignmentStatus::TransferRequested]),
        )
        .filter(
            Condition::any()
                .add(assignments::Column::RemindedAt.is_null())
                .add(assignments::Column::OverdueAt.is_null()),
        )
        .all(db)
        .await?;
    for assignment in candidates {
        if assignment.due_on < today && assignment.overdue_at.is_none() {
            if escalate(db, &assignment, base_url).await? {
                run.overdue += 1;
            }
        } else if assignment.reminded_at.is_none()
            && assignment.status == AssignmentStatus::Open
            && today >= calendar.previous_working_day(assignment.due_on, REMIND_WORKING_DAYS)
            && today <= assignment.due_on
            && remind(db, &assignment, base_url).await?
        {
            run.reminded += 1;
        }
    }
    Ok(run)
}

async fn remind(
    db: &DatabaseConnection,
    assignment: &assignments::Model,
    base_url: &str,
) -> Result<bool> {
    let txn = crate::db::begin_write(db).await?;
    let marked = assignments::Entity::update_many()
        .col_expr(assignments::Column::RemindedAt, Expr::value(now()))
        .filter(assignments::Column::Id.eq(assignment.id))
        .filter(assignments::Column::RemindedAt.is_null())
        .exec(&txn)
        .await?;
    if marked.rows_affected != 1 {
        return Ok(false);
    }
    let code = tracking_code(&txn, assignment.comment_id).await?;
    let people = officers(&txn, assignment.agency_id).await?;
    let ids: Vec<Uuid> = people.iter().map(|u| u.id).collect();
    let due = assignment.due_on.format("%d/%m/%Y");
    let title = format!("Sắp đến hạn trả lời ý kiến {code} (hạn {due})");
    let link = format!("/agency/inbox/{}", assignment.id);
    notify_many(&txn, &ids, "assignment_due_soon", &title, &link).await?;
    mail_each(
        &txn,
        &people,
        assignment.id,
        &title,
        &format!("{title}.\nTrả lời tại: {base_url}{link}\n"),
    )
    .await?;
    audit::append(
        &txn,
        None,
        "assignment.remind",
        "assignment",
        &assignment.id.to_string(),
        json!({"due_on": assignment.due_on.to_string()}),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

async fn escalate(
    db: &DatabaseConnection,
    assignment: &assignments::Model,
    base_url: &str,
) -> Result<bool> {
    let txn = crate::db::begin_write(db).await?;
    let at = now();
    let marked = assignments::Entity::update_many()
        .col_expr(assignments::Column::OverdueAt, Expr::value(at))
        .col_expr(assignments::Column::EscalatedAt, Expr::value(at))
        .filter(assignments::Column::Id.eq(assignment.id))
        .filter(assignments::Column::OverdueAt.is_null())
        .exec(&txn)
        .await?;
    if marked.rows_affected != 1 {
        return Ok(false);
    }
    let code = tracking_code(&txn, assignment.comment_id).await?;
    let agency = agencies::Entity::find_by_id(assignment.agency_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("agency"))?;
    let due = assignment.due_on.format("%d/%m/%Y");
    let title = format!(
        "Quá hạn trả lời ý kiến {code} (hạn {due}) – {}",
        agency.name
    );
    let officers = officers(&txn, assignment.agency_id).await?;
    let moderators = moderators(&txn).await?;
    let officer_ids: Vec<Uuid> = officers.iter().map(|u| u.id).collect();
    let moderator_ids: Vec<Uuid> = moderators.iter().map(|u| u.id).collect();
    notify_many(
        &txn,
        &officer_ids,
        "assignment_overdue",
        &title,
        &format!("/agency/inbox/{}", assignment.id),
    )
    .await?;
    notify_many(
        &txn,
        &moderator_ids,
        "assignment_overdue",
        &title,
        &format!("/comments/{}", assignment.comment_id),
    )
    .await?;
    let text = format!(
        "{title}.\nCơ quan {} chưa trả lời ý kiến này đúng hạn.\nXem: {base_url}/comments/{}\n",
        agency.name, assignment.comment_id
    );
    mail_each(&txn, &officers, assignment.id, &title, &text).await?;
    mail_each(&txn, &moderators, assignment.id, &title, &text).await?;
    // The agency's head is reached at the agency's official address.
    if let Some(email) = agency.email.as_deref().filter(|e| !e.trim().is_empty()) {
        enqueue_mail(
            &txn,
            "assignment",
            &assignment.id.to_string(),
            MailPayload {
                to: email.to_owned(),
                to_name: Some(agency.name.clone()),
                subject: title.clone(),
                text: format!("Kính gửi Lãnh đạo {},\n\n{text}", agency.name),
            },
        )
        .await?;
    }
    audit::append(
        &txn,
        None,
        "assignment.overdue",
        "assignment",
        &assignment.id.to_string(),
        json!({"due_on": assignment.due_on.to_string(), "agency_id": assignment.agency_id}),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

async fn tracking_code<C: ConnectionTrait>(db: &C, comment_id: Uuid) -> Result<String> {
    Ok(comments::Entity::find_by_id(comment_id)
        .one(db)
        .await?
        .map(|c| c.tracking_code)
        .unwrap_or_default())
}

/// An agency's answer as the public sees it.
#[derive(Debug, Clone)]
pub struct PublicAnswer {
    /// The agency.
    pub agency_name: String,
    /// How the suggestion was taken.
    pub disposition: Disposition,
    /// The answer.
    pub body: String,
    /// When.
    pub answered_at: DateTime<Utc>,
}

/// What the public sees of a comment's routing: the answers, and the agencies late to answer.
#[derive(Debug, Clone, Default)]
pub struct PublicRouting {
    /// Answers, oldest first.
    pub answers: Vec<PublicAnswer>,
    /// Agencies still to answer: (name, due date, overdue).
    pub waiting: Vec<(String, NaiveDate, bool)>,
}

/// Answers and waiting agencies of several comments.
pub async fn public_routing<C: ConnectionTrait>(
    db: &C,
    comment_ids: &[Uuid],
) -> Result<HashMap<Uuid, PublicRouting>> {
    let mut out: HashMap<Uuid, PublicRouting> = HashMap::new();
    if comment_ids.is_empty() {
        return Ok(out);
    }
    let names: HashMap<Uuid, String> = agencies::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    for response in agency_responses::Entity::find()
        .filter(agency_responses::Column::CommentId.is_in(comment_ids.to_vec()))
        .order_by_asc(agency_responses::Column::CreatedAt)
        .all(db)
        .await?
    {
        out.entry(response.comment_id)
            .or_default()
            .answers
            .push(PublicAnswer {
                agency_name: names.get(&response.agency_id).cloned().unwrap_or_default(),
                disposition: response.disposition,
                body: response.body,
                answered_at: response.created_at,
            });
    }
    let today = today_vn();
    for assignment in assignments::Entity::find()
        .filter(assignments::Column::CommentId.is_in(comment_ids.to_vec()))
        .filter(
            assignments::Column::Status
                .is_in([AssignmentStatus::Open, AssignmentStatus::TransferRequested]),
        )
        .all(db)
        .await?
    {
        out.entry(assignment.comment_id).or_default().waiting.push((
            names
                .get(&assignment.agency_id)
                .cloned()
                .unwrap_or_default(),
            assignment.due_on,
            is_overdue(&assignment, today),
        ));
    }
    Ok(out)
}
