//! Searching: a query typed with or without diacritics, over what the viewer may see, with
//! filters, facet counts and highlighted snippets.
//!
//! The query is analyzed like the documents (see [`crate::search::analyzer`]): every folded
//! syllable is searched in the folded field, adjacent pairs in the bigram field (so "cây xanh"
//! ranks above a text where "cây" and "xanh" are far apart), and, when the query carries
//! diacritics, its exact syllables in the accent-preserving field, which ranks exact-accent
//! matches first. A syllable the index has never seen is searched with one edit of tolerance.

use std::collections::BTreeMap;

use tantivy::collector::TopDocs;
use tantivy::query::{Bm25StatisticsProvider, BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, TantivyDocument, Term};

use crate::error::{Error, FieldErrors, Result};
use crate::policy::{Action, Actor};
use crate::search::at_least::AtLeast;
use crate::search::documents::{MODERATORS, PUBLIC, agency_token};
use crate::search::facets::{FacetCounts, FacetFruit};
use crate::search::public_only::PublicOnly;
use crate::search::ranking;
use crate::search::statistics::Statistics;
use crate::search::{Fields, SearchIndex, analyzer};

/// Longest query, in characters (longer text is refused with a 4xx).
pub const MAX_QUERY_CHARS: usize = 500;

/// Facets counted when a search asks for them (`SearchRequest::facets`).
pub const FACETS: [&str; 8] = [
    "kind",
    "consultation_id",
    "unit",
    "stance",
    "status",
    "agency",
    "author_kind",
    "month",
];

/// Values listed per facet, most frequent first.
pub const FACET_VALUES: usize = 20;

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
    /// Whether to count the facets (a pass over every result; the search page always asks).
    pub facets: bool,
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
    /// Results in all, or [`TOTAL_COUNTED_UP_TO`] when `total_exact` is false.
    pub total: usize,
    /// False when there are more than [`TOTAL_COUNTED_UP_TO`] results and they were not all
    /// counted (facets were not asked for).
    pub total_exact: bool,
    /// Facet → (value, count), most frequent first.
    pub facets: BTreeMap<String, Vec<(String, u64)>>,
    /// A spelling made of indexed words, when some words of the query are not in the index.
    pub did_you_mean: Option<String>,
    /// No result contains most words of the query: these contain some of them.
    pub partial: bool,
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

/// The tracking code a query is, when it is one written with its `GY` prefix ("GY-7K3F-9QXMZ",
/// "gy7k3f9qxmz"); without the prefix, nine letters could be a word.
fn tracking_code(q: &str) -> Option<crate::domain::tracking::TrackingCode> {
    let q = q.trim();
    let prefixed = q.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("gy"));
    prefixed
        .then(|| crate::domain::tracking::TrackingCode::parse(q).ok())
        .flatten()
}

/// How many of a query's distinct syllables a result must contain when none contains them all:
/// three in four (rounded up) from four syllables on, so that one stray word of a long query
/// does not empty the results; all of them up to three.
pub fn required_syllables(n: usize) -> usize {
    if n <= 3 { n } else { (n * 3).div_ceil(4) }
}

/// How the syllables of a query must match. A search asks for all of them first, as
/// PostgreSQL's `plainto_tsquery` and the peers' site searches do, and relaxes the rule only
/// when nothing matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Matching {
    /// Every one of them.
    All,
    /// [`required_syllables`] of them (when no result has them all).
    Most,
    /// Any one of them (when no result has most of them).
    Any,
}

/// The text part of a query: what a result must match, and what only adds to its score.
struct Text {
    /// Required clauses.
    must: Vec<Box<dyn Query>>,
    /// Clauses that add to the score of the results that match them (adjacent pairs, exact
    /// accents).
    should: Vec<Box<dyn Query>>,
    /// Every required clause is a plain term of `folded`: tantivy can then find the best
    /// results without scoring them all (block-max WAND), see [`top_by_syllables`].
    plain: bool,
    /// The folded syllables.
    terms: Vec<Term>,
    /// The same query for [`ranking::top`], when every syllable is required.
    ranked: Option<ranking::Plain>,
}

