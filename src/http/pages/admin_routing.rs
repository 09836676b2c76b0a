//! `/admin/routing` (admins): the routing rules in the order they are tried, a form to add
//! one, and buttons to turn each on or off or delete it. The JSON equivalent is
//! `http::api::routing`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use http::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::Error;
use crate::http::csrf::{CsrfForm, see_other};
use crate::http::pages::access::RoutingAdministrator;
use crate::http::pages::forms::{FormErrors, NoFields};
use crate::http::pages::{Layout, render, render_status};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::services::routing::{TARGET_AGENCY, TARGET_LEAD_AGENCY};
use crate::services::routing_rules::{self, FormOptions, RuleInput, RuleView, TARGETS};
use crate::state::AppState;

/// Consultation kinds, in the order the select offers them.
const KINDS: [&str; 5] = [
    "general_plan",
    "zoning_plan",
    "detailed_plan",
    "investment_project",
    "policy",
];

/// One rule in the list.
#[derive(Debug, Clone)]
pub struct RuleRow {
    /// Id, for the buttons.
    pub id: String,
    /// Name.
    pub name: String,
    /// Priority.
    pub priority: i32,
    /// The conditions, one readable line each (empty: every comment).
    pub conditions: Vec<String>,
    /// Who receives the comments.
    pub target: String,
    /// Working days to answer, or the default's label.
    pub days: String,
    /// Whether the rule is used.
    pub active: bool,
}

impl RuleRow {
    fn new(view: RuleView, t: Tr) -> Self {
        let r = view.rule;
        let mut conditions = Vec::new();
        if let Some(title) = view.consultation_title {
            conditions.push(format!("{}: {title}", t.get("routing.consultation")));
        }
        if let Some(kind) = &r.consultation_kind {
            let label = format!("kind.{kind}");
            let kind = if t.has(&label) { t.get(&label) } else { kind };
            conditions.push(format!("{}: {kind}", t.get("routing.kind")));
        }
        if let Some(key) = r.clause_stable_key {
            conditions.push(format!("{}: {key}", t.get("routing.clause")));
        }
        if let Some(unit) = view.unit_name {
            conditions.push(format!("{}: {unit}", t.get("routing.unit")));
        }
        if let Some(keyword) = &r.keyword {
            conditions.push(format!("{}: “{keyword}”", t.get("routing.keyword")));
        }
        let target = match r.target.as_str() {
            TARGET_AGENCY => view.agency_name.unwrap_or_default(),
            other => t.get(&format!("routing.target.{other}")).to_owned(),
        };
        Self {
            id: r.id.to_string(),
            name: r.name,
            priority: r.priority,
            conditions,
            target,
            days: r.working_days.map_or_else(
                || t.get("routing.default_days").to_owned(),
                |d| d.to_string(),
            ),
            active: r.is_active,
        }
    }
}

/// The form that adds a rule, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleForm {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Priority.
    #[serde(default)]
    pub priority: String,
    /// Target code.
    #[serde(default)]
    pub target: String,
    /// Agency id.
    #[serde(default)]
    pub agency_id: String,
    /// Consultation id.
    #[serde(default)]
    pub consultation_id: String,
    /// Consultation kind.
    #[serde(default)]
    pub consultation_kind: String,
    /// Ward or commune id.
    #[serde(default)]
    pub unit_id: String,
    /// Keyword.
    #[serde(default)]
    pub keyword: String,
    /// Working days.
    #[serde(default)]
    pub working_days: String,
}

/// The rules page.
#[derive(Template)]
#[template(path = "admin_routing.html")]
pub struct RoutingPage {
    /// Layout.
    pub layout: Layout,
    /// Every rule, in the order tried.
    pub rows: Vec<RuleRow>,
    /// The add form as typed.
    pub form: RuleForm,
    /// Errors of the last attempt.
    pub errors: FormErrors,
    /// `(value, label)` of the targets.
    pub targets: Vec<(String, String)>,
    /// `(id, name)` of current agencies.
    pub agencies: Vec<(String, String)>,
    /// `(id, title)` of published consultations.
    pub consultations: Vec<(String, String)>,
    /// `(code, label)` of consultation kinds.
    pub kinds: Vec<(String, String)>,
    /// `(id, name)` of wards and communes in force.
    pub units: Vec<(String, String)>,
}

fn pairs(items: Vec<(Uuid, String)>) -> Vec<(String, String)> {
    items
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect()
}

async fn page(
    state: &AppState,
    layout: Layout,
    form: RuleForm,
    errors: FormErrors,
) -> Result<RoutingPage, PageError> {
    let t = layout.t;
    let rules = routing_rules::list(&state.db)
        .await
        .map_err(|e| layout.fail(e))?;
    let options: FormOptions = routing_rules::form_options(&state.db)
        .await
        .map_err(|e| layout.fail(e))?;
    let title = t.get("routing.title");
    Ok(RoutingPage {
        layout: layout.titled_form(title, !errors.is_empty()),
        rows: rules.into_iter().map(|r| RuleRow::new(r, t)).collect(),
        form,
        errors,
        targets: TARGETS
            .iter()
            .map(|code| {
                (
                    (*code).to_owned(),
                    t.get(&format!("routing.target_option.{code}")).to_owned(),
                )
            })
            .collect(),
        agencies: pairs(options.agencies),
        consultations: pairs(options.consultations),
        kinds: KINDS
            .iter()
            .map(|code| {
                (
                    (*code).to_owned(),
                    t.get(&format!("kind.{code}")).to_owned(),
                )
            })
            .collect(),
        units: pairs(options.units),
    })
}

