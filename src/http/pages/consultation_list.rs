//! The list of published consultations (`/consultations`): filters as a GET form (status, kind,
//! lead agency, unit), open consultations first (closing soonest first), then the others,
//! page by page. The parameters are those of `GET /api/v1/consultations`; unknown values give
//! a 400 page with the form and what to correct.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use entity::enums::{ConsultationKind, ConsultationStatus};
use entity::{agencies, consultations as consultation_rows};
use http::StatusCode;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Deserialize;

use crate::error::{Error, FieldErrors};
use crate::http::pages::forms::FormErrors;
use crate::http::pages::{ConsultationCard, Layout, render_status};
use crate::http::problem::PageError;
use crate::i18n::{Lang, Tr};
use crate::services::{consultations, now, units};

/// Consultations shown per page.
const PER_PAGE: u64 = 20;

/// Statuses a visitor may filter on (drafts are never listed).
const STATUSES: [ConsultationStatus; 3] = [
    ConsultationStatus::Open,
    ConsultationStatus::Closed,
    ConsultationStatus::Concluded,
];

/// Kinds of consultation, in the order the filter offers them.
const KINDS: [ConsultationKind; 5] = [
    ConsultationKind::GeneralPlan,
    ConsultationKind::ZoningPlan,
    ConsultationKind::DetailedPlan,
    ConsultationKind::InvestmentProject,
    ConsultationKind::Policy,
];

/// Template of the list page.
#[derive(Template)]
#[template(path = "consultations.html")]
pub struct ListPage {
    /// Layout.
    pub layout: Layout,
    /// What to correct in the filters (the page then answers 400 without results).
    pub errors: FormErrors,
    /// Status filter as sent (`""` for any).
    pub status: String,
    /// Kind filter as sent.
    pub kind: String,
    /// Lead agency code as sent.
    pub lead_agency: String,
    /// Unit code as sent.
    pub unit: String,
    /// `(code, label)` choices of status.
    pub status_options: Vec<(String, String)>,
    /// `(code, label)` choices of kind.
    pub kind_options: Vec<(String, String)>,
    /// `(code, name)` of the agencies leading at least one published consultation.
    pub agency_options: Vec<(String, String)>,
    /// `(code, name)` of today's units (plus a pre-2025 code when one was asked for).
    pub unit_options: Vec<(String, String)>,
    /// Which of today's units a pre-2025 unit code stands for.
    pub unit_note: Option<String>,
    /// Whether any filter is in use (a "clear filters" link is offered).
    pub filtered: bool,
    /// Consultations of this page.
    pub results: Vec<ConsultationCard>,
    /// Consultations matching the filters.
    pub total: u64,
    /// Current page.
    pub page: u64,
    /// Page count (at least 1).
    pub pages: u64,
    /// Link to the previous page.
    pub prev_href: Option<String>,
    /// Link to the next page.
    pub next_href: Option<String>,
}

/// `?status=&kind=&lead_agency=&unit=&page=`; empty values mean "any"; others are ignored.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    kind: Option<String>,
    lead_agency: Option<String>,
    unit: Option<String>,
    page: Option<String>,
}