impl Text {
    /// Whether [`top_by_syllables`] is the cheaper way to the best results: for one or two
    /// plain syllables, each in at least [`BLOCK_MAX_FROM`] documents. Measured at a million
    /// comments: "sạt lở" (162,312 results) 6.3 → 2.0 ms, "triều cường" 4.6 → 1.8 ms; with
    /// fewer results, or three syllables and more, scoring every result is as fast or faster.
    fn block_max_pays(&self, stats: &Statistics) -> bool {
        self.plain
            && self.terms.len() <= 2
            && self
                .terms
                .iter()
                .all(|t| stats.doc_freq(t).unwrap_or(0) >= BLOCK_MAX_FROM)
    }

    /// The whole query.
    fn full(&self) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = self
            .must
            .iter()
            .map(|q| (Occur::Must, q.box_clone()))
            .collect();
        clauses.extend(self.should.iter().map(|q| (Occur::Should, q.box_clone())));
        Box::new(BooleanQuery::new(clauses))
    }

    /// The required clauses only.
    fn required(&self) -> Box<dyn Query> {
        match self.must.as_slice() {
            [one] => one.box_clone(),
            many => Box::new(BooleanQuery::new(
                many.iter().map(|q| (Occur::Must, q.box_clone())).collect(),
            )),
        }
    }
}

/// See [`Text::block_max_pays`] (documents of the index, public or not).
const BLOCK_MAX_FROM: u64 = 150_000;

/// The text part of a query; `None` when the query has no searchable word.
///
/// Each distinct folded syllable is one clause on the folded field (a fuzzy one, when `fuzzy`
/// and the index has never seen the syllable), of which [`Matching`] says how many must hold;
/// adjacent pairs in the bigram field and, for a query typed with diacritics, its exact
/// syllables add to the score only. A query that is a tracking code finds that comment.
fn text_query(
    stats: &Statistics,
    f: Fields,
    q: &str,
    fuzzy: bool,
    matching: Matching,
) -> Option<Text> {
    if let Some(code) = tracking_code(q) {
        return Some(Text {
            must: vec![term(f.tracking_code, code.as_str())],
            should: Vec::new(),
            plain: false,
            terms: Vec::new(),
            ranked: None,
        });
    }
    let mut syllables = analyzer::query_syllables(q);
    let mut seen = std::collections::HashSet::new();
    syllables.retain(|s| seen.insert(s.clone()));
    if syllables.is_empty() {
        return None;
    }
    let fuzzy_ones = if fuzzy {
        analyzer::fuzzy_candidates(stats, f.folded, &syllables).unwrap_or_default()
    } else {
        Vec::new()
    };
    let terms: Vec<Term> = syllables
        .iter()
        .map(|syllable| Term::from_field_text(f.folded, syllable))
        .collect();
    let words: Vec<Box<dyn Query>> = syllables
        .iter()
        .map(|syllable| {
            let t = Term::from_field_text(f.folded, syllable);
            if fuzzy_ones.contains(syllable) {
                Box::new(tantivy::query::FuzzyTermQuery::new(
                    t,
                    analyzer::FUZZY_DISTANCE,
                    true,
                )) as Box<dyn Query>
            } else {
                Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs))
            }
        })
        .collect();
    let required = match matching {
        Matching::All => words.len(),
        Matching::Most => required_syllables(words.len()),
        Matching::Any => 1,
    };
    let plain = required == words.len() && fuzzy_ones.is_empty();
    let must: Vec<Box<dyn Query>> = if required == words.len() {
        words
    } else if required == 1 {
        vec![Box::new(BooleanQuery::new(
            words.into_iter().map(|w| (Occur::Should, w)).collect(),
        ))]
    } else {
        vec![Box::new(AtLeast::new(words, required))]
    };
    let position = |syllable: &str| syllables.iter().position(|s| s == syllable);
    let mut should: Vec<Box<dyn Query>> = Vec::new();
    let mut pairs = Vec::new();
    for bigram in analyzer::query_bigrams(q) {
        let t = Term::from_field_text(f.bigrams, &bigram);
        let halves = bigram
            .split_once(analyzer::BIGRAM_JOINER)
            .and_then(|(a, b)| Some((position(a)?, position(b)?)));
        if let Some((a, b)) = halves {
            pairs.push((t.clone(), a, b));
        }
        should.push(Box::new(BoostQuery::new(
            Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)),
            ranking::PAIR_BOOST,
        )));
    }
    let mut accents = Vec::new();
    if analyzer::is_query_accented(q) {
        let folded = analyzer::query_syllables(q);
        for (k, syllable) in analyzer::query_exact_syllables(q).iter().enumerate() {
            let t = Term::from_field_text(f.exact, syllable);
            if let Some(at) = folded.get(k).and_then(|s| position(s)) {
                accents.push((t.clone(), at));
            }
            should.push(Box::new(BoostQuery::new(
                Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)),
                ranking::ACCENT_BOOST,
            )));
        }
    }
    // Every pair and accent is bounded by its syllables (see `ranking`), or the plain form is
    // not used.
    let complete = pairs.len() + accents.len() == should.len();
    let ranked = (required == terms.len() && complete).then(|| ranking::Plain {
        fuzzy: syllables.iter().map(|s| fuzzy_ones.contains(s)).collect(),
        syllables: terms.clone(),
        pairs,
        accents,
    });
    Some(Text {
        must,
        should,
        plain,
        terms,
        ranked,
    })
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
    let stats = Statistics::new(&searcher);
    let mut results = run(&stats, f, actor, request, &q, Matching::All)?;
    let syllables = analyzer::query_syllables(&q)
        .into_iter()
        .collect::<std::collections::HashSet<_>>()
        .len();
    if results.total == 0 && required_syllables(syllables) < syllables {
        results = run(&stats, f, actor, request, &q, Matching::Most)?;
        results.partial = results.total > 0;
    }
    if results.total == 0 && syllables > 1 {
        results = run(&stats, f, actor, request, &q, Matching::Any)?;
        results.partial = results.total > 0;
    }
    // A syllable the index has never seen is probably a typo: propose the spelling that is.
    if !q.trim().is_empty() {
        results.did_you_mean = suggestion(&stats, f, &q);
    }
    Ok(results)
}

