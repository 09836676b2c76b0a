//! Search through the API: `GET /api/v1/search`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{Error, FieldErrors, Result};
use crate::http::auth::Viewer;
use crate::http::extract::ValidQuery;
use crate::services::search::{self, SearchRequest, SearchResults, SearchSort};
use crate::state::AppState;

/// A search.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words, with or without diacritics (up to 500 characters).
    pub q: Option<String>,
    /// `consultation`, `clause`, `comment`, `comment_full` (moderators), `answer`.
    pub kind: Option<String>,
    /// One consultation.
    pub consultation_id: Option<String>,
    /// `support`, `oppose`, `suggest`, `question`.
    pub stance: Option<String>,
    /// Comment or consultation status.
    pub status: Option<String>,
    /// Agency id (lead, assigned or answering).
    pub agency: Option<String>,
    /// `resident`, `organization`, `imported`.
    pub author_kind: Option<String>,
    /// Ward or commune code.
    pub unit: Option<String>,
    /// `YYYY-MM` (Vietnam time).
    pub month: Option<String>,
    /// From this date (`YYYY-MM-DD`, Vietnam time).
    pub from: Option<String>,
    /// Until this date, included.
    pub to: Option<String>,
    /// `relevance` (default), `newest`, `oldest`.
    pub sort: Option<String>,
    /// Page, from 1.
    pub page: Option<usize>,
    /// Results per page, 1 to 100 (default 20).
    pub per_page: Option<usize>,
    /// `true` to count the facets of the results (`facets` in the answer); `false` (default)
    /// leaves them out, which is faster over many results.
    pub facets: Option<bool>,
}

impl SearchQuery {
    /// The service's request, or the field errors.
    pub fn to_request(&self) -> Result<SearchRequest> {
        let mut errors = FieldErrors::default();
        let mut filters = BTreeMap::new();
        for (name, value) in [
            ("kind", &self.kind),
            ("consultation_id", &self.consultation_id),
            ("stance", &self.stance),
            ("status", &self.status),
            ("agency", &self.agency),
            ("author_kind", &self.author_kind),
            ("unit", &self.unit),
            ("month", &self.month),
        ] {
            if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                if value.len() > 100 {
                    errors.push(name, "too_long", "Giá trị lọc quá dài");
                }
                filters.insert(name.to_owned(), value.to_owned());
            }
        }
        let day = |name: &str, value: &Option<String>, end: bool, errors: &mut FieldErrors| {
            let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
            match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                Ok(date) => {
                    let time = if end {
                        date.and_hms_opt(23, 59, 59)
                    } else {
                        date.and_hms_opt(0, 0, 0)
                    }?;
                    Some(time.and_utc().timestamp() - 7 * 3600)
                }
                Err(_) => {
                    errors.push(name, "invalid_date", "Ngày theo dạng YYYY-MM-DD");
                    None
                }
            }
        };
        let from = day("from", &self.from, false, &mut errors);
        let to = day("to", &self.to, true, &mut errors);
        let sort = match self.sort.as_deref().unwrap_or("relevance") {
            "relevance" => SearchSort::Relevance,
            "newest" => SearchSort::Newest,
            "oldest" => SearchSort::Oldest,
            _ => {
                errors.push("sort", "unknown", "Sắp xếp: relevance, newest hoặc oldest");
                SearchSort::Relevance
            }
        };
        errors.into_result()?;
        Ok(SearchRequest {
            q: self.q.clone().unwrap_or_default(),
            filters,
            from,
            to,
            sort,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
            facets: self.facets.unwrap_or(false),
        })
    }
}

/// One result.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitResponse {
    /// `consultation`, `clause`, `comment`, `comment_full`, `answer`.
    pub kind: String,
    /// Document id.
    pub id: String,
    /// Consultation id.
    pub consultation_id: String,
    /// Comment id (comments and answers).
    pub comment_id: Option<String>,
    /// Title.
    pub title: String,
    /// Escaped HTML; the words found are in `<mark>`.
    pub snippet_html: String,
    /// Time (RFC 3339, UTC).
    pub created_at: String,
    /// Where to read it in gopy.
    pub url: String,
}

/// A facet value and its count.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCount {
    /// Value.
    pub value: String,
    /// Results with it.
    pub count: u64,
}

