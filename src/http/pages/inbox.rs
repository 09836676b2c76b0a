//! The agency's inbox (`/agency/inbox`): comments assigned to the officer's agency, most
//! urgent first, with overdue ones marked; one assignment's page with the forms to answer,
//! to ask for a transfer or for more time. And the moderators' page of transfer and extension
//! requests (`/moderation/requests`). The JSON equivalent is `http::api::inbox`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use entity::agencies;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::Error;
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::{InboxPage, ModeratorPage};
use crate::http::pages::forms::FormErrors;
use crate::http::pages::{Layout, date_vn, render, render_status};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::policy::Actor;
use crate::services::assignments::{
    self, AnswerInput, InboxItem, InboxView, RequestDecision, RequestItem,
};
use crate::state::AppState;

/// Assignments per page.
pub const PER_PAGE: u64 = 20;

/// Dispositions, in the order the form offers them.
pub const DISPOSITIONS: [&str; 4] = [
    "accepted",
    "partially_accepted",
    "not_accepted",
    "explained",
];

fn due(date: chrono::NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// One row of the inbox.
#[derive(Debug, Clone)]
pub struct Row {
    /// Assignment id.
    pub id: String,
    /// Tracking code.
    pub code: String,
    /// Consultation title.
    pub consultation: String,
    /// The published text.
    pub body: String,
    /// Due date.
    pub due: String,
    /// Past due.
    pub overdue: bool,
    /// Within the reminder period.
    pub due_soon: bool,
    /// Translated status.
    pub status_label: &'static str,
    /// Whether this agency leads.
    pub is_lead: bool,
    /// Translated kind of a pending request.
    pub pending: Option<&'static str>,
    /// Other open assignments of the campaign.
    pub campaign_open: usize,
}

fn row(item: &InboxItem, t: Tr) -> Row {
    Row {
        id: item.assignment.id.to_string(),
        code: item.comment.tracking_code.clone(),
        consultation: item.consultation_title.clone(),
        body: item.comment.public_body.clone().unwrap_or_default(),
        due: due(item.assignment.due_on),
        overdue: item.overdue,
        due_soon: item.due_soon,
        status_label: t.get(&format!(
            "assignment_status.{}",
            item.assignment.status.as_str()
        )),
        is_lead: item.assignment.is_lead,
        pending: item
            .pending_request
            .as_ref()
            .map(|r| t.get(&format!("inbox.request_{}", r.kind))),
        campaign_open: item.campaign_open,
    }
}

/// The inbox page.
#[derive(Template)]
#[template(path = "inbox.html")]
pub struct InboxListPage {
    /// Layout.
    pub layout: Layout,
    /// Rows.
    pub rows: Vec<Row>,
    /// `todo`, `answered` or `all`.
    pub view: String,
    /// Total.
    pub total: u64,
    /// Page.
    pub page: u64,
    /// Pages.
    pub pages: u64,
}

/// `?view=&page=`.
#[derive(Debug, Default, Deserialize)]
pub struct InboxParams {
    /// View.
    #[serde(default)]
    pub view: String,
    /// Page.
    #[serde(default)]
    pub page: String,
}

/// `GET /agency/inbox`.
pub async fn show_inbox(
    State(state): State<AppState>,
    layout: Layout,
    InboxPage(signed_in): InboxPage,
    Query(params): Query<InboxParams>,
) -> Result<Response, PageError> {
    let t = layout.t;
    let (view, view_code) = match params.view.as_str() {
        "answered" => (InboxView::Answered, "answered"),
        "all" => (InboxView::All, "all"),
        _ => (InboxView::ToDo, "todo"),
    };
    let page = params.page.parse().ok().filter(|p| *p >= 1).unwrap_or(1);
    let (items, total) = assignments::inbox(&state.db, &signed_in.actor(), view, page, PER_PAGE)
        .await
        .map_err(|e| layout.fail(e))?;
    Ok(render(&InboxListPage {
        layout: layout.titled(t.get("inbox.title")),
        rows: items.iter().map(|i| row(i, t)).collect(),
        view: view_code.to_owned(),
        total,
        page,
        pages: total.div_ceil(PER_PAGE).max(1),
    }))
}

/// One assignment's page.
#[derive(Template)]
#[template(path = "inbox_item.html")]
pub struct ItemPage {
    /// Layout.
    pub layout: Layout,
    /// The row.
    pub row: Row,
    /// Whether it can still be answered.
    pub open: bool,
    /// Answers given: (date, disposition label, text).
    pub answers: Vec<(String, &'static str, String)>,
    /// `(value, label)` of each disposition.
    pub dispositions: Vec<(&'static str, &'static str)>,
    /// Other current agencies, for a transfer.
    pub agencies: Vec<(String, String)>,
    /// The answer form as typed.
    pub form: ActionForm,
    /// Errors of the last attempt.
    pub errors: FormErrors,
}

/// Fields of the three forms of an assignment.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionForm {
    /// Answer: disposition.
    #[serde(default)]
    pub disposition: String,
    /// Answer: text.
    #[serde(default)]
    pub body: String,
    /// Answer: for the whole campaign (`yes` when ticked).
    #[serde(default)]
    pub whole_campaign: String,
    /// Transfer and extension: why.
    #[serde(default)]
    pub reason: String,
    /// Transfer: the agency suggested.
    #[serde(default)]
    pub target_agency_id: String,
    /// Extension: working days.
    #[serde(default)]
    pub extra_working_days: String,
}

async fn item_page(
    state: &AppState,
    layout: Layout,
    actor: &Actor,
    id: Uuid,
    form: ActionForm,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let t = layout.t;
    let item = assignments::get(&state.db, actor, id)
        .await
        .map_err(|e| layout.fail(e))?;
    let agencies = agencies::Entity::find()
        .filter(agencies::Column::ValidTo.is_null())
        .filter(agencies::Column::Id.ne(item.assignment.agency_id))
        .order_by_asc(agencies::Column::Name)
        .all(&state.db)
        .await
        .map_err(|e| layout.fail(e.into()))?
        .into_iter()
        .map(|a| (a.id.to_string(), a.name))
        .collect();
    let has_errors = !errors.is_empty();
    let view = ItemPage {
        row: row(&item, t),
        open: item.assignment.status == entity::enums::AssignmentStatus::Open,
        answers: item
            .responses
            .iter()
            .map(|r| {
                (
                    date_vn(r.created_at),
                    t.get(&format!("disposition.{}", r.disposition.as_str())),
                    r.body.clone(),
                )
            })
            .collect(),
        dispositions: DISPOSITIONS
            .iter()
            .map(|d| (*d, t.get(&format!("disposition.{d}"))))
            .collect(),
        agencies,
        form,
        errors,
        layout: layout.titled_form(
            &format!(
                "{} {}",
                t.get("inbox.item_title"),
                item.comment.tracking_code
            ),
            has_errors,
        ),
    };
    Ok(if has_errors {
        render_status(http::StatusCode::UNPROCESSABLE_ENTITY, &view)
    } else {
        render(&view)
    })
}

/// An assignment id from the path; a malformed one is "not found".
#[expect(
    clippy::result_large_err,
    reason = "the page error is what handlers return"
)]
fn parse_id(layout: &Layout, id: &str) -> Result<Uuid, PageError> {
    Uuid::parse_str(id).map_err(|_| layout.fail(Error::NotFound("assignment")))
}