/// One search with the given matching of the query's syllables.
fn run(
    stats: &Statistics,
    f: Fields,
    actor: &Actor,
    request: &SearchRequest,
    q: &str,
    matching: Matching,
) -> Result<SearchResults> {
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let tokens = visibility(actor);
    // Anonymous visitors and residents see public documents only: the beginning of each
    // segment (see `PublicOnly`, below); others, the documents carrying one of their tokens.
    let public_only = tokens.iter().all(|t| t == PUBLIC);
    if !public_only {
        must.push((
            Occur::Must,
            Box::new(BooleanQuery::new(
                tokens
                    .iter()
                    .map(|t| (Occur::Should, term(f.visibility, t)))
                    .collect(),
            )),
        ));
    }
    // Moderators find comments by their original text; the published copy would repeat them.
    // (Original texts are for moderators only, so nobody else needs the opposite clause.)
    if tokens.iter().any(|t| t == MODERATORS) {
        must.push((Occur::MustNot, term(f.kind, "comment")));
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
    let searcher = stats.searcher();
    let text = text_query(stats, f, q, true, matching);
    let has_text = text.is_some();
    let offset = (request.page - 1) * request.per_page;
    let search_err = |e: tantivy::TantivyError| Error::Search(e.to_string());
    let facet_counts = FacetCounts::new(if request.facets { &FACETS } else { &[] });
    // An anonymous search by relevance on the words alone: the best results are found without
    // scoring every result (see `top_by_syllables`).
    let by_syllables = request.sort == SearchSort::Relevance
        && public_only
        && request.filters.is_empty()
        && request.from.is_none()
        && request.to.is_none();
    if let Some(text) = text.as_ref().filter(|_| by_syllables) {
        if !request.facets && text.block_max_pays(stats) {
            // The total alone is counted, up to a limit.
            let required = PublicOnly::with_block_max(text.required());
            let (total, exact) =
                count_up_to(searcher, &required, TOTAL_COUNTED_UP_TO).map_err(search_err)?;
            let counted = FacetFruit {
                total,
                counts: Vec::new(),
            };
            let addresses =
                top_by_syllables(searcher, &required, &text.should, offset, request.per_page)
                    .map_err(search_err)?;
            let mut results = finish(stats, f, q, addresses, counted)?;
            results.total_exact = exact;
            return Ok(results);
        }
        if let Some(plain) = &text.ranked {
            let ranked = ranking::top(stats, plain, offset, request.per_page, &facet_counts)
                .map_err(search_err)?;
            return finish(stats, f, q, ranked.hits, ranked.counted);
        }
    }
    if let Some(text) = text {
        must.push((Occur::Must, text.full()));
    }
    if must.is_empty() {
        must.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
    }
    let query: Box<dyn Query> = if public_only {
        Box::new(PublicOnly::new(Box::new(BooleanQuery::new(must))))
    } else {
        Box::new(BooleanQuery::new(must))
    };
    let (addresses, counted): (Vec<(f32, DocAddress)>, FacetFruit) =
        if request.sort == SearchSort::Relevance && has_text {
            let top = TopDocs::with_limit(request.per_page)
                .and_offset(offset)
                .order_by_score();
            searcher
                .search(&*query, &(top, facet_counts))
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
            let (hits, counted) = searcher
                .search(&*query, &(top, facet_counts))
                .map_err(search_err)?;
            (
                hits.into_iter()
                    .map(|(_, address)| (0.0, address))
                    .collect(),
                counted,
            )
        };
    finish(stats, f, q, addresses, counted)
}

/// Without facets, an anonymous search by relevance counts its results up to this number and
/// says "more than" beyond it, as Elasticsearch does (`track_total_hits`): counting 160,000
/// results costs more than finding the best twenty.
pub const TOTAL_COUNTED_UP_TO: usize = 10_000;

/// The number of documents matching `query`, its segments counted side by side (on the
/// index's search executor) until together they have found more than `cap`: `(count, true)`,
/// or `(cap, false)` when there are more.
pub(crate) fn count_up_to(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    cap: usize,
) -> tantivy::Result<(usize, bool)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let weight = query.weight(tantivy::query::EnableScoring::disabled_from_searcher(
        searcher,
    ))?;
    let total = AtomicUsize::new(0);
    let count_segment = |reader: &tantivy::SegmentReader| -> tantivy::Result<()> {
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut buffer = [0; tantivy::COLLECT_BLOCK_BUFFER_LEN];
        loop {
            let n = scorer.fill_buffer(&mut buffer);
            if n == 0 {
                return Ok(());
            }
            let alive = match reader.alive_bitset() {
                Some(alive) => buffer[..n].iter().filter(|&&d| alive.is_alive(d)).count(),
                None => n,
            };
            if total.fetch_add(alive, Ordering::Relaxed) + alive > cap {
                return Ok(());
            }
        }
    };
    searcher
        .index()
        .search_executor()
        .map(count_segment, searcher.segment_readers().iter())?;
    let total = total.into_inner();
    Ok(if total > cap {
        (cap, false)
    } else {
        (total, true)
    })
}

