//! Facet counts and the number of results in one pass over the matching documents.
//!
//! Each facet is a string fast field. Per segment, a document's values are read as term
//! ordinals and counted in a plain array indexed by ordinal; only the ordinals that were
//! counted are turned back into text, once per segment, when the segment is done. This costs
//! a few array increments per matching document, where a generic terms aggregation builds its
//! buckets through a hash map for every value it meets.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts the documents matched and the values of the named string fast fields.
pub struct FacetCounts {
    fields: Vec<&'static str>,
}

impl FacetCounts {
    /// Counts the values of `fields` (string fields indexed as `FAST`).
    pub fn new(fields: &[&'static str]) -> Self {
        Self {
            fields: fields.to_vec(),
        }
    }
}

/// What [`FacetCounts`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FacetFruit {
    /// Documents matched.
    pub total: usize,
    /// Per field (in the order given), value → documents carrying it.
    pub counts: Vec<HashMap<String, u64>>,
}

impl FacetFruit {
    /// The `limit` most frequent values of field number `k`, most frequent first (ties in
    /// alphabetical order, so that the same results always list the same way).
    pub fn top(&self, k: usize, limit: usize) -> Vec<(String, u64)> {
        let mut values: Vec<(String, u64)> = self
            .counts
            .get(k)
            .map(|m| m.iter().map(|(v, n)| (v.clone(), *n)).collect())
            .unwrap_or_default();
        values.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        values.truncate(limit);
        values
    }
}

/// One segment's counts.
pub struct SegmentFacetCounts {
    total: usize,
    columns: Vec<Option<(StrColumn, Vec<u32>)>>,
    /// Room for one block of documents' ordinals (see `collect_block`).
    ords: Vec<Option<u64>>,
    /// Documents handed over one at a time (with scoring), counted a block at a time.
    pending: Vec<DocId>,
}

impl Collector for FacetCounts {
    type Fruit = FacetFruit;
    type Child = SegmentFacetCounts;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounts> {
        let mut columns = Vec::with_capacity(self.fields.len());
        for name in &self.fields {
            columns.push(reader.fast_fields().str(name)?.map(|column| {
                let terms = column.num_terms();
                (column, vec![0u32; terms])
            }));
        }
        Ok(SegmentFacetCounts {
            total: 0,
            columns,
            ords: vec![None; tantivy::COLLECT_BLOCK_BUFFER_LEN],
            pending: Vec::with_capacity(tantivy::COLLECT_BLOCK_BUFFER_LEN),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetFruit>) -> tantivy::Result<FacetFruit> {
        let mut merged = FacetFruit {
            total: 0,
            counts: vec![HashMap::new(); self.fields.len()],
        };
        for fruit in fruits {
            merged.total += fruit.total;
            for (into, from) in merged.counts.iter_mut().zip(fruit.counts) {
                for (value, n) in from {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentFacetCounts {
    /// Counts the documents waiting in `pending`.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let docs = std::mem::take(&mut self.pending);
        self.collect_block(&docs);
        self.pending = docs;
        self.pending.clear();
    }
}

impl SegmentCollector for SegmentFacetCounts {
    type Fruit = FacetFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if self.columns.is_empty() {
            self.total += 1;
            return;
        }
        self.pending.push(doc);
        if self.pending.len() >= tantivy::COLLECT_BLOCK_BUFFER_LEN {
            self.flush();
        }
    }

    /// Without scoring, tantivy hands over blocks of documents: a column with at most one
    /// value a document reads the whole block's ordinals at once.
    fn collect_block(&mut self, docs: &[DocId]) {
        self.total += docs.len();
        for (column, counts) in self.columns.iter_mut().flatten() {
            let ords = column.ords();
            if ords.get_cardinality() == Cardinality::Multivalued || docs.len() > self.ords.len() {
                for &doc in docs {
                    for ord in ords.values_for_doc(doc) {
                        if let Some(n) = counts.get_mut(ord as usize) {
                            *n += 1;
                        }
                    }
                }
                continue;
            }
            let block = &mut self.ords[..docs.len()];
            block.fill(None);
            ords.first_vals(docs, block);
            for ord in block.iter().flatten() {
                if let Some(n) = counts.get_mut(*ord as usize) {
                    *n += 1;
                }
            }
        }
    }

    fn harvest(mut self) -> FacetFruit {
        self.flush();
        let mut counts = Vec::with_capacity(self.columns.len());
        for column in self.columns {
            let mut values = HashMap::new();
            if let Some((column, ords)) = column {
                let mut text = String::new();
                for (ord, n) in ords.into_iter().enumerate() {
                    if n == 0 {
                        continue;
                    }
                    text.clear();
                    if column.ord_to_str(ord as u64, &mut text).unwrap_or(false) {
                        values.insert(text.clone(), u64::from(n));
                    }
                }
            }
            counts.push(values);
        }
        FacetFruit {
            total: self.total,
            counts,
        }
    }
}
