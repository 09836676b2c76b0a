//! Searching: a query typed with or without diacritics, over what the viewer may see, with
//! filters, facet counts and highlighted snippets.
//!
//! The query is analyzed like the documents (see [`crate::search::analyzer`]): every folded
//! syllable is searched in the folded field, adjacent pairs in the bigram field (so "cây xanh"
//! ranks above a text where "cây" and "xanh" are far apart), and, when the query carries
//! diacritics, its exact syllables in the accent-preserving field, which ranks exact-accent
//! matches first. A syllable the index has never seen is searched with one edit of tolerance.

use std::collections::BTreeMap;

use tantivy::aggregation::AggregationCollector;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::{AggregationResult, BucketResult};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, TantivyDocument, Term};

use crate::error::{Error, FieldErrors, Result};
use crate::policy::{Action, Actor};
use crate::search::documents::{MODERATORS, PUBLIC, agency_token};
use crate::search::{Fields, SearchIndex, analyzer};

/// Longest query, in characters (longer text is refused with a 4xx).
pub const MAX_QUERY_CHARS: usize = 500;

/// Facets counted for every search.
pub const FACETS: [&str; 7] = [
    "kind",
    "consultation_id",
    "stance",
    "status",
    "agency",
    "author_kind",
    "month",
];

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchSort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
}

/// What to search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The words typed.
    pub q: String,
    /// Filters: facet name → value (all must hold).
    pub filters: BTreeMap<String, String>,
    /// Only results from this time on (seconds since the epoch).
    pub from: Option<i64>,
    /// Only results until this time (seconds since the epoch).
    pub to: Option<i64>,
    /// Order.
    pub sort: SearchSort,
    /// Page, from 1.
    pub page: usize,
    /// Results per page.
    pub per_page: usize,
}

/// One result.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Document kind: `consultation`, `clause`, `comment`, `comment_full`, `answer`.
    pub kind: String,
    /// Document id (`comment:<uuid>` ...).
    pub id: String,
    /// The consultation.
    pub consultation_id: String,
    /// The comment (comments and answers).
    pub comment_id: Option<String>,
    /// Title.
    pub title: String,
    /// Escaped HTML with `<mark>` around the words found.
    pub snippet_html: String,
    /// When (seconds since the epoch).
    pub created_at: i64,
    /// Relevance score.
    pub score: f32,
}

/// The answer to a search.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    /// Results of the page.
    pub hits: Vec<Hit>,
    /// Results in all.
    pub total: usize,
    /// Facet → (value, count), most frequent first.
    pub facets: BTreeMap<String, Vec<(String, u64)>>,
    /// A spelling made of indexed words, when some words of the query are not in the index.
    pub did_you_mean: Option<String>,
}

/// The visibility tokens of a viewer.
pub fn visibility(actor: &Actor) -> Vec<String> {
    let mut tokens = vec![PUBLIC.to_owned()];
    if actor.can(&Action::ModerateQueue) {
        tokens.push(MODERATORS.to_owned());
    }
    if actor.can(&Action::ReadInbox)
        && let Some(agency) = actor.account.as_ref().and_then(|a| a.agency_id)
    {
        tokens.push(agency_token(agency));
    }
    tokens
}

fn field_of(f: Fields, facet: &str) -> Option<tantivy::schema::Field> {
    Some(match facet {
        "kind" => f.kind,
        "consultation_id" => f.consultation_id,
        "stance" => f.stance,
        "status" => f.status,
        "agency" => f.agency,
        "author_kind" => f.author_kind,
        "unit" => f.unit,
        "month" => f.month,
        _ => return None,
    })
}

fn term(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// The text part of a query; `None` when the query has no searchable word.
fn text_query(
    searcher: &tantivy::Searcher,
    f: Fields,
    q: &str,
    fuzzy: bool,
) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let syllables = analyzer::query_syllables(q);
    for syllable in &syllables {
        let t = Term::from_field_text(f.folded, syllable);
        let known = searcher.doc_freq(&t).map(|n| n > 0).unwrap_or(false);
        if known || !fuzzy || syllable.chars().count() < analyzer::FUZZY_MIN_CHARS {
            clauses.push((
                Occur::Should,
                Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)),
            ));
        } else {
            clauses.push((
                Occur::Should,
                Box::new(tantivy::query::FuzzyTermQuery::new(
                    t,
                    analyzer::FUZZY_DISTANCE,
                    true,
                )),
            ));
        }
    }
    for bigram in analyzer::query_bigrams(q) {
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(f.bigrams, &bigram),
                    IndexRecordOption::WithFreqs,
                )),
                1.5,
            )),
        ));
    }
    if analyzer::is_query_accented(q) {
        for syllable in analyzer::query_exact_syllables(q) {
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.exact, &syllable),
                        IndexRecordOption::WithFreqs,
                    )),
                    2.0,
                )),
            ));
        }
    }
    (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
}

