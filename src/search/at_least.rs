//! A query that matches the documents matching at least `k` of `n` clauses, scored by the sum
//! of the scores of the clauses they match, at the cost of the rarest clauses only.
//!
//! A document matching `k` of `n` clauses matches at least one of any `n - k + 1` of them, so
//! in particular one of the `n - k + 1` rarest. Those lead: their union gives the candidates,
//! and each candidate is checked by seeking the other clauses to it, most selective first,
//! stopping as soon as the count can no longer reach `k`. tantivy's own minimum-match
//! disjunction walks every posting of every clause through a heap, which at a million
//! documents costs more than all the rest of a search when one word of the query is common.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// Matches documents that match at least `required` of `clauses`.
#[derive(Debug)]
pub struct AtLeast {
    clauses: Vec<Box<dyn Query>>,
    required: usize,
}

impl AtLeast {
    /// `required` of `clauses` (at least one; more than there are clauses matches nothing).
    pub fn new(clauses: Vec<Box<dyn Query>>, required: usize) -> Self {
        Self {
            clauses,
            required: required.max(1),
        }
    }
}

impl Clone for AtLeast {
    fn clone(&self) -> Self {
        Self {
            clauses: self.clauses.iter().map(|c| c.box_clone()).collect(),
            required: self.required,
        }
    }
}

impl Query for AtLeast {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .clauses
            .iter()
            .map(|clause| clause.weight(enable_scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(AtLeastWeight {
            weights,
            required: self.required,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct AtLeastWeight {
    weights: Vec<Box<dyn Weight>>,
    required: usize,
}

impl Weight for AtLeastWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let scorers = self
            .weights
            .iter()
            .map(|weight| weight.scorer(reader, boost))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(AtLeastScorer::new(scorers, self.required)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new(
            "sum of the matching clauses",
            scorer.score(),
        ))
    }
}

/// The scorer of [`AtLeast`] on one segment.
pub struct AtLeastScorer {
    /// The `n - k + 1` rarest clauses: every match is in their union.
    lead: Vec<Box<dyn Scorer>>,
    /// The other clauses, rarest first.
    rest: Vec<Box<dyn Scorer>>,
    required: usize,
    doc: DocId,
    score: Score,
}

impl AtLeastScorer {
    fn new(mut scorers: Vec<Box<dyn Scorer>>, required: usize) -> Self {
        let mut scorer = if required > scorers.len() {
            Self {
                lead: Vec::new(),
                rest: Vec::new(),
                required,
                doc: TERMINATED,
                score: 0.0,
            }
        } else {
            scorers.sort_by_key(|s| s.cost());
            let rest = scorers.split_off(scorers.len() - required + 1);
            Self {
                lead: scorers,
                rest,
                required,
                doc: 0,
                score: 0.0,
            }
        };
        if !scorer.lead.is_empty() {
            scorer.find();
        }
        scorer
    }

    /// Moves to the first match at or after the lead clauses' current documents.
    fn find(&mut self) -> DocId {
        loop {
            let candidate = self
                .lead
                .iter()
                .map(|s| s.doc())
                .min()
                .unwrap_or(TERMINATED);
            if candidate == TERMINATED {
                self.doc = TERMINATED;
                return TERMINATED;
            }
            let mut count = self.lead.iter().filter(|s| s.doc() == candidate).count();
            let others = self.rest.len();
            for (k, scorer) in self.rest.iter_mut().enumerate() {
                if count >= self.required || count + (others - k) < self.required {
                    break;
                }
                if scorer.doc() < candidate {
                    scorer.seek(candidate);
                }
                if scorer.doc() == candidate {
                    count += 1;
                }
            }
            if count >= self.required {
                // The clauses not needed for the count still add to the score.
                for scorer in &mut self.rest {
                    if scorer.doc() < candidate {
                        scorer.seek(candidate);
                    }
                }
                self.score = self.score_at(candidate);
                self.doc = candidate;
                return candidate;
            }
            for scorer in &mut self.lead {
                if scorer.doc() == candidate {
                    scorer.advance();
                }
            }
        }
    }

    /// The sum of the scores of the clauses positioned on `doc`.
    fn score_at(&mut self, doc: DocId) -> Score {
        self.lead
            .iter_mut()
            .chain(self.rest.iter_mut())
            .filter(|s| s.doc() == doc)
            .map(|s| s.score())
            .sum()
    }
}

impl DocSet for AtLeastScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let current = self.doc;
        for scorer in &mut self.lead {
            if scorer.doc() == current {
                scorer.advance();
            }
        }
        self.find()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for scorer in &mut self.lead {
            if scorer.doc() < target {
                scorer.seek(target);
            }
        }
        self.find()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.lead.iter().map(|s| s.size_hint()).sum()
    }

    fn cost(&self) -> u64 {
        self.lead.iter().map(|s| s.cost()).sum()
    }
}

impl Scorer for AtLeastScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}
