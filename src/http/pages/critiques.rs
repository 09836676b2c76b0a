//! The Fatherland Front's critique documents in pages: `/consultations/{id}/critiques` lists
//! them (and for moderators, a form to draft one), `/critiques/{id}` shows one with its citations,
//! the moderators' edit and send forms while it is a draft, and the lead agency's reply form
//! once sent. The JSON equivalent is `http::api::critiques`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use entity::enums::CritiqueStatus;
use entity::{consultations, themes};
use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::Error;
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::{AccountHolder, ModeratorPage, PageViewer};
use crate::http::pages::forms::NoFields;
use crate::http::pages::{Layout, render, render_status};
use crate::http::problem::PageError;
use crate::policy::{Action, Actor};
use crate::services::critiques::{self, Critique, Draft};
use crate::state::AppState;

/// A theme to tick.
#[derive(Debug, Clone)]
pub struct ThemeChoice {
    /// Id.
    pub id: Uuid,
    /// Label.
    pub label: String,
    /// Ticked.
    pub checked: bool,
}

/// The draft form, as typed.
#[derive(Debug, Clone, Default)]
pub struct DraftForm {
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
}

/// The list page.
#[derive(Template)]
#[template(path = "critiques.html")]
pub struct CritiquesPage {
    /// Layout.
    pub layout: Layout,
    /// The consultation.
    pub consultation_id: Uuid,
    /// Its title.
    pub title: String,
    /// The critiques the viewer may read.
    pub critiques: Vec<Critique>,
    /// Whether the viewer drafts critiques.
    pub can_draft: bool,
    /// Themes to cite.
    pub themes: Vec<ThemeChoice>,
    /// The form.
    pub form: DraftForm,
    /// Why the last draft was refused.
    pub error: Option<String>,
}

/// One critique.
#[derive(Template)]
#[template(path = "critique.html")]
pub struct CritiquePage {
    /// Layout.
    pub layout: Layout,
    /// The critique.
    pub c: Critique,
    /// Status label.
    pub status_label: &'static str,
    /// Whether the viewer may edit and send it (a moderator, while a draft).
    pub can_edit: bool,
    /// Whether the viewer may reply (an officer of the lead agency, once sent).
    pub can_reply: bool,
    /// Themes to cite (edit form).
    pub themes: Vec<ThemeChoice>,
    /// The edit form.
    pub form: DraftForm,
    /// The reply as typed.
    pub reply: String,
    /// Why the last change was refused.
    pub error: Option<String>,
}

fn pairs_value(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn draft_of(pairs: &[(String, String)]) -> Draft {
    Draft {
        title: pairs_value(pairs, "title"),
        body: pairs_value(pairs, "body"),
        theme_ids: pairs
            .iter()
            .filter(|(k, _)| k == "theme_ids")
            .filter_map(|(_, v)| Uuid::parse_str(v.trim()).ok())
            .collect(),
    }
}

fn message(error: &Error) -> Option<String> {
    match error {
        Error::Invalid(fields) => Some(fields.messages()),
        Error::Conflict { detail, .. } => Some(detail.clone()),
        _ => None,
    }
}

async fn theme_choices(
    state: &AppState,
    consultation_id: Uuid,
    checked: &[Uuid],
) -> Result<Vec<ThemeChoice>, Error> {
    Ok(themes::Entity::find()
        .filter(themes::Column::ConsultationId.eq(consultation_id))
        .order_by_asc(themes::Column::Label)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|t| ThemeChoice {
            checked: checked.contains(&t.id),
            id: t.id,
            label: t.label,
        })
        .collect())
}

async fn list_page(
    state: &AppState,
    layout: Layout,
    actor: &Actor,
    id: Uuid,
    draft: Draft,
    error: Option<String>,
) -> Result<CritiquesPage, PageError> {
    let t = layout.t;
    let consultation = consultations::Entity::find_by_id(id)
        .one(&state.db)
        .await
        .map_err(|e| layout.fail(e.into()))?
        .ok_or_else(|| layout.fail(Error::NotFound("consultation")))?;
    let critiques = critiques::list(&state.db, actor, id)
        .await
        .map_err(|e| layout.fail(e))?;
    let can_draft = actor.can(&Action::ModerateQueue);
    let themes = if can_draft {
        theme_choices(state, id, &draft.theme_ids)
            .await
            .map_err(|e| layout.fail(e))?
    } else {
        Vec::new()
    };
    let title = format!("{} · {}", t.get("critique.list_title"), consultation.title);
    Ok(CritiquesPage {
        layout: layout.titled_form(&title, error.is_some()),
        consultation_id: id,
        title: consultation.title,
        critiques,
        can_draft,
        themes,
        form: DraftForm {
            title: draft.title,
            body: draft.body,
        },
        error,
    })
}

fn parse_id(id: &str, what: &'static str) -> Result<Uuid, Error> {
    Uuid::parse_str(id).map_err(|_| Error::NotFound(what))
}

/// `GET /consultations/{id}/critiques`.
pub async fn show_list(
    State(state): State<AppState>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "consultation").map_err(|e| layout.fail(e))?;
    let actor = viewer.actor();
    Ok(render(
        &list_page(&state, layout, &actor, id, Draft::default(), None).await?,
    ))
}