/// `GET /admin/routing`.
pub async fn show_rules(
    State(state): State<AppState>,
    layout: Layout,
    RoutingAdministrator(_): RoutingAdministrator,
) -> Result<Response, PageError> {
    let form = RuleForm {
        priority: "100".to_owned(),
        target: TARGET_LEAD_AGENCY.to_owned(),
        ..RuleForm::default()
    };
    Ok(render(
        &page(&state, layout, form, FormErrors::default()).await?,
    ))
}

fn optional(value: &str) -> Option<&str> {
    let value = value.trim();
    (!value.is_empty()).then_some(value)
}

/// Reads the typed form into a rule; what cannot even be read is reported per field.
fn read_form(form: &RuleForm, t: Tr, errors: &mut FormErrors) -> RuleInput {
    let mut id = |field: &str, value: &str| match optional(value) {
        None => None,
        Some(v) => {
            let parsed = Uuid::parse_str(v).ok();
            if parsed.is_none() {
                errors.push(field, t.get("routing.error_choose"));
            }
            parsed
        }
    };
    let agency_id = id("agency_id", &form.agency_id);
    let consultation_id = id("consultation_id", &form.consultation_id);
    let unit_id = id("unit_id", &form.unit_id);
    let priority = form.priority.trim().parse::<i64>().unwrap_or_else(|_| {
        errors.push("priority", t.get("field.priority.out_of_range"));
        0
    });
    let working_days = optional(&form.working_days).map(|v| {
        v.parse::<i64>().unwrap_or_else(|_| {
            errors.push("working_days", t.get("field.working_days.out_of_range"));
            1
        })
    });
    RuleInput {
        name: form.name.clone(),
        priority,
        consultation_id,
        consultation_kind: optional(&form.consultation_kind).map(ToOwned::to_owned),
        clause_stable_key: None,
        keyword: optional(&form.keyword).map(ToOwned::to_owned),
        unit_id,
        target: form.target.clone(),
        agency_id,
        working_days,
        is_active: true,
    }
}

/// `POST /admin/routing`: adds a rule, or shows the form again with its errors.
pub async fn create_rule(
    State(state): State<AppState>,
    layout: Layout,
    RoutingAdministrator(_): RoutingAdministrator,
    CsrfForm(form): CsrfForm<RuleForm>,
) -> Result<Response, PageError> {
    let t = layout.t;
    let mut errors = FormErrors::default();
    let input = read_form(&form, t, &mut errors);
    // A form with unreadable fields is still checked, so every error shows at once.
    let outcome = if errors.is_empty() {
        routing_rules::create(&state.db, input).await.map(|_| ())
    } else {
        routing_rules::validate(&state.db, input).await
    };
    match outcome {
        Ok(()) if errors.is_empty() => {
            return Ok(see_other("/admin/routing?notice=rule_created"));
        }
        Ok(()) => {}
        Err(Error::Invalid(fields)) => {
            for (field, message) in FormErrors::from_fields(t, &fields).list {
                errors.push(&field, message);
            }
        }
        Err(e) => return Err(layout.fail(e)),
    }
    let view = page(&state, layout, form, errors).await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &view))
}

async fn set_active(
    state: &AppState,
    layout: Layout,
    id: &str,
    active: bool,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(id).map_err(|_| layout.fail(Error::NotFound("routing rule")))?;
    routing_rules::set_active(&state.db, id, active)
        .await
        .map_err(|e| layout.fail(e))?;
    let notice = if active {
        "rule_activated"
    } else {
        "rule_deactivated"
    };
    Ok(see_other(&format!("/admin/routing?notice={notice}")))
}

/// `POST /admin/routing/{id}/activate`.
pub async fn activate(
    State(state): State<AppState>,
    layout: Layout,
    RoutingAdministrator(_): RoutingAdministrator,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    set_active(&state, layout, &id, true).await
}

/// `POST /admin/routing/{id}/deactivate`.
pub async fn deactivate(
    State(state): State<AppState>,
    layout: Layout,
    RoutingAdministrator(_): RoutingAdministrator,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    set_active(&state, layout, &id, false).await
}

/// `POST /admin/routing/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    layout: Layout,
    RoutingAdministrator(_): RoutingAdministrator,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| layout.fail(Error::NotFound("routing rule")))?;
    routing_rules::delete(&state.db, id)
        .await
        .map_err(|e| layout.fail(e))?;
    Ok(see_other("/admin/routing?notice=rule_deleted"))
}