/// A parameter's value, `None` when absent or blank.
fn given(value: Option<&String>) -> Option<&str> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// `GET /consultations?status=&kind=&lead_agency=&unit=&page=`.
pub async fn show_list(
    State(db): State<DatabaseConnection>,
    layout: Layout,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let t = layout.t;
    let at = now();
    let mut fields = FieldErrors::default();
    let query = match query {
        Ok(Query(query)) => query,
        Err(_) => {
            fields.push(
                "status",
                "unreadable",
                "The address has unreadable parameters",
            );
            ListQuery::default()
        }
    };
    let status_code = given(query.status.as_ref());
    let status = match status_code {
        None => None,
        Some(code) => {
            let status = STATUSES.into_iter().find(|s| s.as_str() == code);
            if status.is_none() {
                fields.push("status", "unknown_value", "Use open, closed or concluded");
            }
            status
        }
    };
    let kind = given(query.kind.as_ref());
    let lead_agency = given(query.lead_agency.as_ref());
    let unit = given(query.unit.as_ref());
    let filter = consultations::resolve_filter(&db, kind, lead_agency, unit, &mut fields)
        .await
        .map_err(|e| layout.fail(e))?;
    let page = match given(query.page.as_ref()) {
        None => 1,
        Some(value) => match value.parse::<u64>() {
            Ok(page) if (1..=100_000).contains(&page) => page,
            _ => {
                fields.push("page", "out_of_range", "Pages are numbered from 1");
                1
            }
        },
    };

    let today = at.with_timezone(&crate::domain::time::VIETNAM).date_naive();
    let today_units = units::list_in_force(&db, today)
        .await
        .map_err(|e| layout.fail(e))?;
    let mut unit_options: Vec<(String, String)> = today_units
        .iter()
        .filter_map(|u| u.code.clone().map(|code| (code, u.name.clone())))
        .collect();
    // A pre-2025 code (from an old record or link) stays in the form, named with today's unit.
    let mut unit_note = None;
    if let Some(code) = unit.filter(|c| !unit_options.iter().any(|(o, _)| o == c)) {
        match units::resolve(&db, code, today).await {
            Ok(resolved) => {
                let current: Vec<&str> = resolved.current.iter().map(|u| u.name.as_str()).collect();
                let current = current.join(", ");
                unit_note = Some(format!(
                    "{}{} ({}){}{}.",
                    t.get("browse.legacy_unit_prefix"),
                    code,
                    resolved.unit.name,
                    t.get("browse.legacy_unit_middle"),
                    current
                ));
                unit_options.insert(
                    0,
                    (
                        code.to_owned(),
                        format!(
                            "{} ({} {current})",
                            resolved.unit.name,
                            t.get("browse.now_part_of")
                        ),
                    ),
                );
            }
            Err(Error::NotFound(_)) => {}
            Err(e) => return Err(layout.fail(e)),
        }
    }
    let agency_options = leading_agencies(&db, t).await.map_err(|e| layout.fail(e))?;
    let errors = FormErrors::from_fields(t, &fields);

    let mut page_data = ListPage {
        layout: layout.titled_form(t.get("browse.heading"), !errors.is_empty()),
        status: status_code.unwrap_or_default().to_owned(),
        kind: kind.unwrap_or_default().to_owned(),
        lead_agency: lead_agency.unwrap_or_default().to_owned(),
        unit: unit.unwrap_or_default().to_owned(),
        status_options: STATUSES
            .iter()
            .map(|s| {
                let code = s.as_str();
                (code.to_owned(), t.get(&format!("status.{code}")).to_owned())
            })
            .collect(),
        kind_options: KINDS
            .iter()
            .map(|k| {
                let code = k.as_str();
                (code.to_owned(), t.get(&format!("kind.{code}")).to_owned())
            })
            .collect(),
        agency_options,
        unit_options,
        unit_note,
        filtered: status_code.is_some()
            || kind.is_some()
            || lead_agency.is_some()
            || unit.is_some(),
        errors,
        results: Vec::new(),
        total: 0,
        page,
        pages: 1,
        prev_href: None,
        next_href: None,
    };
    if !page_data.errors.is_empty() {
        return Ok(render_status(StatusCode::BAD_REQUEST, &page_data));
    }

    let (rows, total) =
        consultations::list_public(&db, filter.with_status(status), at, page, PER_PAGE)
            .await
            .map_err(|e| page_data.layout.fail(e))?;
    let pages = total.div_ceil(PER_PAGE).max(1);
    let href = |page: u64| {
        list_href(
            &[
                ("status", status_code),
                ("kind", kind),
                ("lead_agency", lead_agency),
                ("unit", unit),
            ],
            page,
        )
    };
    page_data.prev_href = (page > 1).then(|| href(page - 1));
    page_data.next_href = (page < pages).then(|| href(page + 1));
    page_data.results = rows
        .iter()
        .map(|s| ConsultationCard::from_summary(s, t, at))
        .collect();
    page_data.total = total;
    page_data.pages = pages;
    Ok(render_status(StatusCode::OK, &page_data))
}

/// The list's address for a set of filters and a page (empty filters and page 1 left out).
fn list_href(filters: &[(&str, Option<&str>)], page: u64) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in filters {
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    let query = query.finish();
    if query.is_empty() {
        "/consultations".to_owned()
    } else {
        format!("/consultations?{query}")
    }
}

/// `(code, name)` of the agencies that lead at least one published consultation, by name.
async fn leading_agencies<C: ConnectionTrait>(
    db: &C,
    t: Tr,
) -> crate::error::Result<Vec<(String, String)>> {
    use sea_orm::sea_query::Query as Select;
    let leading = Select::select()
        .column(consultation_rows::Column::LeadAgencyId)
        .from(consultation_rows::Entity)
        .and_where(consultation_rows::Column::Status.ne(ConsultationStatus::Draft))
        .to_owned();
    let rows = agencies::Entity::find()
        .filter(agencies::Column::Id.in_subquery(leading))
        .order_by_asc(agencies::Column::Name)
        .order_by_asc(agencies::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|a| {
            let name = match (t.0, a.name_en) {
                (Lang::En, Some(name)) => name,
                _ => a.name,
            };
            (a.code, name)
        })
        .collect())
}
