//! `/supervision` (public): each agency's record on the comments routed to it (sortable table
//! and charts; every figure links to the comments behind it) and each consultation's
//! participation over time. `/supervision/agencies/{code}` lists the comments behind a figure.
//! The JSON equivalent is `http::api::supervision`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use http::StatusCode;
use serde::Deserialize;

use crate::charts::{self, Bar, Svg};
use crate::error::Error;
use crate::http::pages::{Layout, render, render_status};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::services::supervision::{self, AgencyRecord, Item, Metric, Period};
use crate::state::AppState;

/// Items per page of a figure's list.
const PER_PAGE: u64 = 50;

/// `?from=&to=&sort=&dir=`, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    /// First day.
    #[serde(default)]
    pub from: String,
    /// Last day.
    #[serde(default)]
    pub to: String,
    /// Column to sort agencies by.
    #[serde(default)]
    pub sort: String,
    /// `asc` or `desc`.
    #[serde(default)]
    pub dir: String,
}

/// A sortable column heading.
#[derive(Debug, Clone)]
pub struct Column {
    /// Heading.
    pub label: &'static str,
    /// Link sorting by it (the other way when it is the current sort).
    pub href: String,
    /// `ascending`, `descending` or `none` (for `aria-sort`).
    pub aria_sort: &'static str,
}

/// A figure with the link to its comments.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The figure as shown.
    pub text: String,
    /// The comments behind it.
    pub href: Option<String>,
}

/// An agency's row.
#[derive(Debug, Clone)]
pub struct AgencyRow {
    /// Name.
    pub name: String,
    /// Code.
    pub code: String,
    /// Figures, in the columns' order after the name.
    pub cells: Vec<Cell>,
}

/// A consultation's row.
#[derive(Debug, Clone)]
pub struct ConsultationRow {
    /// Id.
    pub id: uuid::Uuid,
    /// Title.
    pub title: String,
    /// Status label.
    pub status: &'static str,
    /// Status code.
    pub status_code: &'static str,
    /// Received.
    pub received: u64,
    /// Approved.
    pub approved: u64,
    /// Answered share, "80%".
    pub answered_share: String,
    /// Weekly participation.
    pub chart: Svg,
}

/// The dashboard page.
#[derive(Template)]
#[template(path = "supervision.html")]
pub struct SupervisionPage {
    /// Layout.
    pub layout: Layout,
    /// First day, `YYYY-MM-DD` (for the form).
    pub from: String,
    /// Last day.
    pub to: String,
    /// The period in words.
    pub period_label: String,
    /// Why the dates typed were not used.
    pub period_error: Option<String>,
    /// Agency table headings (after the name).
    pub columns: Vec<Column>,
    /// Heading of the name column.
    pub name_column: Column,
    /// Agencies.
    pub agencies: Vec<AgencyRow>,
    /// On-time shares.
    pub on_time_chart: Svg,
    /// Overdue now.
    pub overdue_chart: Svg,
    /// Consultations.
    pub consultations: Vec<ConsultationRow>,
}

fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_owned(), |s| format!("{:.0}%", s * 100.0))
}

fn days(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |d| format!("{d:.1}").replace('.', ","))
}

fn period_query(period: Period) -> String {
    format!(
        "from={}&to={}",
        period.from.format("%Y-%m-%d"),
        period.to.format("%Y-%m-%d")
    )
}

fn items_href(code: &str, metric: Metric, period: Period) -> String {
    format!(
        "/supervision/agencies/{code}?metric={}&{}",
        metric.as_str(),
        period_query(period)
    )
}

/// Sort keys of the agency table, with their headings.
const SORTS: [(&str, &str); 7] = [
    ("assigned", "supervision.col_assigned"),
    ("answered", "supervision.col_answered"),
    ("on_time", "supervision.col_on_time"),
    ("median", "supervision.col_median"),
    ("overdue", "supervision.col_overdue"),
    ("transferred", "supervision.col_transferred"),
    ("late", "supervision.col_late"),
];

