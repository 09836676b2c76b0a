//! `/search`: the search page (Vietnamese first), with facets as filters, snippets and paging.
//! The JSON equivalent is `GET /api/v1/search`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use crate::error::Error;
use crate::http::api::search::{SearchQuery, hit_url, run};
use crate::http::pages::access::PageViewer;
use crate::http::pages::access::encode_query_value;
use crate::http::pages::{Layout, render, render_status};
use crate::http::problem::PageError;
use crate::i18n::Tr;
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
    /// Previous and next pages.
    pub prev_href: Option<String>,
    /// Next page.
    pub next_href: Option<String>,
    /// Error message for the query.
    pub error: Option<String>,
}

fn href(query: &SearchQuery, change: impl FnOnce(&mut SearchQuery)) -> String {
    let mut q = query.clone();
    change(&mut q);
    let mut out = String::from("/search?");
    let pairs = [
        ("q", &q.q),
        ("kind", &q.kind),
        ("consultation_id", &q.consultation_id),
        ("stance", &q.stance),
        ("status", &q.status),
        ("author_kind", &q.author_kind),
        ("month", &q.month),
        ("sort", &q.sort),
    ];
    let mut first = true;
    for (name, value) in pairs {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
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

fn facet_label(t: Tr, facet: &str, value: &str) -> String {
    let key = match facet {
        "kind" => format!("search.kind_{value}"),
        "stance" => format!("stance.{value}"),
        "author_kind" => format!("author_kind.{value}"),
        "status" => format!("comment_status.{value}"),
        _ => String::new(),
    };
    if !key.is_empty() && t.has(&key) {
        t.get(&key).to_owned()
    } else {
        value.to_owned()
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
    let empty = q.trim().is_empty()
        && query.kind.is_none()
        && query.consultation_id.is_none()
        && query.stance.is_none();
    let mut page = SearchPage {
        layout: layout.clone().titled(t.get("search.title")),
        q: q.clone(),
        hits: Vec::new(),
        total: None,
        facets: Vec::new(),
        did_you_mean: None,
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
        Ok(request) => request,
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
    for (facet, counts) in results.facets {
        if !["kind", "stance", "author_kind", "month"].contains(&facet.as_str())
            || counts.is_empty()
        {
            continue;
        }
        let links = counts
            .into_iter()
            .map(|(value, count)| {
                let current = match facet.as_str() {
                    "kind" => query.kind.as_deref() == Some(value.as_str()),
                    "stance" => query.stance.as_deref() == Some(value.as_str()),
                    "author_kind" => query.author_kind.as_deref() == Some(value.as_str()),
                    _ => query.month.as_deref() == Some(value.as_str()),
                };
                let target = (!current).then(|| value.clone());
                FacetLink {
                    label: facet_label(t, &facet, &value),
                    count,
                    current,
                    href: href(&query, |q| {
                        q.page = None;
                        match facet.as_str() {
                            "kind" => q.kind = target,
                            "stance" => q.stance = target,
                            "author_kind" => q.author_kind = target,
                            _ => q.month = target,
                        }
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