/// `GET /agency/inbox/{id}`.
pub async fn show_item(
    State(state): State<AppState>,
    layout: Layout,
    InboxPage(signed_in): InboxPage,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&layout, &id)?;
    item_page(
        &state,
        layout,
        &signed_in.actor(),
        id,
        ActionForm::default(),
        FormErrors::default(),
    )
    .await
}

/// Shows the outcome of a form: back to the page with a notice, or the page with the errors.
async fn after(
    state: &AppState,
    layout: Layout,
    actor: &Actor,
    id: Uuid,
    form: ActionForm,
    outcome: crate::error::Result<()>,
    notice: &str,
) -> Result<Response, PageError> {
    let t = layout.t;
    match outcome {
        Ok(()) => Ok(see_other(&format!("/agency/inbox/{id}?notice={notice}"))),
        Err(Error::Invalid(fields)) => {
            let errors = FormErrors::from_fields(t, &fields);
            item_page(state, layout, actor, id, form, errors).await
        }
        Err(Error::Conflict { code, .. }) => {
            let mut errors = FormErrors::default();
            errors.push("action", t.get(&format!("inbox.error_{code}")));
            item_page(state, layout, actor, id, form, errors).await
        }
        Err(e) => Err(layout.fail(e)),
    }
}

/// `POST /agency/inbox/{id}/answer`.
pub async fn answer(
    State(state): State<AppState>,
    layout: Layout,
    InboxPage(signed_in): InboxPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&layout, &id)?;
    let actor = signed_in.actor();
    let outcome = assignments::answer(
        &state.db,
        &actor,
        id,
        AnswerInput {
            disposition: form.disposition.clone(),
            body: form.body.clone(),
            whole_campaign: crate::http::pages::forms::ticked(Some(form.whole_campaign.as_str())),
        },
        &state.base_url,
    )
    .await
    .map(|_| state.mail_queued());
    after(
        &state,
        layout,
        &actor,
        id,
        form,
        outcome,
        "assignment_answered",
    )
    .await
}

/// `POST /agency/inbox/{id}/transfer`.
pub async fn transfer(
    State(state): State<AppState>,
    layout: Layout,
    InboxPage(signed_in): InboxPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&layout, &id)?;
    let actor = signed_in.actor();
    let outcome = assignments::request_transfer(
        &state.db,
        &actor,
        id,
        &form.reason,
        Uuid::parse_str(form.target_agency_id.trim()).ok(),
    )
    .await
    .map(|_| ());
    after(
        &state,
        layout,
        &actor,
        id,
        form,
        outcome,
        "transfer_requested",
    )
    .await
}

