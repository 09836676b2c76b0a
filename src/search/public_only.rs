//! Public documents only, at no cost per document.
//!
//! The index is sorted on the `public` fast field, largest first (see
//! [`super::index_settings`]), so in every segment the documents anyone may read come first:
//! they are the documents before the first one whose `public` is 0. [`PublicOnly`] finds that
//! boundary once per segment (a binary search of the column) and stops its query there, where
//! a filter on a visibility term would check every candidate against a posting list holding
//! half of the index.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// Name of the fast field the index is sorted on: 1 for a public document, 0 otherwise.
pub const PUBLIC_FIELD: &str = "public";

/// The documents of `inner` that are public.
#[derive(Debug)]
pub struct PublicOnly {
    inner: Box<dyn Query>,
    block_max: bool,
}

impl PublicOnly {
    /// Restricts `inner` to public documents.
    pub fn new(inner: Box<dyn Query>) -> Self {
        Self {
            inner,
            block_max: false,
        }
    }

    /// Restricts `inner`, a term or an intersection of terms, to public documents; the best
    /// results are then found by tantivy's block-max WAND, which skips the blocks of postings
    /// that cannot make the top (for other queries, it would score every document of the
    /// segment, public or not).
    pub fn with_block_max(inner: Box<dyn Query>) -> Self {
        Self {
            inner,
            block_max: true,
        }
    }
}

impl Clone for PublicOnly {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.box_clone(),
            block_max: self.block_max,
        }
    }
}

impl Query for PublicOnly {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(PublicOnlyWeight {
            inner: self.inner.weight(enable_scoring)?,
            block_max: self.block_max,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

/// The number of public documents of a segment: the first `n` ones, the index being sorted.
/// A segment never changes once written, so the answer is remembered by segment.
pub fn public_end(reader: &SegmentReader) -> tantivy::Result<DocId> {
    let id = reader.segment_id();
    if let Some(end) = PUBLIC_ENDS
        .lock()
        .ok()
        .and_then(|ends| ends.get(&id).copied())
    {
        return Ok(end);
    }
    let end = find_public_end(reader);
    if let Ok(mut ends) = PUBLIC_ENDS.lock() {
        // Segments merged away are forgotten now and then (an index has tens of segments).
        if ends.len() >= REMEMBERED_SEGMENTS {
            ends.clear();
        }
        ends.insert(id, end);
    }
    Ok(end)
}

/// How many segments [`public_end`] remembers before it starts afresh.
const REMEMBERED_SEGMENTS: usize = 4096;

static PUBLIC_ENDS: LazyLock<Mutex<HashMap<SegmentId, DocId>>> = LazyLock::new(Mutex::default);

/// The first document whose `public` is not 1, by binary search of the sorted column.
fn find_public_end(reader: &SegmentReader) -> DocId {
    let Some(column) = reader.fast_fields().u64(PUBLIC_FIELD).ok() else {
        return 0;
    };
    let (mut low, mut high) = (0, reader.max_doc());
    while low < high {
        let mid = low + (high - low) / 2;
        if column.first(mid).unwrap_or(0) == 1 {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    low
}

struct PublicOnlyWeight {
    inner: Box<dyn Weight>,
    block_max: bool,
}

impl Weight for PublicOnlyWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let end = public_end(reader)?;
        let inner = self.inner.scorer(reader, boost)?;
        Ok(Box::new(Prefix::new(inner, end)))
    }

    /// The inner query's own pruning (block-max WAND for terms), told to stop at the first
    /// document that is not public: from there on, no document can pass the threshold.
    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        if !self.block_max {
            // tantivy's default (not public): every document of the prefix, scored.
            let mut scorer = self.scorer(reader, 1.0)?;
            let mut threshold = threshold;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                let score = scorer.score();
                if score > threshold {
                    threshold = callback(doc, score);
                }
                doc = scorer.advance();
            }
            return Ok(());
        }
        let end = public_end(reader)?;
        if end == 0 {
            return Ok(());
        }
        self.inner
            .for_each_pruning(threshold, reader, &mut |doc, score| {
                if doc >= end {
                    Score::MAX
                } else {
                    callback(doc, score)
                }
            })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if doc >= public_end(reader)? {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is not public"
            )));
        }
        self.inner.explain(reader, doc)
    }
}

/// The documents of a scorer before `end`.
struct Prefix {
    inner: Box<dyn Scorer>,
    end: DocId,
    done: bool,
}

impl Prefix {
    fn new(inner: Box<dyn Scorer>, end: DocId) -> Self {
        let done = inner.doc() >= end;
        Self { inner, end, done }
    }

    fn check(&mut self, doc: DocId) -> DocId {
        if doc >= self.end {
            self.done = true;
            TERMINATED
        } else {
            doc
        }
    }
}

impl DocSet for Prefix {
    fn advance(&mut self) -> DocId {
        if self.done {
            return TERMINATED;
        }
        let doc = self.inner.advance();
        self.check(doc)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.done || target >= self.end {
            self.done = true;
            return TERMINATED;
        }
        let doc = self.inner.seek(target);
        self.check(doc)
    }

    fn doc(&self) -> DocId {
        if self.done {
            TERMINATED
        } else {
            self.inner.doc()
        }
    }

    /// The inner scorer's block, cut at the end of the public documents.
    fn fill_buffer(&mut self, buffer: &mut [DocId; tantivy::COLLECT_BLOCK_BUFFER_LEN]) -> usize {
        if self.done {
            return 0;
        }
        let n = self.inner.fill_buffer(buffer);
        let kept = buffer[..n].partition_point(|&doc| doc < self.end);
        if kept < n || n == 0 {
            self.done = true;
        }
        kept
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint().min(self.end)
    }

    fn cost(&self) -> u64 {
        self.inner.cost().min(u64::from(self.end))
    }
}

impl Scorer for Prefix {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}
