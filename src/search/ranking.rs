//! The best public results of a plain text query, without walking the postings of the clauses
//! that only add to the score.
//!
//! A plain query (every folded syllable required) scores a document as the sum of
//! three kinds of BM25 clauses, exactly as the boolean query of [`crate::services::search`]
//! does: its folded syllables, its adjacent pairs (boost 1.5) and, when the query is typed
//! with diacritics, its exact syllables (boost 2.0). The pair and accent clauses do not decide
//! which documents match, but tantivy's boolean query walks all of their postings (those of
//! "nước" or "nhà" hold most documents) to add them to the score of every result.
//!
//! Here they are bounded instead. Every document of a segment that holds all the syllables is
//! visited (so the total is exact), its syllable scores computed from their term frequencies,
//! and the score the other clauses could add is bounded from what is already known about it:
//!
//! - an exact syllable occurs at most as often as its folded form (each occurrence of "nước"
//!   is an occurrence of "nuoc"), and the exact and folded fields hold the same words;
//! - a pair "thoat_nuoc" occurs at most as often as the rarer of its two syllables.
//!
//! BM25 grows with term frequency, so scoring each clause with those frequencies against the
//! document's own field length bounds it from above; for most documents (every "nuoc" written
//! "nước", the two words next to each other) the bound is the score itself. Only the documents
//! whose bound beats the current last of the best results have the pair and accent postings
//! sought, which after the first few hundred results is hardly any of them. The result is the
//! same as scoring every document in full (this is the "MaxScore" idea of Turtle and Flood,
//! with bounds per document rather than per term).

use std::cmp::Ordering;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{BitSetDocSet, Bm25StatisticsProvider, Bm25Weight, FuzzyTermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{
    BitSet, DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED, Term,
};

use super::analyzer::FUZZY_DISTANCE;
use super::facets::{FacetCounts, FacetFruit, SegmentFacetCounts};
use super::public_only::public_end;
use super::statistics::Statistics;

/// Boost of an adjacent pair of syllables.
pub const PAIR_BOOST: Score = 1.5;
/// Boost of a syllable typed with its exact diacritics.
pub const ACCENT_BOOST: Score = 2.0;

/// A query whose syllables are all required: what [`top`] ranks.
#[derive(Debug, Clone, Default)]
pub struct Plain {
    /// Distinct folded syllables (field `folded`).
    pub syllables: Vec<Term>,
    /// Whether each syllable is searched with one typo forgiven (no document holds it as
    /// typed): it then matches every indexed syllable one edit away ([`FUZZY_DISTANCE`]), and
    /// adds a constant 1 to the score, as tantivy's fuzzy term query does.
    pub fuzzy: Vec<bool>,
    /// Adjacent pairs (field `bigrams`), each with the positions in `syllables` of its two
    /// syllables.
    pub pairs: Vec<(Term, usize, usize)>,
    /// Exact syllables (field `exact`), each with the position in `syllables` of its folded
    /// form.
    pub accents: Vec<(Term, usize)>,
}

/// What [`top`] found.
#[derive(Debug, Default)]
pub struct Ranked {
    /// The best `limit` results after `offset`, best first.
    pub hits: Vec<(Score, DocAddress)>,
    /// The public documents holding every syllable: their number, and the facets asked for.
    pub counted: FacetFruit,
}

/// BM25 weight of a term as tantivy's `TermQuery` computes it (index-wide statistics).
fn weight(stats: &Statistics, term: &Term, boost: Score) -> tantivy::Result<Bm25Weight> {
    Ok(Bm25Weight::for_terms(stats, std::slice::from_ref(term))?.boost_by(boost))
}

/// How a syllable scores.
enum SyllableWeight {
    /// BM25 of the syllable.
    Bm25(Bm25Weight),
    /// 1, whatever the syllable one edit away that matched (a fuzzy syllable).
    Constant,
}

impl SyllableWeight {
    fn score(&self, norm: u8, tf: u32) -> Score {
        match self {
            SyllableWeight::Bm25(weight) => weight.score(norm, tf),
            SyllableWeight::Constant => 1.0,
        }
    }
}

/// The weights of a query, computed once for all segments.
struct Weights {
    syllables: Vec<SyllableWeight>,
    /// The pairs', then the accents' (the order of [`Plain::extras`]).
    extras: Vec<Bm25Weight>,
    /// The pairs and accents, rarest first: the order in which a document's bound is
    /// tightened (a rare clause is cheap to seek and most likely absent).
    order: Vec<usize>,
}

/// A clause that only adds to the score: a pair or an accent.
#[derive(Debug, Clone, Copy)]
enum Extra<'a> {
    /// A pair and the positions of its two syllables.
    Pair(&'a Term, usize, usize),
    /// An exact syllable and the position of its folded form.
    Accent(&'a Term, usize),
}

impl<'a> Extra<'a> {
    fn term(self) -> &'a Term {
        match self {
            Extra::Pair(term, _, _) | Extra::Accent(term, _) => term,
        }
    }

    /// The most often the clause can occur in a document holding the syllables `freqs` times.
    fn bound(self, freqs: &[u32]) -> u32 {
        match self {
            Extra::Pair(_, a, b) => freqs[a].min(freqs[b]),
            Extra::Accent(_, k) => freqs[k],
        }
    }
}

impl Plain {
    /// The pairs, then the accents.
    fn extras(&self) -> impl Iterator<Item = Extra<'_>> {
        self.pairs
            .iter()
            .map(|(t, a, b)| Extra::Pair(t, *a, *b))
            .chain(self.accents.iter().map(|(t, k)| Extra::Accent(t, *k)))
    }
}

