//! Agency pages for writing consultations (officers of the lead agency, and admins): the list
//! of the agency's consultations, the form that creates a draft, and the edit page. The edit
//! page's other forms (pasted text, clause corrections, documents, publication) are handled in
//! `authoring_tree`. The JSON equivalent is `http::api::authoring`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{FromRequestParts, Path, State};
use axum::response::{IntoResponse, Response};
use entity::enums::{ClauseLevel, ConsultationStatus};
use entity::{clauses, documents};
use http::StatusCode;
use http::request::Parts;
use uuid::Uuid;

use crate::error::Error;
use crate::http::auth::SignedIn;
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::AccountHolder;
use crate::http::pages::authoring_form::{DraftChoices, DraftForm, draft_choices};
use crate::http::pages::consultations::clause_rows;
use crate::http::pages::forms::FormErrors;
use crate::http::pages::{Layout, VIETNAM, datetime_vn, render, render_status};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::policy::{Action, Actor};
use crate::services::authoring::{self, DraftInput};
use crate::services::{attachments, consultations, now};
use crate::state::AppState;

/// A signed-in account that may write consultations (agency officers and admins). Visitors are
/// sent to sign in; other accounts get the 403 page. Which consultations it may touch is asked
/// of the policy by the services.
#[derive(Debug, Clone)]
pub struct Officer(pub SignedIn);

impl Officer {
    /// The account as the policy sees it.
    pub fn actor(&self) -> Actor {
        self.0.actor()
    }
}

impl FromRequestParts<AppState> for Officer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let AccountHolder(signed_in) = AccountHolder::from_request_parts(parts, state).await?;
        let officer = Self(signed_in);
        if !officer.actor().can(&Action::AuthorConsultations) {
            let Ok(layout) = Layout::from_request_parts(parts, state).await;
            return Err(layout.fail(Error::Forbidden).into_response());
        }
        Ok(officer)
    }
}

/// Clause levels from the top down, for the counts of the recognised tree.
const LEVELS: [ClauseLevel; 6] = [
    ClauseLevel::Phan,
    ClauseLevel::Chuong,
    ClauseLevel::Muc,
    ClauseLevel::Dieu,
    ClauseLevel::Khoan,
    ClauseLevel::Diem,
];

/// One consultation in the agency's list.
#[derive(Debug, Clone)]
pub struct AuthoredRow {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Status code, for the tag.
    pub status: &'static str,
    /// Translated status.
    pub status_label: &'static str,
    /// Version number.
    pub version: i32,
    /// Lead agency's name.
    pub agency: String,
    /// Window, in Vietnam time.
    pub window: String,
    /// Last change.
    pub updated: String,
}

/// The agency's consultations.
#[derive(Template)]
#[template(path = "agency_consultations.html")]
pub struct ListPage {
    /// Layout.
    pub layout: Layout,
    /// Consultations, drafts first.
    pub rows: Vec<AuthoredRow>,
}

/// `GET /agency/consultations`.
pub async fn show_list(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
) -> Result<Response, PageError> {
    let rows = authoring::list_authored(&state.db, &officer.actor())
        .await
        .map_err(|e| layout.fail(e))?;
    let t = layout.t;
    let at = now();
    let rows = rows
        .into_iter()
        .map(|(c, agency)| {
            let status = consultations::effective_status(&c, at).as_str();
            AuthoredRow {
                id: c.id.to_string(),
                title: c.title,
                status,
                status_label: t.get(&format!("status.{status}")),
                version: c.version,
                agency: agency.name,
                window: format!(
                    "{} – {}",
                    crate::http::pages::date_vn(c.opens_at),
                    crate::http::pages::date_vn(c.closes_at)
                ),
                updated: datetime_vn(c.updated_at),
            }
        })
        .collect();
    Ok(render(&ListPage {
        layout: layout.titled(t.get("authoring.list_title")),
        rows,
    }))
}

/// The page with the form that creates a draft.
#[derive(Template)]
#[template(path = "agency_new.html")]
pub struct NewPage {
    /// Layout.
    pub layout: Layout,
    /// The form as typed.
    pub form: DraftForm,
    /// Kinds, agencies, units.
    pub choices: DraftChoices,
    /// Errors of the last attempt.
    pub errors: FormErrors,
}