/// Searches the index as `actor` may.
pub fn search(
    index: &SearchIndex,
    actor: &Actor,
    request: &SearchRequest,
) -> Result<SearchResults> {
    let f = index.fields();
    let mut errors = FieldErrors::default();
    let q = crate::domain::text::normalize(&request.q);
    if q.chars().count() > MAX_QUERY_CHARS {
        errors.push("q", "too_long", "Từ khóa tối đa 500 ký tự");
    }
    for name in request.filters.keys() {
        if field_of(f, name).is_none() {
            errors.push(name.as_str(), "unknown", "Không lọc được theo trường này");
        }
    }
    if !(1..=100).contains(&request.per_page) {
        errors.push("per_page", "out_of_range", "Từ 1 đến 100 kết quả mỗi trang");
    }
    if request.page == 0 || request.page > 1000 {
        errors.push("page", "out_of_range", "Trang từ 1 đến 1.000");
    }
    errors.into_result()?;
    let searcher = index.searcher();
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let tokens = visibility(actor);
    must.push((
        Occur::Must,
        Box::new(BooleanQuery::new(
            tokens
                .iter()
                .map(|t| (Occur::Should, term(f.visibility, t)))
                .collect(),
        )),
    ));
    // Moderators find comments by their original text; the published copy would repeat them.
    if tokens.iter().any(|t| t == MODERATORS) {
        must.push((Occur::MustNot, term(f.kind, "comment")));
    } else {
        must.push((Occur::MustNot, term(f.kind, "comment_full")));
    }
    for (name, value) in &request.filters {
        if let Some(field) = field_of(f, name) {
            must.push((Occur::Must, term(field, value)));
        }
    }
    if request.from.is_some() || request.to.is_some() {
        let from = request.from.unwrap_or(i64::MIN);
        let to = request.to.unwrap_or(i64::MAX);
        must.push((
            Occur::Must,
            Box::new(tantivy::query::RangeQuery::new(
                std::ops::Bound::Included(Term::from_field_i64(f.created_at, from)),
                std::ops::Bound::Included(Term::from_field_i64(f.created_at, to)),
            )),
        ));
    }
    let text = text_query(&searcher, f, &q, true);
    let has_text = text.is_some();
    if let Some(text) = text {
        must.push((Occur::Must, text));
    }
    let query = BooleanQuery::new(must);
    let offset = (request.page - 1) * request.per_page;
    let search_err = |e: tantivy::TantivyError| Error::Search(e.to_string());
    let aggs: Aggregations = serde_json::from_value(serde_json::Value::Object(
        FACETS
            .iter()
            .map(|name| {
                (
                    (*name).to_owned(),
                    serde_json::json!({"terms": {"field": name, "size": 20}}),
                )
            })
            .collect(),
    ))
    .map_err(|e| Error::Search(e.to_string()))?;
    let agg_collector = AggregationCollector::from_aggs(aggs, Default::default());
    let (addresses, total, aggregates): (Vec<(f32, DocAddress)>, usize, _) =
        if request.sort == SearchSort::Relevance && has_text {
            let top = TopDocs::with_limit(request.per_page)
                .and_offset(offset)
                .order_by_score();
            searcher
                .search(&query, &(top, Count, agg_collector))
                .map_err(search_err)?
        } else {
            let order = if request.sort == SearchSort::Oldest {
                Order::Asc
            } else {
                Order::Desc
            };
            let top = TopDocs::with_limit(request.per_page)
                .and_offset(offset)
                .order_by_fast_field::<i64>("created_at", order);
            let (hits, total, aggs) = searcher
                .search(&query, &(top, Count, agg_collector))
                .map_err(search_err)?;
            (
                hits.into_iter()
                    .map(|(_, address)| (0.0, address))
                    .collect(),
                total,
                aggs,
            )
        };
    let snippets = match text_query(&searcher, f, &q, false) {
        Some(text) => {
            Some(SnippetGenerator::create(&searcher, &*text, f.folded).map_err(search_err)?)
        }
        None => None,
    };
    let mut hits = Vec::with_capacity(addresses.len());
    for (score, address) in addresses {
        let doc: TantivyDocument = searcher.doc(address).map_err(search_err)?;
        let get = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(ToOwned::to_owned)
        };
        let snippet_html = match &snippets {
            Some(generator) => {
                let mut snippet = generator.snippet_from_doc(&doc);
                snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
                let html = snippet.to_html();
                if html.is_empty() {
                    escape(
                        &get(f.folded)
                            .unwrap_or_default()
                            .chars()
                            .take(200)
                            .collect::<String>(),
                    )
                } else {
                    html
                }
            }
            None => escape(
                &get(f.folded)
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect::<String>(),
            ),
        };
        hits.push(Hit {
            kind: get(f.kind).unwrap_or_default(),
            id: get(f.id).unwrap_or_default(),
            consultation_id: get(f.consultation_id).unwrap_or_default(),
            comment_id: get(f.comment_id),
            title: get(f.title).unwrap_or_default(),
            snippet_html,
            created_at: doc
                .get_first(f.created_at)
                .and_then(|v| v.as_i64())
                .unwrap_or_default(),
            score,
        });
    }
    let mut facets = BTreeMap::new();
    for (name, result) in aggregates.0 {
        if let AggregationResult::BucketResult(BucketResult::Terms { buckets, .. }) = result {
            facets.insert(
                name,
                buckets
                    .into_iter()
                    .map(|b| (b.key.to_string(), b.doc_count))
                    .collect(),
            );
        }
    }
    // A syllable the index has never seen is probably a typo: propose the spelling that is.
    let did_you_mean = if has_text {
        suggestion(&searcher, f, &q)
    } else {
        None
    };
    Ok(SearchResults {
        hits,
        total,
        facets,
        did_you_mean,
    })
}