/// The public documents holding every syllable of `plain`, the best `offset + limit` of them
/// ranked by the whole score, all of them counted by `facets`; the segments, cut into
/// [`parts`], are searched side by side on the index's executor.
pub fn top(
    stats: &Statistics,
    plain: &Plain,
    offset: usize,
    limit: usize,
    facets: &FacetCounts,
) -> tantivy::Result<Ranked> {
    if plain.syllables.is_empty() {
        return Ok(Ranked::default());
    }
    let weights = Weights {
        syllables: plain
            .syllables
            .iter()
            .enumerate()
            .map(|(k, t)| match plain.fuzzy.get(k) {
                Some(true) => Ok(SyllableWeight::Constant),
                _ => weight(stats, t, 1.0).map(SyllableWeight::Bm25),
            })
            .collect::<tantivy::Result<_>>()?,
        extras: plain
            .extras()
            .map(|extra| match extra {
                Extra::Pair(t, _, _) => weight(stats, t, PAIR_BOOST),
                Extra::Accent(t, _) => weight(stats, t, ACCENT_BOOST),
            })
            .collect::<tantivy::Result<_>>()?,
        order: {
            let mut rarity = Vec::new();
            for (k, extra) in plain.extras().enumerate() {
                rarity.push((stats.doc_freq(extra.term())?, k));
            }
            rarity.sort_unstable();
            rarity.into_iter().map(|(_, k)| k).collect()
        },
    };
    let keep = offset + limit;
    let searcher = stats.searcher();
    let parts = parts(searcher, super::search_threads())?;
    let found = searcher.index().search_executor().map(
        |(ord, start, end)| {
            let ord = ord as SegmentOrdinal;
            let reader = searcher.segment_reader(ord);
            let counts = facets.for_segment(ord, reader)?;
            segment_top(plain, &weights, ord, reader, start..end, keep, counts)
        },
        parts.into_iter(),
    )?;
    let mut fruits = Vec::with_capacity(found.len());
    let mut hits = Vec::new();
    for (best, fruit) in found {
        hits.extend(best);
        fruits.push(fruit);
    }
    // Best first; between equals, index order (as tantivy's top documents).
    hits.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(Ranked {
        hits: hits.into_iter().skip(offset).take(limit).collect(),
        counted: facets.merge_fruits(fruits)?,
    })
}

/// How finely a search's public documents are cut for the executor: into ranges of at most
/// one in `PARTS_PER_THREAD * threads` of them. Merges leave segments of very different sizes
/// (one of 1.2 million documents beside six of 150,000 at a million comments); searched whole,
/// the largest keeps one core busy while the other waits. Measured there, in process: p50 1.74
/// ms whole, 1.57 ms in quarters, 1.63 ms in eighths (more parts, more terms looked up and
/// fewer results passed over per part).
const PARTS_PER_THREAD: u64 = 2;