/// `POST /consultations/{id}/critiques`: drafts a critique (moderators).
pub async fn create(
    State(state): State<AppState>,
    layout: Layout,
    ModeratorPage(moderator): ModeratorPage,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "consultation").map_err(|e| layout.fail(e))?;
    let actor = moderator.actor();
    let draft = draft_of(&pairs);
    match critiques::create(&state.db, &actor, id, &draft).await {
        Ok(c) => Ok(see_other(&format!(
            "/critiques/{}?notice=critique_drafted",
            c.id
        ))),
        Err(e) => match message(&e) {
            Some(m) => {
                let view = list_page(&state, layout, &actor, id, draft, Some(m)).await?;
                Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &view))
            }
            None => Err(layout.fail(e)),
        },
    }
}

async fn one_page(
    state: &AppState,
    layout: Layout,
    actor: &Actor,
    id: Uuid,
    edit: Option<Draft>,
    reply: String,
    error: Option<String>,
) -> Result<CritiquePage, PageError> {
    let t = layout.t;
    let c = critiques::get(&state.db, actor, id)
        .await
        .map_err(|e| layout.fail(e))?;
    let consultation = consultations::Entity::find_by_id(c.critique.consultation_id)
        .one(&state.db)
        .await
        .map_err(|e| layout.fail(e.into()))?
        .ok_or_else(|| layout.fail(Error::NotFound("critique")))?;
    let can_edit = c.critique.status == CritiqueStatus::Draft && actor.can(&Action::ModerateQueue);
    let can_reply = c.critique.status == CritiqueStatus::Sent
        && actor.can(&Action::AnswerAssignments {
            agency_id: consultation.lead_agency_id,
        });
    let draft = edit.unwrap_or_else(|| Draft {
        title: c.critique.title.clone(),
        body: c.critique.body.clone(),
        theme_ids: c.themes.iter().map(|(id, _)| *id).collect(),
    });
    let themes = if can_edit {
        theme_choices(state, c.critique.consultation_id, &draft.theme_ids)
            .await
            .map_err(|e| layout.fail(e))?
    } else {
        Vec::new()
    };
    let status_label = t.get(&format!("critique.status.{}", c.critique.status.as_str()));
    Ok(CritiquePage {
        layout: layout.titled_form(&c.critique.title.clone(), error.is_some()),
        status_label,
        can_edit,
        can_reply,
        themes,
        form: DraftForm {
            title: draft.title,
            body: draft.body,
        },
        reply,
        error,
        c,
    })
}

/// `GET /critiques/{id}`.
pub async fn show_one(
    State(state): State<AppState>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "critique").map_err(|e| layout.fail(e))?;
    let actor = viewer.actor();
    Ok(render(
        &one_page(&state, layout, &actor, id, None, String::new(), None).await?,
    ))
}

/// `POST /critiques/{id}`: changes a draft (moderators).
pub async fn update(
    State(state): State<AppState>,
    layout: Layout,
    ModeratorPage(moderator): ModeratorPage,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "critique").map_err(|e| layout.fail(e))?;
    let actor = moderator.actor();
    let draft = draft_of(&pairs);
    match critiques::update(&state.db, &actor, id, &draft).await {
        Ok(_) => Ok(see_other(&format!("/critiques/{id}?notice=critique_saved"))),
        Err(e) => match message(&e) {
            Some(m) => {
                let view = one_page(
                    &state,
                    layout,
                    &actor,
                    id,
                    Some(draft),
                    String::new(),
                    Some(m),
                )
                .await?;
                Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &view))
            }
            None => Err(layout.fail(e)),
        },
    }
}

/// `POST /critiques/{id}/send`: sends a draft to the lead agency (moderators).
pub async fn send(
    State(state): State<AppState>,
    layout: Layout,
    ModeratorPage(moderator): ModeratorPage,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "critique").map_err(|e| layout.fail(e))?;
    let actor = moderator.actor();
    match critiques::send(&state.db, &actor, id, &state.settings.answer_working_days).await {
        Ok(_) => Ok(see_other(&format!("/critiques/{id}?notice=critique_sent"))),
        Err(e) => match message(&e) {
            Some(m) => {
                let view =
                    one_page(&state, layout, &actor, id, None, String::new(), Some(m)).await?;
                Ok(render_status(StatusCode::CONFLICT, &view))
            }
            None => Err(layout.fail(e)),
        },
    }
}

/// `POST /critiques/{id}/reply`: the lead agency's written reply.
pub async fn reply(
    State(state): State<AppState>,
    layout: Layout,
    AccountHolder(signed_in): AccountHolder,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "critique").map_err(|e| layout.fail(e))?;
    let actor = signed_in.actor();
    let body = pairs_value(&pairs, "body");
    match critiques::reply(&state.db, &actor, id, &body).await {
        Ok(_) => Ok(see_other(&format!(
            "/critiques/{id}?notice=critique_replied"
        ))),
        Err(e) => match message(&e) {
            Some(m) => {
                let view = one_page(&state, layout, &actor, id, None, body, Some(m)).await?;
                Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &view))
            }
            None => Err(layout.fail(e)),
        },
    }
}