fn sort_agencies(agencies: &mut [AgencyRecord], key: &str, descending: bool) {
    let value = |a: &AgencyRecord| -> f64 {
        match key {
            "assigned" => a.assigned as f64,
            "answered" => a.answered as f64,
            "on_time" => a.on_time_share().unwrap_or(-1.0),
            "median" => a.median_working_days.unwrap_or(f64::MAX),
            "overdue" => a.overdue as f64,
            "transferred" => a.transferred as f64,
            "late" => a.late as f64,
            _ => 0.0,
        }
    };
    if SORTS.iter().any(|(k, _)| *k == key) {
        agencies.sort_by(|a, b| {
            let order = value(a).total_cmp(&value(b)).then(a.name.cmp(&b.name));
            if descending { order.reverse() } else { order }
        });
    } else if descending {
        agencies.sort_by(|a, b| b.name.cmp(&a.name));
    }
}

fn column(
    t: Tr,
    key: &str,
    label: &'static str,
    current: &str,
    descending: bool,
    period: Period,
) -> Column {
    let active = key == current;
    let next = if active && descending { "asc" } else { "desc" };
    let next = if key == "name" && !active {
        "asc"
    } else {
        next
    };
    Column {
        label: t.get(label),
        href: format!(
            "/supervision?{}&sort={key}&dir={next}",
            period_query(period)
        ),
        aria_sort: match (active, descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        },
    }
}

/// `GET /supervision?from=&to=&sort=&dir=`.
pub async fn show_dashboard(
    State(state): State<AppState>,
    layout: Layout,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let t = layout.t;
    let (period, period_error) = match Period::parse(Some(&query.from), Some(&query.to)) {
        Ok(p) => (p, None),
        Err(Error::Invalid(fields)) => (Period::last_year(), Some(fields.messages())),
        Err(e) => return Err(layout.fail(e)),
    };
    let mut dashboard = supervision::dashboard(&state.db, period)
        .await
        .map_err(|e| layout.fail(e))?;
    let sort = if query.sort.is_empty() {
        "name"
    } else {
        query.sort.as_str()
    };
    let descending = query.dir == "desc";
    sort_agencies(&mut dashboard.agencies, sort, descending);
    let on_time_chart = charts::horizontal_bars(
        t.get("supervision.chart_on_time"),
        t.get("supervision.chart_on_time_desc"),
        &dashboard
            .agencies
            .iter()
            .filter_map(|a| {
                a.on_time_share().map(|s| {
                    Bar::percent(a.name.clone(), s).linked(items_href(
                        &a.code,
                        Metric::OnTime,
                        period,
                    ))
                })
            })
            .collect::<Vec<_>>(),
        Some(100.0),
    );
    let overdue_chart = charts::horizontal_bars(
        t.get("supervision.chart_overdue"),
        t.get("supervision.chart_overdue_desc"),
        &dashboard
            .agencies
            .iter()
            .filter(|a| a.overdue > 0)
            .map(|a| {
                Bar::count(a.name.clone(), a.overdue).linked(items_href(
                    &a.code,
                    Metric::Overdue,
                    period,
                ))
            })
            .collect::<Vec<_>>(),
        None,
    );
    let agencies = dashboard
        .agencies
        .iter()
        .map(|a| {
            let link = |text: String, metric: Metric| Cell {
                text,
                href: Some(items_href(&a.code, metric, period)),
            };
            AgencyRow {
                name: a.name.clone(),
                code: a.code.clone(),
                cells: vec![
                    link(a.assigned.to_string(), Metric::Assigned),
                    link(a.answered.to_string(), Metric::Answered),
                    link(
                        format!("{} ({})", percent(a.on_time_share()), a.on_time),
                        Metric::OnTime,
                    ),
                    Cell {
                        text: days(a.median_working_days),
                        href: None,
                    },
                    link(a.overdue.to_string(), Metric::Overdue),
                    link(a.transferred.to_string(), Metric::Transferred),
                    link(a.late.to_string(), Metric::Late),
                ],
            }
        })
        .collect();
    let consultations = dashboard
        .consultations
        .iter()
        .map(|c| {
            let bars: Vec<Bar> = c
                .weekly
                .iter()
                .map(|(w, n)| Bar::count(w.format("%d/%m").to_string(), *n))
                .collect();
            ConsultationRow {
                id: c.id,
                title: c.title.clone(),
                status: t.get(&format!("status.{}", c.status.as_str())),
                status_code: c.status.as_str(),
                received: c.received,
                approved: c.approved,
                answered_share: percent(
                    (c.approved > 0).then(|| c.answered as f64 / c.approved as f64),
                ),
                chart: charts::columns(
                    &c.title,
                    t.get("supervision.chart_weekly_desc"),
                    &bars,
                    (bars.len() / 8).max(1),
                ),
            }
        })
        .collect();
    let view = SupervisionPage {
        layout: layout.titled(t.get("supervision.title")),
        from: period.from.format("%Y-%m-%d").to_string(),
        to: period.to.format("%Y-%m-%d").to_string(),
        period_label: format!(
            "{} – {}",
            period.from.format("%d/%m/%Y"),
            period.to.format("%d/%m/%Y")
        ),
        name_column: column(
            t,
            "name",
            "supervision.col_agency",
            sort,
            descending,
            period,
        ),
        columns: SORTS
            .iter()
            .map(|(key, label)| column(t, key, label, sort, descending, period))
            .collect(),
        agencies,
        on_time_chart,
        overdue_chart,
        consultations,
        period_error: period_error.clone(),
    };
    Ok(if period_error.is_some() {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
    } else {
        render(&view)
    })
}