/// How many results beyond the page [`top_by_syllables`] ranks again by the whole query.
const RESCORE_WINDOW: usize = 200;

/// The page of the best results of the query made of `required` and the score-only `boosts`:
/// the best `offset + limit + RESCORE_WINDOW` results by the score of `required` (the
/// syllables), which tantivy finds by block-max WAND (skipping the blocks of postings that
/// cannot make that list), ranked again with the boosts (adjacent pairs and exact accents)
/// added, each clause sought to each candidate. This is the rescoring window of Elasticsearch
/// and Solr: a result outside the window could in principle rank higher on the whole query, but
/// it would need both a low score on the words typed and all of the pairs and accents, where
/// the window holds the few hundred best on the words.
pub(crate) fn top_by_syllables(
    searcher: &tantivy::Searcher,
    required: &dyn Query,
    boosts: &[Box<dyn Query>],
    offset: usize,
    limit: usize,
) -> tantivy::Result<Vec<(f32, DocAddress)>> {
    let window = offset + limit + RESCORE_WINDOW;
    let mut candidates: Vec<DocAddress> = searcher
        .search(required, &TopDocs::with_limit(window).order_by_score())?
        .into_iter()
        .map(|(_, address)| address)
        .collect();
    candidates.sort_unstable();
    let scoring = tantivy::query::EnableScoring::enabled_from_searcher(searcher);
    let required = required.weight(scoring)?;
    let boosts = boosts
        .iter()
        .map(|q| q.weight(scoring))
        .collect::<tantivy::Result<Vec<_>>>()?;
    // A clause's scorer moved to `doc` (or past it); scorers only move forward, and the
    // candidates of a segment come in document order.
    fn reach(scorer: &mut dyn tantivy::query::Scorer, doc: tantivy::DocId) -> tantivy::DocId {
        let at = scorer.doc();
        if at < doc { scorer.seek(doc) } else { at }
    }
    let mut scored = Vec::with_capacity(candidates.len());
    for segment in candidates.chunk_by(|a, b| a.segment_ord == b.segment_ord) {
        let reader = searcher.segment_reader(segment[0].segment_ord);
        let mut matched = required.scorer(reader, 1.0)?;
        let mut extra = boosts
            .iter()
            .map(|w| w.scorer(reader, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        for address in segment {
            let doc = address.doc_id;
            if reach(matched.as_mut(), doc) != doc {
                continue;
            }
            let mut score = matched.score();
            for clause in &mut extra {
                if reach(clause.as_mut(), doc) == doc {
                    score += clause.score();
                }
            }
            scored.push((score, *address));
        }
    }
    // Best first; between equals, index order (as tantivy's top documents).
    scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(scored.into_iter().skip(offset).take(limit).collect())
}

/// The highlighter of the query's syllables in the folded text (as tantivy's
/// `SnippetGenerator::create` builds it from the query, with the frequencies already looked up);
/// `None` when nothing is to be highlighted (no syllable, or a tracking code).
fn snippet_generator(
    stats: &Statistics,
    f: Fields,
    q: &str,
) -> tantivy::Result<Option<SnippetGenerator>> {
    if tracking_code(q).is_some() {
        return Ok(None);
    }
    let syllables = analyzer::query_syllables(q);
    if syllables.is_empty() {
        return Ok(None);
    }
    let mut terms = BTreeMap::new();
    for syllable in syllables {
        let doc_freq = stats.doc_freq(&Term::from_field_text(f.folded, &syllable))?;
        if doc_freq > 0 {
            terms.insert(syllable, 1.0 / (1.0 + doc_freq as f32));
        }
    }
    let tokenizer = stats.searcher().index().tokenizer_for_field(f.folded)?;
    Ok(Some(SnippetGenerator::new(
        terms,
        tokenizer,
        f.folded,
        SNIPPET_CHARS,
    )))
}

/// Length of a snippet, in bytes of the text (tantivy's default).
const SNIPPET_CHARS: usize = 150;

/// The results of a search: the stored documents of `addresses` with their snippets, and the
/// counts.
fn finish(
    stats: &Statistics,
    f: Fields,
    q: &str,
    addresses: Vec<(f32, DocAddress)>,
    counted: FacetFruit,
) -> Result<SearchResults> {
    let search_err = |e: tantivy::TantivyError| Error::Search(e.to_string());
    let searcher = stats.searcher();
    let snippets = snippet_generator(stats, f, q).map_err(search_err)?;
    // Each result is read from the store and highlighted on the executor's threads, side by
    // side (the order of `addresses` is kept).
    let hit = |(score, address): (f32, DocAddress)| -> tantivy::Result<Hit> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let get = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(ToOwned::to_owned)
        };
        let beginning = || {
            escape(
                &get(f.folded)
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect::<String>(),
            )
        };
        let snippet_html = match &snippets {
            Some(generator) => {
                let mut snippet = generator.snippet_from_doc(&doc);
                snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
                let html = snippet.to_html();
                if html.is_empty() { beginning() } else { html }
            }
            None => beginning(),
        };
        Ok(Hit {
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
        })
    };
    let hits = searcher
        .index()
        .search_executor()
        .map(hit, addresses.into_iter())
        .map_err(search_err)?;
    let facets = FACETS
        .iter()
        .enumerate()
        .map(|(k, name)| ((*name).to_owned(), counted.top(k, FACET_VALUES)))
        .filter(|(_, values)| !values.is_empty())
        .collect();
    Ok(SearchResults {
        hits,
        total: counted.total,
        total_exact: true,
        facets,
        did_you_mean: None,
        partial: false,
    })
}