/// The document ranges `(segment, start, end)` of a search on `threads` threads, up to each
/// segment's public boundary, largest first (so that the last ones to run are the shortest).
pub(crate) fn parts(
    searcher: &tantivy::Searcher,
    threads: usize,
) -> tantivy::Result<Vec<(usize, DocId, DocId)>> {
    let ends: Vec<DocId> = searcher
        .segment_readers()
        .iter()
        .map(public_end)
        .collect::<tantivy::Result<_>>()?;
    let threads = threads.max(1) as u64;
    let all: u64 = ends.iter().copied().map(u64::from).sum();
    let longest = all.div_ceil(PARTS_PER_THREAD * threads).max(1);
    let mut parts = Vec::new();
    for (ord, &end) in ends.iter().enumerate() {
        let end = u64::from(end);
        let n = end.div_ceil(longest);
        // Cut points fit in a DocId: each is at most `end`.
        let at = |i: u64| (end * i / n) as DocId;
        parts.extend((0..n).map(|i| (ord, at(i), at(i + 1))));
    }
    parts.sort_by_key(|&(ord, start, end)| (std::cmp::Reverse(end - start), ord, start));
    Ok(parts)
}

/// The best `keep` documents of a segment, kept as a min-heap on (score, later document
/// first), so that the root is the one a better document pushes out.
struct Best {
    keep: usize,
    heap: std::collections::BinaryHeap<Entry>,
}

/// A result in [`Best`]: ordered so that the heap's root is the worst kept result.
#[derive(Clone, Copy)]
struct Entry {
    score: Score,
    doc: DocId,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Lower score is "greater" (the root of a max-heap); between equal scores, the later
        // document is worse.
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.doc.cmp(&other.doc))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl Best {
    fn new(keep: usize) -> Self {
        Self {
            keep,
            heap: std::collections::BinaryHeap::with_capacity(keep.min(1024) + 1),
        }
    }

    /// The score a document must beat to be kept (documents come in increasing order, so an
    /// equal score loses to the one already kept).
    fn threshold(&self) -> Option<Score> {
        if self.heap.len() < self.keep {
            None
        } else {
            self.heap.peek().map(|e| e.score)
        }
    }

    fn push(&mut self, score: Score, doc: DocId) {
        if self.keep == 0 {
            return;
        }
        if self.threshold().is_some_and(|t| score <= t) {
            return;
        }
        self.heap.push(Entry { score, doc });
        if self.heap.len() > self.keep {
            self.heap.pop();
        }
    }
}

/// The documents of a required syllable in one segment.
// A query holds a handful of these, built once per segment; boxing the postings would add an
// indirection to every step of the candidate loop.
#[expect(
    clippy::large_enum_variant,
    reason = "few values, read in the hot loop"
)]
enum Syllable {
    /// The syllable's postings.
    Exact(SegmentPostings),
    /// The public documents holding a syllable one edit away from a fuzzy one, and their
    /// number.
    Fuzzy(BitSetDocSet, u32),
}

impl Syllable {
    /// The documents in `docs` (public ones) holding a syllable one edit away from `term`, or
    /// `None` when there are none.
    fn fuzzy(
        reader: &SegmentReader,
        term: &Term,
        docs: std::ops::Range<DocId>,
    ) -> tantivy::Result<Option<Self>> {
        let std::ops::Range { start, end } = docs;
        let inverted = reader.inverted_index(term.field())?;
        let automaton = FuzzyTermQuery::new(term.clone(), FUZZY_DISTANCE, true).automaton()?;
        let mut stream = inverted.terms().search(automaton).into_stream()?;
        let mut docs = BitSet::with_max_value(end);
        while stream.advance() {
            let mut postings =
                inverted.read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)?;
            let mut doc = if postings.doc() < start {
                postings.seek(start)
            } else {
                postings.doc()
            };
            while doc < end {
                docs.insert(doc);
                doc = postings.advance();
            }
        }
        let size = docs.len() as u32;
        Ok((size > 0).then(|| Syllable::Fuzzy(BitSetDocSet::from(docs), size)))
    }

    /// How many documents it holds (public or not, for an exact syllable): the rarest leads.
    fn size(&self) -> u32 {
        match self {
            Syllable::Exact(postings) => postings.doc_freq(),
            Syllable::Fuzzy(_, size) => *size,
        }
    }

    fn doc(&self) -> DocId {
        match self {
            Syllable::Exact(postings) => postings.doc(),
            Syllable::Fuzzy(docs, _) => docs.doc(),
        }
    }

    fn advance(&mut self) -> DocId {
        match self {
            Syllable::Exact(postings) => postings.advance(),
            Syllable::Fuzzy(docs, _) => docs.advance(),
        }
    }

    /// The first document at or after `target`, which is at or after the current one.
    fn seek(&mut self, target: DocId) -> DocId {
        match self {
            Syllable::Exact(postings) => postings.seek(target),
            Syllable::Fuzzy(docs, _) => docs.seek(target),
        }
    }

    /// The frequency of the syllable in the current document; 0 for a fuzzy one, which bounds
    /// nothing (no pair or accent of a syllable that no document holds can occur).
    fn term_freq(&self) -> u32 {
        match self {
            Syllable::Exact(postings) => postings.term_freq(),
            Syllable::Fuzzy(..) => 0,
        }
    }
}

