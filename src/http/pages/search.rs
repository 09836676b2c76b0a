//! `/search`: the search page (Vietnamese first), with facets as filters, snippets and paging.
//! The JSON equivalent is `GET /api/v1/search`.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use entity::{admin_units, agencies, consultations};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::Error;
use crate::http::api::search::{SearchQuery, hit_url, run};
use crate::http::pages::access::PageViewer;
use crate::http::pages::access::encode_query_value;
use crate::http::pages::{Layout, render, render_status};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::services::search::{FACETS, SearchRequest};
use crate::state::AppState;

/// One result.
#[derive(Debug, Clone)]
pub struct HitRow {
    /// Translated kind.
    pub kind_label: &'static str,
    /// Title.
    pub title: String,
    /// Escaped HTML with `<mark>`.
    pub snippet_html: String,
    /// Link.
    pub url: String,
    /// Date.
    pub date: String,
}

/// A facet value as a link that adds (or removes) it as a filter.
#[derive(Debug, Clone)]
pub struct FacetLink {
    /// Label.
    pub label: String,
    /// Count.
    pub count: u64,
    /// Link.
    pub href: String,
    /// Whether it is the filter in force.
    pub current: bool,
}

/// The search page.
#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    /// Layout.
    pub layout: Layout,
    /// The words typed.
    pub q: String,
    /// Results.
    pub hits: Vec<HitRow>,
    /// Results in all (`None` before a search).
    pub total: Option<usize>,
    /// Facets: (translated name, links).
    pub facets: Vec<(&'static str, Vec<FacetLink>)>,
    /// "Did you mean" link: (text, href).
    pub did_you_mean: Option<(String, String)>,
    /// No result has every word typed: these have most or some of them.
    pub partial: bool,
    /// Previous and next pages.
    pub prev_href: Option<String>,
    /// Next page.
    pub next_href: Option<String>,
    /// Error message for the query.
    pub error: Option<String>,
}

/// The filter of `facet` in force.
fn filter_of<'a>(q: &'a SearchQuery, facet: &str) -> Option<&'a str> {
    match facet {
        "kind" => q.kind.as_deref(),
        "consultation_id" => q.consultation_id.as_deref(),
        "unit" => q.unit.as_deref(),
        "stance" => q.stance.as_deref(),
        "status" => q.status.as_deref(),
        "agency" => q.agency.as_deref(),
        "author_kind" => q.author_kind.as_deref(),
        "month" => q.month.as_deref(),
        _ => None,
    }
}

/// Sets (or, with `None`, removes) the filter of `facet`.
fn set_filter(q: &mut SearchQuery, facet: &str, value: Option<String>) {
    let slot = match facet {
        "kind" => &mut q.kind,
        "consultation_id" => &mut q.consultation_id,
        "unit" => &mut q.unit,
        "stance" => &mut q.stance,
        "status" => &mut q.status,
        "agency" => &mut q.agency,
        "author_kind" => &mut q.author_kind,
        "month" => &mut q.month,
        _ => return,
    };
    *slot = value;
}

fn href(query: &SearchQuery, change: impl FnOnce(&mut SearchQuery)) -> String {
    let mut q = query.clone();
    change(&mut q);
    let mut out = String::from("/search?");
    let mut pairs: Vec<(&str, Option<&str>)> = vec![("q", q.q.as_deref())];
    for facet in FACETS {
        pairs.push((facet, filter_of(&q, facet)));
    }
    pairs.extend([
        ("from", q.from.as_deref()),
        ("to", q.to.as_deref()),
        ("sort", q.sort.as_deref()),
    ]);
    let mut first = true;
    for (name, value) in pairs {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            if !first {
                out.push('&');
            }
            first = false;
            out.push_str(&format!("{name}={}", encode_query_value(value)));
        }
    }
    if let Some(page) = q.page.filter(|p| *p > 1) {
        out.push_str(&format!("&page={page}"));
    }
    out
}

/// Names of the consultations, units and agencies the facets list (by id or code).
#[derive(Default)]
struct FacetNames {
    names: HashMap<(&'static str, String), String>,
}

impl FacetNames {
    async fn load(
        db: &sea_orm::DatabaseConnection,
        facets: &BTreeMap<String, Vec<(String, u64)>>,
        english: bool,
    ) -> crate::error::Result<Self> {
        let values = |facet: &str| -> Vec<String> {
            facets
                .get(facet)
                .map(|v| v.iter().map(|(value, _)| value.clone()).collect())
                .unwrap_or_default()
        };
        let ids = |facet: &str| -> Vec<Uuid> {
            values(facet)
                .iter()
                .filter_map(|v| Uuid::parse_str(v).ok())
                .collect()
        };
        let mut names = HashMap::new();
        for c in consultations::Entity::find()
            .filter(consultations::Column::Id.is_in(ids("consultation_id")))
            .all(db)
            .await?
        {
            names.insert(("consultation_id", c.id.to_string()), c.title);
        }
        for a in agencies::Entity::find()
            .filter(agencies::Column::Id.is_in(ids("agency")))
            .all(db)
            .await?
        {
            let name = match (english, a.name_en) {
                (true, Some(en)) => en,
                _ => a.name,
            };
            names.insert(("agency", a.id.to_string()), name);
        }
        // A code may have been used by several versions of a unit: the newest name wins.
        for u in admin_units::Entity::find()
            .filter(admin_units::Column::Code.is_in(values("unit")))
            .order_by_asc(admin_units::Column::ValidFrom)
            .all(db)
            .await?
        {
            if let Some(code) = u.code {
                names.insert(("unit", code), u.name);
            }
        }
        Ok(Self { names })
    }