/// The query with each syllable unknown to the index replaced by the most frequent indexed
/// syllable one edit away; `None` when every syllable is known or none has a neighbour.
fn suggestion(stats: &Statistics, f: Fields, q: &str) -> Option<String> {
    if tracking_code(q).is_some() {
        return None;
    }
    let mut changed = false;
    let mut words = Vec::new();
    for syllable in analyzer::query_syllables(q) {
        let t = Term::from_field_text(f.folded, &syllable);
        if stats.doc_freq(&t).unwrap_or(0) > 0 {
            words.push(syllable);
            continue;
        }
        let best = nearest_term(stats.searcher(), f, &syllable);
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

/// The most frequent indexed syllable one edit (or one swap of neighbours) away, found by
/// walking each segment's term dictionary with a Levenshtein automaton (only the terms the
/// automaton accepts are visited, not the whole dictionary).
fn nearest_term(searcher: &tantivy::Searcher, f: Fields, word: &str) -> Option<String> {
    if word.chars().count() < 2 {
        return None;
    }
    let fuzzy = tantivy::query::FuzzyTermQuery::new(
        Term::from_field_text(f.folded, word),
        analyzer::FUZZY_DISTANCE,
        true,
    );
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let (Ok(inverted), Ok(automaton)) = (segment.inverted_index(f.folded), fuzzy.automaton())
        else {
            continue;
        };
        let Ok(mut stream) = inverted.terms().search(automaton).into_stream() else {
            continue;
        };
        while stream.advance() {
            let Ok(term) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if term != word {
                *counts.entry(term.to_owned()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    // Most documents first; between equals, the first in alphabetical order.
    counts
        .into_iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(term, _)| term)
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

#[cfg(test)]
mod ranking_tests {
    //! [`ranking::top`] against tantivy's boolean query it replaces, on texts with accents,
    //! unaccented copies, repeated words, several segments, deleted and private documents.

    use tantivy::collector::{Count, TopDocs};
    use tantivy::{DocAddress, TantivyDocument, Term};

    use super::{FacetCounts, Matching, Statistics, ranking, text_query};
    use crate::search::documents::{MODERATORS, PUBLIC, mark_public};
    use crate::search::public_only::PublicOnly;
    use crate::search::query_tests::Rng;
    use crate::search::{Fields, SearchIndex};

    const PHRASES: [&str; 16] = [
        "Đường Mậu Thân ngập nước khi triều cường",
        "cây xanh trên vỉa hè bị đốn",
        "cầu Hưng Lợi xuống cấp",
        "thoát nước kém, nước ngập tới gối",
        "nhà ở xã hội cho công nhân",
        "hoà bình và thuỷ lợi",
        "hòa giải ở phường Bình Thủy",
        "câu hỏi về cầu Quang Trung",
        "xanh xanh cây cây",
        "kinh phí bồi thường giải phóng mặt bằng",
        "rác thải gây ô nhiễm",
        "ngập ngập ngập",
        "cây cầu mới",
        "màu xanh của lá",
        "nhà cao tầng",
        "họp ở xã",
    ];

    /// 900 texts of 1 to 4 phrases, one in six without diacritics, in one large segment and
    /// small ones; a third of them private, and every thirteenth deleted.
    fn corpus() -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = SearchIndex::open_or_create(dir.path()).expect("index");
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        index
            .with_writer(|writer, f: Fields| {
                writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
                for k in 0..900 {
                    let mut text = (0..=rng.below(4))
                        .map(|_| PHRASES[rng.below(PHRASES.len() as u64) as usize])
                        .collect::<Vec<_>>()
                        .join(". ");
                    if rng.below(6) == 0 {
                        text = crate::domain::text::fold(&text);
                    }
                    let mut doc = TantivyDocument::default();
                    doc.add_text(f.id, format!("d{k}"));
                    doc.add_text(f.owner, format!("d{k}"));
                    doc.add_text(f.kind, "comment");
                    for field in [f.exact, f.folded, f.bigrams] {
                        doc.add_text(field, &text);
                    }
                    let public = rng.below(3) > 0;
                    doc.add_text(f.visibility, if public { PUBLIC } else { MODERATORS });
                    let mut docs = [doc];
                    mark_public(f, &mut docs);
                    let [doc] = docs;
                    writer.add_document(doc)?;
                    if k % 250 == 249 {
                        writer.commit()?;
                    }
                }
                for k in (0..900).step_by(13) {
                    writer.delete_term(Term::from_field_text(f.owner, &format!("d{k}")));
                }
                writer.commit()?;
                // One large segment beside small ones, as merges leave them: a search cuts it.
                let mut ids = writer.index().searchable_segment_ids()?;
                ids.truncate(ids.len().saturating_sub(2));
                writer.merge(&ids).wait()?;
                Ok(())
            })
            .expect("indexed");
        index.reload().expect("reload");
        (dir, index)
    }

    #[test]
    fn ranks_as_the_boolean_query_does() {
        let (_dir, index) = corpus();
        let f = index.fields();
        let searcher = index.searcher();
        assert!(searcher.segment_readers().len() > 2, "several segments");
        let queries = [
            "cây xanh",
            "cay xanh",
            "đường ngập nước",
            "duong mau than ngap",
            "cầu cầu",
            "câu",
            "nhà ở xã hội",
            "Hưng Lợi",
            "hoà bình",
            "thủy",
            "ngập",
            "xanh cây",
            // Typos: a syllable no document holds matches those one edit away.
            "cây xanhh",
            "duong ngapp trieu",
        ];
        for q in queries {
            let stats = Statistics::new(&searcher);
            let text = text_query(&stats, f, q, true, Matching::All).expect("a text query");
            let plain = text.ranked.as_ref().expect("a plain query");
            let total = searcher
                .search(&PublicOnly::new(text.required()), &Count)
                .expect("count");
            assert!(total > 10, "{q}: {total} results, too few to compare pages");
            for (offset, limit) in [(0, 10), (10, 10), (0, 100)] {
                let facets = FacetCounts::new(&["kind"]);
                let ranked = ranking::top(&stats, plain, offset, limit, &facets).expect("ranked");
                assert_eq!(ranked.counted.total, total, "{q}: total");
                assert_eq!(
                    ranked.counted.top(0, 5),
                    vec![("comment".to_owned(), total as u64)],
                    "{q}: facet"
                );
                let expected = searcher
                    .search(
                        &PublicOnly::new(text.full()),
                        &TopDocs::with_limit(limit)
                            .and_offset(offset)
                            .order_by_score(),
                    )
                    .expect("search");
                same_page(q, &ranked.hits, &expected);
            }
        }
    }

    #[test]
    fn parts_cover_the_public_documents_once() {
        let (_dir, index) = corpus();
        let searcher = index.searcher();
        let ends: Vec<u32> = searcher
            .segment_readers()
            .iter()
            .map(|r| crate::search::public_only::public_end(r).expect("public end"))
            .collect();
        let all: u32 = ends.iter().sum();
        for threads in [1, 2, 3, 8] {
            let parts = ranking::parts(&searcher, threads).expect("parts");
            let longest = all.div_ceil(2 * threads as u32);
            for (ord, &end) in ends.iter().enumerate() {
                let mut ranges: Vec<(u32, u32)> = parts
                    .iter()
                    .filter(|p| p.0 == ord)
                    .map(|p| (p.1, p.2))
                    .collect();
                ranges.sort_unstable();
                let mut next = 0;
                for (start, stop) in ranges {
                    assert_eq!(start, next, "{threads} threads: segment {ord} from {next}");
                    assert!(stop > start && stop - start <= longest, "{threads} threads");
                    next = stop;
                }
                assert_eq!(
                    next, end,
                    "{threads} threads: segment {ord} to its public end"
                );
            }
            let sizes: Vec<u32> = parts.iter().map(|p| p.2 - p.1).collect();
            assert!(
                sizes.is_sorted_by(|a, b| a >= b),
                "largest first: {sizes:?}"
            );
            if threads > 1 {
                assert!(
                    parts.len() > ends.len(),
                    "{threads} threads: the large segment is cut: {ends:?}"
                );
            }
        }
    }

    /// The same scores rank by rank, and the same documents but where two scores are equal
    /// up to the rounding of a different order of summing.
    fn same_page(q: &str, got: &[(f32, DocAddress)], expected: &[(f32, DocAddress)]) {
        let close = |a: f32, b: f32| (a - b).abs() <= 1e-4 * a.abs().max(1.0);
        assert_eq!(got.len(), expected.len(), "{q}: page length");
        // A document tied with the first or last of the page may sit on the next or previous
        // page in the other order.
        let first = expected.first().map_or(0.0, |e| e.0);
        let last = expected.last().map_or(0.0, |e| e.0);
        for (rank, ((score, address), (want, _))) in got.iter().zip(expected).enumerate() {
            assert!(
                close(*score, *want),
                "{q}: score at {rank}: {score} != {want}"
            );
            let found = expected
                .iter()
                .any(|(s, a)| a == address && close(*s, *score));
            assert!(
                found || close(*score, last) || close(*score, first),
                "{q}: {address:?} at {rank} is not on the expected page"
            );
        }
    }
}