/// `?metric=&from=&to=&page=`.
#[derive(Debug, Default, Deserialize)]
pub struct ItemsQuery {
    /// The figure.
    #[serde(default)]
    pub metric: String,
    /// First day.
    #[serde(default)]
    pub from: String,
    /// Last day.
    #[serde(default)]
    pub to: String,
    /// Page.
    #[serde(default)]
    pub page: String,
}

/// The list of comments behind a figure.
#[derive(Template)]
#[template(path = "supervision_items.html")]
pub struct ItemsPage {
    /// Layout.
    pub layout: Layout,
    /// The agency.
    pub agency_name: String,
    /// The figure's name.
    pub metric_label: &'static str,
    /// The period in words.
    pub period_label: String,
    /// Back to the dashboard for the same period.
    pub back_href: String,
    /// The comments.
    pub items: Vec<Item>,
    /// Total.
    pub total: u64,
    /// Page.
    pub page: u64,
    /// Pages.
    pub pages: u64,
    /// Previous page.
    pub prev_href: Option<String>,
    /// Next page.
    pub next_href: Option<String>,
}

/// `GET /supervision/agencies/{code}?metric=&from=&to=&page=`.
pub async fn show_items(
    State(state): State<AppState>,
    layout: Layout,
    Path(code): Path<String>,
    Query(query): Query<ItemsQuery>,
) -> Result<Response, PageError> {
    let t = layout.t;
    let metric = Metric::parse(&query.metric).unwrap_or(Metric::Assigned);
    let period = Period::parse(Some(&query.from), Some(&query.to)).map_err(|e| layout.fail(e))?;
    let page = query
        .page
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    let agency = supervision::agency_by_code(&state.db, &code)
        .await
        .map_err(|e| layout.fail(e))?;
    let (items, total) = supervision::items(&state.db, &agency, metric, period, page, PER_PAGE)
        .await
        .map_err(|e| layout.fail(e))?;
    let pages = total.div_ceil(PER_PAGE).max(1);
    let href = |p: u64| {
        format!(
            "/supervision/agencies/{code}?metric={}&{}&page={p}",
            metric.as_str(),
            period_query(period)
        )
    };
    let metric_label = t.get(&format!("supervision.metric.{}", metric.as_str()));
    Ok(render(&ItemsPage {
        layout: layout.titled(format!("{} · {}", agency.name, metric_label)),
        agency_name: agency.name,
        metric_label,
        period_label: format!(
            "{} – {}",
            period.from.format("%d/%m/%Y"),
            period.to.format("%d/%m/%Y")
        ),
        back_href: format!("/supervision?{}", period_query(period)),
        items,
        total,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
    }))
}