/// A score-only clause's postings in one segment, opened when first needed.
struct Lazy<'a> {
    reader: &'a SegmentReader,
    term: &'a Term,
    postings: Option<Option<SegmentPostings>>,
}

impl<'a> Lazy<'a> {
    fn new(reader: &'a SegmentReader, term: &'a Term) -> Self {
        Self {
            reader,
            term,
            postings: None,
        }
    }

    /// The term's frequency in `doc` (0 when absent); calls come in increasing `doc` order.
    fn term_freq(&mut self, doc: DocId) -> tantivy::Result<u32> {
        if self.postings.is_none() {
            let postings = self
                .reader
                .inverted_index(self.term.field())?
                .read_postings(self.term, IndexRecordOption::WithFreqs)?;
            self.postings = Some(postings);
        }
        let Some(Some(postings)) = self.postings.as_mut() else {
            return Ok(0);
        };
        let at = if postings.doc() < doc {
            postings.seek(doc)
        } else {
            postings.doc()
        };
        Ok(if at == doc { postings.term_freq() } else { 0 })
    }
}

fn fieldnorms(reader: &SegmentReader, term: Option<&Term>) -> tantivy::Result<FieldNormReader> {
    match term {
        Some(term) => reader.get_fieldnorms_reader(term.field()),
        // No clause of that field: never read.
        None => Ok(FieldNormReader::constant(reader.max_doc(), 1)),
    }
}

/// The best `keep` of a segment's documents in `docs` (public ones) that hold every syllable,
/// and what `counts` makes of all of them.
fn segment_top(
    plain: &Plain,
    weights: &Weights,
    ord: SegmentOrdinal,
    reader: &SegmentReader,
    docs: std::ops::Range<DocId>,
    keep: usize,
    mut counts: SegmentFacetCounts,
) -> tantivy::Result<(Vec<(Score, DocAddress)>, FacetFruit)> {
    let std::ops::Range { start, end } = docs;
    if end <= start {
        return Ok((Vec::new(), counts.harvest()));
    }
    // The syllables' documents (with their place in the query), rarest first: the rarest
    // leads, the others are sought to it.
    let mut syllables = Vec::with_capacity(plain.syllables.len());
    for (k, term) in plain.syllables.iter().enumerate() {
        let docs = if plain.fuzzy.get(k) == Some(&true) {
            Syllable::fuzzy(reader, term, start..end)?
        } else {
            reader
                .inverted_index(term.field())?
                .read_postings(term, IndexRecordOption::WithFreqs)?
                .map(Syllable::Exact)
        };
        let Some(docs) = docs else {
            return Ok((Vec::new(), counts.harvest()));
        };
        syllables.push((k, docs));
    }
    syllables.sort_by_key(|(_, docs)| docs.size());
    let extras: Vec<Extra> = plain.extras().collect();
    let mut segment = Segment {
        weights,
        folded_norms: fieldnorms(reader, plain.syllables.first())?,
        pair_norms: fieldnorms(reader, plain.pairs.first().map(|(t, _, _)| t))?,
        accent_norms: fieldnorms(reader, plain.accents.first().map(|(t, _)| t))?,
        postings: extras.iter().map(|e| Lazy::new(reader, e.term())).collect(),
        parts: vec![0.0; extras.len()],
        extras,
        freqs: vec![0; plain.syllables.len()],
        best: Best::new(keep),
    };
    let alive = reader.alive_bitset();
    let (lead, others) = syllables.split_at_mut(1);
    let (lead_k, lead) = (lead[0].0, &mut lead[0].1);
    let mut doc = if lead.doc() < start {
        lead.seek(start)
    } else {
        lead.doc()
    };
    'candidates: while doc < end {
        for (_, postings) in others.iter_mut() {
            // A syllable may already be past `doc` (it was sought to an earlier candidate).
            let at = if postings.doc() < doc {
                postings.seek(doc)
            } else {
                postings.doc()
            };
            if at > doc {
                doc = if at >= end { TERMINATED } else { lead.seek(at) };
                continue 'candidates;
            }
        }
        if alive.is_none_or(|a| a.is_alive(doc)) {
            counts.collect(doc, 0.0);
            segment.freqs[lead_k] = lead.term_freq();
            for (k, postings) in others.iter() {
                segment.freqs[*k] = postings.term_freq();
            }
            segment.consider(doc)?;
        }
        doc = lead.advance();
    }
    let best = segment
        .best
        .heap
        .into_iter()
        .map(|e| (e.score, DocAddress::new(ord, e.doc)))
        .collect();
    Ok((best, counts.harvest()))
}

