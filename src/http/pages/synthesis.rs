//! `/consultations/{id}/synthesis`: the Fatherland Front's synthesis of a consultation, with
//! server-rendered SVG charts (black and white, readable printed) beside their data tables, the
//! themes, and for moderators the forms that create themes and put comments under them. The
//! JSON equivalent is `http::api::synthesis`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use crate::charts::{self, Bar, Svg};
use crate::error::Error;
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::{ModeratorPage, PageViewer};
use crate::http::pages::forms::NoFields;
use crate::http::pages::{Layout, render, render_status};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::policy::{Action, Actor};
use crate::services::synthesis::{self, Synthesis};
use crate::state::AppState;

/// A row of a data table beside a chart.
#[derive(Debug, Clone)]
pub struct Line {
    /// Label.
    pub label: String,
    /// Count.
    pub count: u64,
    /// Share of the total, "42%".
    pub share: String,
    /// Where the comments behind it are listed, if anywhere.
    pub href: Option<String>,
}

/// A chart with its data.
#[derive(Debug, Clone)]
pub struct Figure {
    /// `stance`, `clause` ... (for tests and anchors).
    pub key: &'static str,
    /// Heading.
    pub title: &'static str,
    /// The chart.
    pub svg: Svg,
    /// Its data.
    pub lines: Vec<Line>,
}

/// A theme as listed.
#[derive(Debug, Clone)]
pub struct ThemeView {
    /// Id.
    pub id: Uuid,
    /// Label.
    pub label: String,
    /// Comments.
    pub count: u64,
}

/// The page.
#[derive(Template)]
#[template(path = "synthesis.html")]
pub struct SynthesisPage {
    /// Layout.
    pub layout: Layout,
    /// The synthesis.
    pub s: Synthesis,
    /// Charts with their tables.
    pub figures: Vec<Figure>,
    /// Participation over time.
    pub timeline: Svg,
    /// Themes.
    pub themes: Vec<ThemeView>,
    /// Share of approved comments answered, "80%".
    pub answered_share: String,
    /// Whether the viewer moderates (and may edit themes).
    pub can_edit_themes: bool,
    /// The theme form, as typed.
    pub form: ThemeForm,
    /// Why the last theme change was refused.
    pub error: Option<String>,
}

/// The new-theme form, and the add-comments form of a theme.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ThemeForm {
    /// The label (new themes).
    #[serde(default)]
    pub label: String,
    /// Tracking codes, one per line or separated by commas.
    #[serde(default)]
    pub tracking_codes: String,
}

fn share(count: u64, total: u64) -> String {
    if total == 0 {
        "0%".to_owned()
    } else {
        format!("{:.0}%", count as f64 * 100.0 / total as f64)
    }
}

fn figure(key: &'static str, title: &'static str, description: &str, lines: Vec<Line>) -> Figure {
    let bars: Vec<Bar> = lines
        .iter()
        .map(|l| {
            let bar = Bar::count(l.label.clone(), l.count);
            match &l.href {
                Some(href) => bar.linked(href.clone()),
                None => bar,
            }
        })
        .collect();
    Figure {
        key,
        title,
        svg: charts::horizontal_bars(title, description, &bars, None),
        lines,
    }
}

fn figures(t: Tr, s: &Synthesis) -> Vec<Figure> {
    let total = s.approved;
    let line = |label: String, count: u64, href: Option<String>| Line {
        share: share(count, total),
        label,
        count,
        href,
    };
    let id = s.consultation_id;
    vec![
        figure(
            "stance",
            t.get("synthesis.by_stance"),
            t.get("synthesis.chart_desc"),
            s.by_stance
                .iter()
                .map(|(stance, n)| {
                    line(
                        t.get(&format!("stance.{}", stance.as_str())).to_owned(),
                        *n,
                        None,
                    )
                })
                .collect(),
        ),
        figure(
            "clause",
            t.get("synthesis.by_clause"),
            t.get("synthesis.chart_desc"),
            s.by_clause
                .iter()
                .map(|c| {
                    line(
                        c.label.clone(),
                        c.count,
                        c.clause_id
                            .map(|cl| format!("/consultations/{id}?clause={cl}#comments")),
                    )
                })
                .collect(),
        ),
        figure(
            "author_kind",
            t.get("synthesis.by_author_kind"),
            t.get("synthesis.chart_desc"),
            s.by_author_kind
                .iter()
                .map(|(g, n)| {
                    line(
                        t.get(&format!("acceptance.group.{}", g.as_str()))
                            .to_owned(),
                        *n,
                        None,
                    )
                })
                .collect(),
        ),
        figure(
            "organization",
            t.get("synthesis.by_organization"),
            t.get("synthesis.chart_desc"),
            s.by_organization
                .iter()
                .map(|c| line(c.label.clone(), c.count, None))
                .collect(),
        ),
        figure(
            "unit",
            t.get("synthesis.by_unit"),
            t.get("synthesis.chart_desc"),
            s.by_unit
                .iter()
                .map(|c| line(c.label.clone(), c.count, None))
                .collect(),
        ),
    ]
}