/// The query with each syllable unknown to the index replaced by the most frequent indexed
/// syllable one edit away; `None` when every syllable is known or none has a neighbour.
fn suggestion(searcher: &tantivy::Searcher, f: Fields, q: &str) -> Option<String> {
    let mut changed = false;
    let mut words = Vec::new();
    for syllable in analyzer::query_syllables(q) {
        let t = Term::from_field_text(f.folded, &syllable);
        if searcher.doc_freq(&t).unwrap_or(0) > 0 {
            words.push(syllable);
            continue;
        }
        let best = nearest_term(searcher, f, &syllable);
        match best {
            Some(word) => {
                changed = true;
                words.push(word);
            }
            None => words.push(syllable),
        }
    }
    changed.then(|| words.join(" "))
}

/// The most frequent indexed syllable one edit (or one swap of neighbours) away.
fn nearest_term(searcher: &tantivy::Searcher, f: Fields, word: &str) -> Option<String> {
    if word.chars().count() < 2 {
        return None;
    }
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(f.folded) else {
            continue;
        };
        let Ok(mut stream) = inverted.terms().stream() else {
            continue;
        };
        while stream.advance() {
            let Ok(term) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if within_one_edit(word, term) {
                *counts.entry(term.to_owned()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(term, _)| term)
}

/// Whether `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours.
fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a == b || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match ra.len().cmp(&rb.len()) {
        std::cmp::Ordering::Equal => {
            ra[1..] == rb[1..]
                || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        std::cmp::Ordering::Greater => ra[1..] == *rb,
        std::cmp::Ordering::Less => *ra == rb[1..],
    }
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One suggestion while typing: a consultation's or clause's title and where it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// Title.
    pub text: String,
    /// `consultation` or `clause`.
    pub kind: String,
    /// Consultation id.
    pub consultation_id: String,
    /// Document id.
    pub id: String,
}

/// Titles of public consultations and clauses that contain every word typed, the last one
/// possibly unfinished ("cay xa" → "... cây xanh ..."). Only public documents are looked at,
/// so nothing private can leak through a suggestion.
pub fn suggest(index: &SearchIndex, q: &str, limit: usize) -> Result<Vec<Suggestion>> {
    let f = index.fields();
    let q = crate::domain::text::normalize(q);
    if q.chars().count() > 100 {
        let mut errors = FieldErrors::default();
        errors.push("q", "too_long", "Gợi ý cho tối đa 100 ký tự");
        return Err(Error::Invalid(errors));
    }
    let mut syllables = analyzer::query_syllables(&q);
    let ends_with_space = q.ends_with(char::is_whitespace);
    let partial = if ends_with_space {
        None
    } else {
        syllables.pop()
    };
    if syllables.is_empty() && partial.as_deref().is_none_or(|p| p.chars().count() < 2) {
        return Ok(Vec::new());
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, term(f.visibility, PUBLIC)),
        (
            Occur::Must,
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, term(f.kind, "consultation")),
                (Occur::Should, term(f.kind, "clause")),
            ])),
        ),
    ];
    for syllable in &syllables {
        clauses.push((
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(f.folded, syllable),
                IndexRecordOption::Basic,
            )),
        ));
    }
    if let Some(partial) = partial {
        let pattern = format!("{}.*", regex_escape(&partial));
        let prefix = tantivy::query::RegexQuery::from_pattern(&pattern, f.folded)
            .map_err(|e| Error::Search(e.to_string()))?;
        clauses.push((Occur::Must, Box::new(prefix)));
    }
    let searcher = index.searcher();
    let top = searcher
        .search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(limit * 3).order_by_score(),
        )
        .map_err(|e| Error::Search(e.to_string()))?;
    let mut out: Vec<Suggestion> = Vec::new();
    for (_, address) in top {
        let doc: TantivyDocument = searcher
            .doc(address)
            .map_err(|e| Error::Search(e.to_string()))?;
        let get = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let text = get(f.title);
        if text.is_empty() || out.iter().any(|s| s.text == text) {
            continue;
        }
        out.push(Suggestion {
            text,
            kind: get(f.kind),
            consultation_id: get(f.consultation_id),
            id: get(f.id),
        });
        if out.len() == limit {
            break;
        }
    }
    Ok(out)
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect()
}