/// The state of one segment's ranking.
struct Segment<'a> {
    weights: &'a Weights,
    folded_norms: FieldNormReader,
    pair_norms: FieldNormReader,
    accent_norms: FieldNormReader,
    extras: Vec<Extra<'a>>,
    postings: Vec<Lazy<'a>>,
    /// The current document's score of each pair and accent, or its bound while not sought.
    parts: Vec<Score>,
    /// The current document's frequency of each syllable, in query order.
    freqs: Vec<u32>,
    best: Best,
}

impl Segment<'_> {
    /// Ranks `doc`, which holds every syllable with the frequencies in `freqs`.
    fn consider(&mut self, doc: DocId) -> tantivy::Result<()> {
        let w = self.weights;
        let folded_norm = self.folded_norms.fieldnorm_id(doc);
        let mut syllables: Score = 0.0;
        for (weight, tf) in w.syllables.iter().zip(&self.freqs) {
            syllables += weight.score(folded_norm, *tf);
        }
        let accent_norm = self.accent_norms.fieldnorm_id(doc);
        let pair_norm = self.pair_norms.fieldnorm_id(doc);
        let norm = |extra: &Extra| match extra {
            Extra::Pair(..) => pair_norm,
            Extra::Accent(..) => accent_norm,
        };
        let Some(threshold) = self.best.threshold() else {
            for (k, extra) in self.extras.iter().enumerate() {
                let tf = self.postings[k].term_freq(doc)?;
                self.parts[k] = w.extras[k].score(norm(extra), tf);
            }
            self.best.push(total(syllables, &self.parts), doc);
            return Ok(());
        };
        // What each pair and accent can add at most: scored with the frequency it cannot
        // exceed. Then, rarest first, each is sought and its bound replaced by its score, until
        // the document cannot beat the threshold or is scored in full. The parts are always
        // summed in the same order, so the bound is never below the score (BM25 and float
        // addition are both monotone).
        for (k, extra) in self.extras.iter().enumerate() {
            self.parts[k] = w.extras[k].score(norm(extra), extra.bound(&self.freqs));
        }
        if total(syllables, &self.parts) <= threshold {
            return Ok(());
        }
        for &k in &w.order {
            let tf = self.postings[k].term_freq(doc)?;
            self.parts[k] = w.extras[k].score(norm(&self.extras[k]), tf);
            if total(syllables, &self.parts) <= threshold {
                return Ok(());
            }
        }
        self.best.push(total(syllables, &self.parts), doc);
        Ok(())
    }
}

/// A document's score: its syllables' and then each part in order.
fn total(syllables: Score, parts: &[Score]) -> Score {
    parts.iter().fold(syllables, |sum, part| sum + part)
}