/// The answer to a search.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// Results.
    pub items: Vec<HitResponse>,
    /// Results in all; when `total_exact` is false, there are more than this (10,000).
    pub total: usize,
    /// False when the results were counted up to 10,000 only and there are more (searches
    /// without facets stop counting there; `facets=true` counts them all).
    pub total_exact: bool,
    /// Page.
    pub page: usize,
    /// Per page.
    pub per_page: usize,
    /// Facet name → counts, when asked for with `facets=true` (empty otherwise).
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    /// A spelling made of indexed words, when some words of the query are unknown (typos).
    pub did_you_mean: Option<String>,
    /// True when no result contains every word typed and the results are those containing
    /// most of them (three in four, from four words on) or, failing that, some of them.
    pub partial: bool,
}

/// Where a result is read.
pub fn hit_url(kind: &str, consultation_id: &str, comment_id: Option<&str>, id: &str) -> String {
    match (kind, comment_id) {
        ("comment" | "comment_full" | "answer", Some(comment)) => format!("/comments/{comment}"),
        ("clause", _) => format!(
            "/consultations/{consultation_id}?clause={}#comments",
            id.trim_start_matches("clause:")
        ),
        _ => format!("/consultations/{consultation_id}"),
    }
}

/// Runs a search on a blocking thread (tantivy is synchronous).
pub async fn run(
    state: &AppState,
    viewer: &Viewer,
    request: SearchRequest,
) -> Result<SearchResults> {
    let index = state.search.clone();
    let actor = viewer.actor();
    tokio::task::spawn_blocking(move || search::search(&index, &actor, &request))
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("search task: {e}")))?
}

/// Searches consultations, clauses, published comments and answers (moderators also find
/// pending comments; officers, their agency's assignments).
#[utoipa::path(
    get, path = "/api/v1/search", tag = "search", params(SearchQuery),
    responses(
        (status = 200, description = "Results, facets and snippets", body = SearchResponse),
        (status = 400, description = "Unknown parameter", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter, date, sort or page out of range, or a query over 500 characters", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_search(
    State(state): State<AppState>,
    viewer: Viewer,
    ValidQuery(query): ValidQuery<SearchQuery>,
) -> Result<Json<SearchResponse>> {
    let request = query.to_request()?;
    let (page, per_page) = (request.page, request.per_page);
    let results = run(&state, &viewer, request).await?;
    Ok(Json(SearchResponse {
        items: results
            .hits
            .into_iter()
            .map(|h| HitResponse {
                url: hit_url(&h.kind, &h.consultation_id, h.comment_id.as_deref(), &h.id),
                created_at: chrono::DateTime::from_timestamp(h.created_at, 0)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_default(),
                kind: h.kind,
                id: h.id,
                consultation_id: h.consultation_id,
                comment_id: h.comment_id,
                title: h.title,
                snippet_html: h.snippet_html,
            })
            .collect(),
        total: results.total,
        total_exact: results.total_exact,
        page,
        per_page,
        facets: results
            .facets
            .into_iter()
            .map(|(name, counts)| {
                (
                    name,
                    counts
                        .into_iter()
                        .map(|(value, count)| FacetCount { value, count })
                        .collect(),
                )
            })
            .collect(),
        did_you_mean: results.did_you_mean,
        partial: results.partial,
    }))
}

/// What was typed so far.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// The words typed (up to 100 characters); the last one may be unfinished.
    pub q: String,
}

/// One suggestion.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionResponse {
    /// A consultation's or clause's title.
    pub text: String,
    /// `consultation` or `clause`.
    pub kind: String,
    /// Where to read it.
    pub url: String,
}

/// Suggestions while typing: titles of public consultations and clauses.
#[utoipa::path(
    get, path = "/api/v1/search/suggest", tag = "search", params(SuggestQuery),
    responses(
        (status = 200, description = "Up to 8 suggestions", body = Vec<SuggestionResponse>),
        (status = 422, description = "More than 100 characters", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_suggestions(
    State(state): State<AppState>,
    ValidQuery(query): ValidQuery<SuggestQuery>,
) -> Result<Json<Vec<SuggestionResponse>>> {
    let index = state.search.clone();
    let suggestions = tokio::task::spawn_blocking(move || search::suggest(&index, &query.q, 8))
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("suggest task: {e}")))??;
    Ok(Json(
        suggestions
            .into_iter()
            .map(|s| SuggestionResponse {
                url: hit_url(&s.kind, &s.consultation_id, None, &s.id),
                text: s.text,
                kind: s.kind,
            })
            .collect(),
    ))
}