async fn page(
    state: &AppState,
    layout: Layout,
    actor: &Actor,
    id: Uuid,
    form: ThemeForm,
    error: Option<String>,
) -> Result<SynthesisPage, PageError> {
    let t = layout.t;
    let s = synthesis::synthesis(&state.db, actor, id)
        .await
        .map_err(|e| layout.fail(e))?;
    let days: Vec<Bar> = s
        .per_day
        .iter()
        .map(|(d, n)| Bar::count(d.format("%d/%m").to_string(), *n))
        .collect();
    let every = (days.len() / 10).max(1);
    let timeline = charts::columns(
        t.get("synthesis.per_day"),
        t.get("synthesis.per_day_desc"),
        &days,
        every,
    );
    let title = format!("{} · {}", t.get("synthesis.title"), s.title);
    Ok(SynthesisPage {
        layout: layout.titled_form(&title, error.is_some()),
        figures: figures(t, &s),
        timeline,
        themes: s
            .themes
            .iter()
            .map(|th| ThemeView {
                id: th.id,
                label: th.label.clone(),
                count: th.count,
            })
            .collect(),
        answered_share: share(s.answered, s.approved),
        can_edit_themes: actor.can(&Action::ModerateQueue),
        s,
        form,
        error,
    })
}

fn parse_id(id: &str, what: &'static str) -> Result<Uuid, Error> {
    Uuid::parse_str(id).map_err(|_| Error::NotFound(what))
}

/// `GET /consultations/{id}/synthesis`.
pub async fn show_synthesis(
    State(state): State<AppState>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "consultation").map_err(|e| layout.fail(e))?;
    let actor = viewer.actor();
    Ok(render(
        &page(&state, layout, &actor, id, ThemeForm::default(), None).await?,
    ))
}

/// What to tell a moderator whose theme change was refused, or `None` for errors shown as a page.
fn refusal(t: Tr, error: &Error) -> Option<String> {
    match error {
        Error::Invalid(fields) => Some(fields.messages()),
        Error::Conflict { .. } => Some(t.get("synthesis.theme_exists").to_owned()),
        _ => None,
    }
}

async fn after(
    state: &AppState,
    layout: Layout,
    actor: &Actor,
    id: Uuid,
    form: ThemeForm,
    result: crate::error::Result<()>,
    notice: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/consultations/{id}/synthesis?notice={notice}#themes"
        ))),
        Err(e) => match refusal(layout.t, &e) {
            Some(message) => {
                let view = page(state, layout, actor, id, form, Some(message)).await?;
                Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &view))
            }
            None => Err(layout.fail(e)),
        },
    }
}

/// `POST /consultations/{id}/synthesis/themes`: creates a theme (moderators).
pub async fn create_theme(
    State(state): State<AppState>,
    layout: Layout,
    ModeratorPage(moderator): ModeratorPage,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ThemeForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "consultation").map_err(|e| layout.fail(e))?;
    let actor = moderator.actor();
    let codes = synthesis::codes_from_text(&form.tracking_codes);
    let result = synthesis::create_theme(&state.db, &actor, id, &form.label, &codes)
        .await
        .map(|_| ());
    after(&state, layout, &actor, id, form, result, "theme_created").await
}

/// `POST /consultations/{id}/synthesis/themes/{theme_id}`: puts comments under a theme.
pub async fn tag_theme(
    State(state): State<AppState>,
    layout: Layout,
    ModeratorPage(moderator): ModeratorPage,
    Path((id, theme_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ThemeForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "consultation").map_err(|e| layout.fail(e))?;
    let theme_id = parse_id(&theme_id, "theme").map_err(|e| layout.fail(e))?;
    let actor = moderator.actor();
    let codes = synthesis::codes_from_text(&form.tracking_codes);
    let result = synthesis::add_to_theme(&state.db, &actor, theme_id, &codes)
        .await
        .map(|_| ());
    after(
        &state,
        layout,
        &actor,
        id,
        ThemeForm::default(),
        result,
        "theme_tagged",
    )
    .await
}

/// `POST /consultations/{id}/synthesis/suggestions/{campaign_id}`: adopts a suggested theme.
pub async fn adopt_suggestion(
    State(state): State<AppState>,
    layout: Layout,
    ModeratorPage(moderator): ModeratorPage,
    Path((id, campaign_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "consultation").map_err(|e| layout.fail(e))?;
    let campaign_id = parse_id(&campaign_id, "campaign").map_err(|e| layout.fail(e))?;
    let actor = moderator.actor();
    let result = synthesis::adopt_suggestion(&state.db, &actor, campaign_id)
        .await
        .map(|_| ());
    after(
        &state,
        layout,
        &actor,
        id,
        ThemeForm::default(),
        result,
        "theme_created",
    )
    .await
}