    fn label(&self, t: Tr, facet: &'static str, value: &str) -> String {
        if let Some(name) = self.names.get(&(facet, value.to_owned())) {
            return name.clone();
        }
        let keys = match facet {
            "kind" => vec![format!("search.kind_{value}")],
            "stance" => vec![format!("stance.{value}")],
            "author_kind" => vec![format!("author_kind.{value}")],
            "status" => vec![format!("comment_status.{value}"), format!("status.{value}")],
            _ => Vec::new(),
        };
        keys.iter()
            .find(|key| t.has(key))
            .map(|key| t.get(key).to_owned())
            .unwrap_or_else(|| value.to_owned())
    }
}

/// `GET /search?q=...`.
pub async fn show_search(
    State(state): State<AppState>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    query: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let t = layout.t;
    let (query, bad_parameter) = match query {
        Ok(Query(query)) => (query, false),
        Err(_) => (SearchQuery::default(), true),
    };
    let q = query.q.clone().unwrap_or_default();
    let empty = q.trim().is_empty() && FACETS.iter().all(|f| filter_of(&query, f).is_none());
    let mut page = SearchPage {
        layout: layout.clone().titled(t.get("search.title")),
        q: q.clone(),
        hits: Vec::new(),
        total: None,
        facets: Vec::new(),
        did_you_mean: None,
        partial: false,
        prev_href: None,
        next_href: None,
        error: None,
    };
    if bad_parameter {
        page.error = Some(t.get("search.error_parameters").to_owned());
        return Ok(render_status(http::StatusCode::BAD_REQUEST, &page));
    }
    if empty {
        return Ok(render(&page));
    }
    let request = match query.to_request() {
        Ok(request) => SearchRequest {
            facets: true,
            ..request
        },
        Err(Error::Invalid(_)) => {
            page.error = Some(t.get("search.error_parameters").to_owned());
            return Ok(render_status(http::StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Err(e) => return Err(layout.fail(e)),
    };
    let (current_page, per_page) = (request.page, request.per_page);
    let results = match run(&state, &viewer, request).await {
        Ok(results) => results,
        Err(Error::Invalid(_)) => {
            page.error = Some(t.get("search.error_parameters").to_owned());
            return Ok(render_status(http::StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Err(e) => return Err(layout.fail(e)),
    };
    page.total = Some(results.total);
    page.partial = results.partial;
    page.hits = results
        .hits
        .into_iter()
        .map(|h| HitRow {
            kind_label: t.get(&format!("search.kind_{}", h.kind)),
            url: hit_url(&h.kind, &h.consultation_id, h.comment_id.as_deref(), &h.id),
            date: chrono::DateTime::from_timestamp(h.created_at, 0)
                .map(crate::domain::time::date_vn)
                .unwrap_or_default(),
            title: h.title,
            snippet_html: h.snippet_html,
        })
        .collect();
    let names = FacetNames::load(&state.db, &results.facets, t.0 == crate::i18n::Lang::En)
        .await
        .map_err(|e| layout.fail(e))?;
    for facet in FACETS {
        let Some(counts) = results.facets.get(facet).filter(|c| !c.is_empty()) else {
            continue;
        };
        let links = counts
            .iter()
            .map(|(value, count)| {
                let current = filter_of(&query, facet) == Some(value.as_str());
                let target = (!current).then(|| value.clone());
                FacetLink {
                    label: names.label(t, facet, value),
                    count: *count,
                    current,
                    href: href(&query, |q| {
                        q.page = None;
                        set_filter(q, facet, target);
                    }),
                }
            })
            .collect();
        page.facets
            .push((t.get(&format!("search.facet_{facet}")), links));
    }
    page.did_you_mean = results.did_you_mean.map(|suggestion| {
        let link = href(&query, |q| q.q = Some(suggestion.clone()));
        (suggestion, link)
    });
    if current_page > 1 {
        page.prev_href = Some(href(&query, |q| q.page = Some(current_page - 1)));
    }
    if current_page * per_page < results.total {
        page.next_href = Some(href(&query, |q| q.page = Some(current_page + 1)));
    }
    Ok(render(&page))
}