/// `GET /agency/consultations/new`.
pub async fn show_new(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
) -> Result<Response, PageError> {
    let t = layout.t;
    let choices = draft_choices(&state, &officer.actor(), t, &[])
        .await
        .map_err(|e| layout.fail(e))?;
    let today = now().with_timezone(&VIETNAM).date_naive();
    let form = DraftForm {
        kind: "detailed_plan".to_owned(),
        lead_agency: choices
            .agencies
            .first()
            .map(|(code, _)| code.clone())
            .unwrap_or_default(),
        opens_at: today.format("%Y-%m-%d").to_string(),
        closes_at: (today + chrono::Days::new(30))
            .format("%Y-%m-%d")
            .to_string(),
        ..DraftForm::default()
    };
    Ok(render(&NewPage {
        layout: layout.titled(t.get("authoring.new_title")),
        form,
        choices,
        errors: FormErrors::default(),
    }))
}

/// `POST /agency/consultations/new`: creates the draft and opens its edit page.
pub async fn create(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let t = layout.t;
    let actor = officer.actor();
    let form = DraftForm::from_pairs(pairs);
    let mut errors = FormErrors::default();
    if let Some(input) = form.to_input(t, &mut errors) {
        match authoring::create_draft(&state.db, &actor, &input, &state.settings.min_comment_days)
            .await
        {
            Ok(created) => {
                return Ok(see_other(&format!(
                    "/agency/consultations/{}?notice=draft_created",
                    created.id
                )));
            }
            Err(Error::Invalid(fields)) => errors = FormErrors::from_fields(t, &fields),
            Err(e) => return Err(layout.fail(e)),
        }
    }
    let choices = draft_choices(&state, &actor, t, &form.units)
        .await
        .map_err(|e| layout.fail(e))?;
    let page = NewPage {
        layout: layout.titled_form(t.get("authoring.new_title"), true),
        form,
        choices,
        errors,
    };
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// A clause in the preview of the recognised tree, with its correction form.
#[derive(Debug, Clone)]
pub struct TreeRow {
    /// Clause id.
    pub id: String,
    /// Depth, 0 at the top.
    pub depth: usize,
    /// Label as printed ("Điều 5.", "1.", "a)").
    pub label: String,
    /// Number, for the correction form.
    pub number: String,
    /// Heading.
    pub heading: String,
    /// Text.
    pub body: String,
}

/// A document of the consultation.
#[derive(Debug, Clone)]
pub struct DocumentRow {
    /// Id (download link `/api/v1/documents/{id}`).
    pub id: String,
    /// File name.
    pub file_name: String,
    /// Size, readable.
    pub size: String,
}

impl DocumentRow {
    /// A document as lists show it.
    pub fn new(d: &documents::Model) -> Self {
        let bytes = d.size_bytes.max(0);
        let size = if bytes >= 1024 * 1024 {
            format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
        } else {
            format!("{} KB", (bytes + 1023) / 1024)
        };
        Self {
            id: d.id.to_string(),
            file_name: d.file_name.clone(),
            size,
        }
    }
}

/// The edit page of a consultation.
#[derive(Template)]
#[template(path = "agency_edit.html")]
pub struct EditPage {
    /// Layout.
    pub layout: Layout,
    /// Id.
    pub id: String,
    /// Title as stored.
    pub title: String,
    /// Status code.
    pub status: &'static str,
    /// Translated status.
    pub status_label: &'static str,
    /// Whether it is still a draft (editable).
    pub is_draft: bool,
    /// Whether it is open (can be closed).
    pub is_open: bool,
    /// Version number.
    pub version: i32,
    /// The draft form.
    pub form: DraftForm,
    /// Kinds, agencies, units.
    pub choices: DraftChoices,
    /// Errors of the last attempt, of any form of the page.
    pub errors: FormErrors,
    /// Text pasted last (re-shown after an error).
    pub text: String,
    /// The recognised tree.
    pub tree: Vec<TreeRow>,
    /// `(level label, count)` of the levels present.
    pub counts: Vec<(&'static str, usize)>,
    /// Documents.
    pub documents: Vec<DocumentRow>,
    /// Start of the window, Vietnam time.
    pub opens: String,
    /// End of the window, Vietnam time.
    pub closes: String,
}

/// What a failed post on the edit page gives back to it.
#[derive(Debug, Default)]
pub(super) struct EditState {
    /// The draft form as typed, instead of the stored values.
    pub form: Option<DraftForm>,
    /// The pasted text.
    pub text: String,
    /// Errors to show.
    pub errors: FormErrors,
}

/// Renders the edit page of consultation `id` (with `status`, 422 after a refused form).
pub(super) async fn edit_page(
    state: &AppState,
    layout: Layout,
    actor: &Actor,
    id: Uuid,
    status: StatusCode,
    edit: EditState,
) -> Result<Response, PageError> {
    let t = layout.t;
    let loaded = load_edit(state, actor, id).await;
    let (consultation, input, detail, docs) = loaded.map_err(|e| layout.fail(e))?;
    let form = edit.form.unwrap_or_else(|| DraftForm::from_input(&input));
    let choices = draft_choices(state, actor, t, &form.units)
        .await
        .map_err(|e| layout.fail(e))?;
    let status_code = consultations::effective_status(&consultation, now()).as_str();
    let title = t.get("authoring.edit_title");
    let page = EditPage {
        layout: layout.titled_form(
            &format!("{title}: {}", consultation.title),
            !edit.errors.is_empty(),
        ),
        id: consultation.id.to_string(),
        title: consultation.title.clone(),
        status: status_code,
        status_label: t.get(&format!("status.{status_code}")),
        is_draft: consultation.status == ConsultationStatus::Draft,
        is_open: consultation.status == ConsultationStatus::Open,
        version: consultation.version,
        form,
        choices,
        errors: edit.errors,
        text: edit.text,
        tree: tree_rows(&detail, t),
        counts: LEVELS
            .iter()
            .map(|level| {
                let n = detail.iter().filter(|c| c.level == *level).count();
                (t.get(&format!("level.{}", level.as_str())), n)
            })
            .filter(|(_, n)| *n > 0)
            .collect(),
        documents: docs.iter().map(DocumentRow::new).collect(),
        opens: datetime_vn(consultation.opens_at),
        closes: datetime_vn(consultation.closes_at),
    };
    Ok(render_status(status, &page))
}

type Loaded = (
    entity::consultations::Model,
    DraftInput,
    Vec<clauses::Model>,
    Vec<documents::Model>,
);

async fn load_edit(state: &AppState, actor: &Actor, id: Uuid) -> Result<Loaded, Error> {
    let consultation = authoring::find_editable(&state.db, actor, id).await?;
    let input = authoring::draft_input(&state.db, &consultation).await?;
    let detail = consultations::get_for(&state.db, id, now(), actor).await?;
    let docs = attachments::list_documents(&state.db, actor, id).await?;
    Ok((consultation, input, detail.clauses, docs))
}

fn tree_rows(rows: &[clauses::Model], t: Tr) -> Vec<TreeRow> {
    clause_rows(rows, &HashMap::new(), t)
        .into_iter()
        .zip(rows)
        .map(|(row, clause)| TreeRow {
            id: row.id,
            depth: row.depth.min(5),
            label: row.label,
            number: clause.number.clone(),
            heading: clause.heading.clone().unwrap_or_default(),
            body: clause.body.clone(),
        })
        .collect()
}

/// A consultation id from the path; a malformed one is "not found".
pub(super) fn consultation_id(id: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(id).map_err(|_| Error::NotFound("consultation"))
}

/// `GET /agency/consultations/{id}`.
pub async fn show_edit(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id).map_err(|e| layout.fail(e))?;
    edit_page(
        &state,
        layout,
        &officer.actor(),
        id,
        StatusCode::OK,
        EditState::default(),
    )
    .await
}

/// `POST /agency/consultations/{id}`: saves the draft's fields.
pub async fn save(
    State(state): State<AppState>,
    layout: Layout,
    officer: Officer,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = consultation_id(&id).map_err(|e| layout.fail(e))?;
    let t = layout.t;
    let actor = officer.actor();
    let form = DraftForm::from_pairs(pairs);
    let mut errors = FormErrors::default();
    if let Some(input) = form.to_input(t, &mut errors) {
        match authoring::update_draft(
            &state.db,
            &actor,
            id,
            &input,
            &state.settings.min_comment_days,
        )
        .await
        {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/agency/consultations/{id}?notice=draft_saved"
                )));
            }
            Err(Error::Invalid(fields)) => errors = FormErrors::from_fields(t, &fields),
            Err(e) => return Err(layout.fail(e)),
        }
    }
    let edit = EditState {
        form: Some(form),
        errors,
        ..EditState::default()
    };
    edit_page(
        &state,
        layout,
        &actor,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        edit,
    )
    .await
}