/// `POST /agency/inbox/{id}/extension`.
pub async fn extension(
    State(state): State<AppState>,
    layout: Layout,
    InboxPage(signed_in): InboxPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&layout, &id)?;
    let actor = signed_in.actor();
    let days = form.extra_working_days.trim().parse::<u32>().unwrap_or(0);
    let outcome = assignments::request_extension(&state.db, &actor, id, &form.reason, days)
        .await
        .map(|_| ());
    after(
        &state,
        layout,
        &actor,
        id,
        form,
        outcome,
        "extension_requested",
    )
    .await
}

/// One request as the moderators' page shows it.
#[derive(Debug, Clone)]
pub struct RequestRow {
    /// Id.
    pub id: String,
    /// `transfer` or `extension`.
    pub kind: String,
    /// Translated kind.
    pub kind_label: &'static str,
    /// Agency asking.
    pub agency: String,
    /// Agency suggested.
    pub target: Option<String>,
    /// Its id.
    pub target_id: String,
    /// Days asked for.
    pub days: Option<i32>,
    /// Why.
    pub reason: String,
    /// Tracking code.
    pub code: String,
    /// Current due date.
    pub due: String,
    /// Comment id.
    pub comment_id: String,
}

fn request_row(item: &RequestItem, t: Tr) -> RequestRow {
    RequestRow {
        id: item.request.id.to_string(),
        kind: item.request.kind.clone(),
        kind_label: t.get(&format!("inbox.request_{}", item.request.kind)),
        agency: item.agency_name.clone(),
        target: item.target_agency_name.clone(),
        target_id: item
            .request
            .target_agency_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        days: item.request.extra_working_days,
        reason: item.request.reason.clone(),
        code: item.tracking_code.clone(),
        due: due(item.assignment.due_on),
        comment_id: item.assignment.comment_id.to_string(),
    }
}

/// The moderators' page of requests.
#[derive(Template)]
#[template(path = "moderation_requests.html")]
pub struct RequestsPage {
    /// Layout.
    pub layout: Layout,
    /// Pending requests.
    pub rows: Vec<RequestRow>,
    /// Current agencies, for a transfer.
    pub agencies: Vec<(String, String)>,
    /// Error of the last decision.
    pub error: Option<&'static str>,
}

async fn requests_page(
    state: &AppState,
    layout: Layout,
    actor: &Actor,
    error: Option<&'static str>,
) -> Result<Response, PageError> {
    let t = layout.t;
    let items = assignments::requests(&state.db, actor, assignments::PENDING)
        .await
        .map_err(|e| layout.fail(e))?;
    let agencies = agencies::Entity::find()
        .filter(agencies::Column::ValidTo.is_null())
        .order_by_asc(agencies::Column::Name)
        .all(&state.db)
        .await
        .map_err(|e| layout.fail(e.into()))?
        .into_iter()
        .map(|a| (a.id.to_string(), a.name))
        .collect();
    Ok(render(&RequestsPage {
        layout: layout.titled(t.get("requests.title")),
        rows: items.iter().map(|i| request_row(i, t)).collect(),
        agencies,
        error,
    }))
}

/// `GET /moderation/requests`.
pub async fn show_requests(
    State(state): State<AppState>,
    layout: Layout,
    ModeratorPage(signed_in): ModeratorPage,
) -> Result<Response, PageError> {
    requests_page(&state, layout, &signed_in.actor(), None).await
}

/// The decision form of a request.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RequestForm {
    /// `grant` or `refuse`.
    #[serde(default)]
    pub decision: String,
    /// Note to the agency.
    #[serde(default)]
    pub note: String,
    /// Transfers: the agency that takes over.
    #[serde(default)]
    pub target_agency_id: String,
}

/// `POST /moderation/requests/{id}`.
pub async fn decide_request(
    State(state): State<AppState>,
    layout: Layout,
    ModeratorPage(signed_in): ModeratorPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RequestForm>,
) -> Result<Response, PageError> {
    let t = layout.t;
    let id = Uuid::parse_str(&id).map_err(|_| layout.fail(Error::NotFound("request")))?;
    let actor = signed_in.actor();
    let decision = RequestDecision {
        grant: form.decision == "grant",
        note: Some(form.note.clone()).filter(|n| !n.trim().is_empty()),
        target_agency_id: Uuid::parse_str(form.target_agency_id.trim()).ok(),
    };
    match assignments::decide_request(
        &state.db,
        &actor,
        id,
        decision,
        &state.settings.answer_working_days,
    )
    .await
    {
        Ok(_) => Ok(see_other("/moderation/requests?notice=request_decided")),
        Err(Error::Invalid(fields)) => {
            let message = FormErrors::from_fields(t, &fields)
                .list
                .first()
                .map(|(field, _)| field.clone())
                .unwrap_or_default();
            let error = if message == "note" {
                t.get("requests.error_note")
            } else {
                t.get("requests.error_target")
            };
            requests_page(&state, layout, &actor, Some(error)).await
        }
        Err(Error::Conflict { .. }) => {
            requests_page(
                &state,
                layout,
                &actor,
                Some(t.get("requests.error_decided")),
            )
            .await
        }
        Err(e) => Err(layout.fail(e)),
    }
}
