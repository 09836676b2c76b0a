//! Tests of the query pieces gopy adds to tantivy ([`AtLeast`], [`PublicOnly`],
//! [`FacetCounts`]), on the real schema and settings, against answers computed by brute force.

use std::collections::{BTreeSet, HashMap};

use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{AllQuery, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::at_least::AtLeast;
use super::documents::{MODERATORS, PUBLIC, mark_public};
use super::facets::FacetCounts;
use super::public_only::PublicOnly;
use super::{Fields, SearchIndex};

const WORDS: [&str; 6] = ["cay", "xanh", "duong", "ngap", "cau", "rac"];

/// xorshift: the same documents every run.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

struct Sample {
    words: BTreeSet<&'static str>,
    public: bool,
    stance: &'static str,
}

/// 600 documents over several commits (several segments), ids `d0`, `d1` ...
fn sample() -> (tempfile::TempDir, SearchIndex, Vec<Sample>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = SearchIndex::open_or_create(dir.path()).expect("index");
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut samples = Vec::new();
    index
        .with_writer(|writer, f: Fields| {
            // Several segments, merged only when a test says so.
            writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
            for k in 0..600 {
                let words: BTreeSet<&str> = WORDS
                    .iter()
                    .copied()
                    .filter(|_| rng.below(3) == 0)
                    .collect();
                let public = rng.below(2) == 0;
                let stance = ["support", "oppose", "question"][rng.below(3) as usize];
                let mut doc = TantivyDocument::default();
                doc.add_text(f.id, format!("d{k}"));
                doc.add_text(f.kind, "comment");
                doc.add_text(
                    f.folded,
                    words.iter().copied().collect::<Vec<_>>().join(" "),
                );
                doc.add_text(f.stance, stance);
                doc.add_text(f.visibility, if public { PUBLIC } else { MODERATORS });
                let mut docs = [doc];
                mark_public(f, &mut docs);
                let [doc] = docs;
                writer.add_document(doc)?;
                samples.push(Sample {
                    words,
                    public,
                    stance,
                });
                if k % 150 == 149 {
                    writer.commit()?;
                }
            }
            Ok(())
        })
        .expect("indexed");
    index.reload().expect("reload");
    assert!(
        index.searcher().segment_readers().len() > 1,
        "several segments"
    );
    (dir, index, samples)
}

fn ids(index: &SearchIndex, query: &dyn Query) -> BTreeSet<String> {
    let searcher = index.searcher();
    let f = index.fields();
    searcher
        .search(query, &DocSetCollector)
        .expect("search")
        .into_iter()
        .map(|address| {
            let doc: TantivyDocument = searcher.doc(address).expect("doc");
            doc.get_first(f.id)
                .and_then(|v| v.as_str())
                .expect("id")
                .to_owned()
        })
        .collect()
}

fn word(f: Fields, w: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(f.folded, w),
        IndexRecordOption::WithFreqs,
    ))
}

#[test]
fn at_least_matches_exactly_the_documents_with_enough_of_the_words() {
    let (_dir, index, samples) = sample();
    let f = index.fields();
    for words in [&WORDS[..3], &WORDS[..4], &WORDS[..]] {
        for required in 1..=words.len() + 1 {
            let query = AtLeast::new(words.iter().map(|w| word(f, w)).collect(), required);
            let expected: BTreeSet<String> = samples
                .iter()
                .enumerate()
                .filter(|(_, s)| words.iter().filter(|w| s.words.contains(*w)).count() >= required)
                .map(|(k, _)| format!("d{k}"))
                .collect();
            assert_eq!(ids(&index, &query), expected, "{required} of {words:?}");
        }
    }
}

#[test]
fn at_least_scores_as_the_sum_of_the_matching_words() {
    let (_dir, index, _) = sample();
    let f = index.fields();
    let searcher = index.searcher();
    let words = &WORDS[..4];
    let at_least = AtLeast::new(words.iter().map(|w| word(f, w)).collect(), 3);
    let any = tantivy::query::BooleanQuery::new(
        words
            .iter()
            .map(|w| (tantivy::query::Occur::Should, word(f, w)))
            .collect(),
    );
    let top = |query: &dyn Query| -> HashMap<tantivy::DocAddress, f32> {
        searcher
            .search(query, &TopDocs::with_limit(1000).order_by_score())
            .expect("search")
            .into_iter()
            .map(|(score, address)| (address, score))
            .collect()
    };
    let sums = top(&any);
    let found = top(&at_least);
    assert!(!found.is_empty());
    for (address, score) in found {
        assert!((sums[&address] - score).abs() < 1e-4, "{address:?}");
    }
}

#[test]
fn public_only_keeps_the_public_documents_of_every_segment() {
    let (_dir, index, samples) = sample();
    let f = index.fields();
    let public: BTreeSet<String> = samples
        .iter()
        .enumerate()
        .filter(|(_, s)| s.public)
        .map(|(k, _)| format!("d{k}"))
        .collect();
    assert_eq!(ids(&index, &PublicOnly::new(Box::new(AllQuery))), public);
    let cay: BTreeSet<String> = samples
        .iter()
        .enumerate()
        .filter(|(_, s)| s.public && s.words.contains("cay"))
        .map(|(k, _)| format!("d{k}"))
        .collect();
    assert_eq!(ids(&index, &PublicOnly::new(word(f, "cay"))), cay);
    // Still true once the segments are merged into one.
    let segments = index.index().searchable_segment_ids().expect("segments");
    index
        .with_writer(|writer, _| {
            writer.merge(&segments).wait()?;
            Ok(())
        })
        .expect("merged");
    index.reload().expect("reload");
    assert_eq!(index.searcher().segment_readers().len(), 1);
    assert_eq!(ids(&index, &PublicOnly::new(word(f, "cay"))), cay);
}

#[test]
fn facet_counts_count_the_values_of_the_documents_found() {
    let (_dir, index, samples) = sample();
    let f = index.fields();
    let searcher = index.searcher();
    let fruit = searcher
        .search(&*word(f, "ngap"), &FacetCounts::new(&["stance", "kind"]))
        .expect("search");
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.words.contains("ngap"))
        .collect();
    assert_eq!(fruit.total, found.len());
    let mut stances: HashMap<String, u64> = HashMap::new();
    for s in &found {
        *stances.entry(s.stance.to_owned()).or_default() += 1;
    }
    assert_eq!(fruit.counts[0], stances);
    assert_eq!(
        fruit.counts[1],
        HashMap::from([("comment".to_owned(), found.len() as u64)])
    );
    let top = fruit.top(0, 2);
    assert_eq!(top.len(), 2);
    assert!(top[0].1 >= top[1].1);
    // Counted alongside the top results (documents handed over one at a time, with scores),
    // the counts are the same.
    let (_, scored) = searcher
        .search(
            &*word(f, "ngap"),
            &(
                TopDocs::with_limit(5).order_by_score(),
                FacetCounts::new(&["stance", "kind"]),
            ),
        )
        .expect("search");
    assert_eq!(scored, fruit);
}

#[test]
fn public_only_with_block_max_finds_the_same_best_documents_and_counts() {
    let (_dir, index, samples) = sample();
    let f = index.fields();
    let searcher = index.searcher();
    let both = || -> Box<dyn Query> {
        Box::new(tantivy::query::BooleanQuery::new(vec![
            (tantivy::query::Occur::Must, word(f, "cay")),
            (tantivy::query::Occur::Must, word(f, "xanh")),
        ]))
    };
    let top = |query: &dyn Query, n: usize| -> Vec<(f32, tantivy::DocAddress)> {
        searcher
            .search(query, &TopDocs::with_limit(n).order_by_score())
            .expect("search")
    };
    let expected = samples
        .iter()
        .filter(|s| s.public && s.words.contains("cay") && s.words.contains("xanh"))
        .count();
    assert!(expected > 10);
    for n in [1, 5, expected] {
        let pruned = top(&PublicOnly::with_block_max(both()), n);
        let plain = top(&PublicOnly::new(both()), n);
        assert_eq!(pruned.len(), n.min(expected));
        for ((a, x), (b, y)) in pruned.iter().zip(&plain) {
            assert!((a - b).abs() < 1e-4, "{x:?} {a} against {y:?} {b}");
        }
    }
    // Counting, capped or not.
    let query = PublicOnly::with_block_max(both());
    assert_eq!(
        searcher
            .search(&query, &tantivy::collector::Count)
            .expect("count"),
        expected
    );
    assert_eq!(
        crate::services::search::count_up_to(&searcher, &query, 10_000).expect("count"),
        (expected, true)
    );
    assert_eq!(
        crate::services::search::count_up_to(&searcher, &query, 3).expect("count"),
        (3, false)
    );
    // The best documents of the whole query (with a word that only adds to the score), found
    // through the syllables' best and ranked again, are those of the whole query.
    let full = PublicOnly::new(Box::new(tantivy::query::BooleanQuery::new(vec![
        (tantivy::query::Occur::Must, word(f, "cay")),
        (tantivy::query::Occur::Must, word(f, "xanh")),
        (tantivy::query::Occur::Should, word(f, "rac")),
    ])));
    let again =
        crate::services::search::top_by_syllables(&searcher, &query, &[word(f, "rac")], 2, 5)
            .expect("top");
    let direct = searcher
        .search(
            &full,
            &TopDocs::with_limit(5).and_offset(2).order_by_score(),
        )
        .expect("search");
    assert_eq!(again.len(), 5);
    for ((a, _), (b, _)) in again.iter().zip(&direct) {
        assert!((a - b).abs() < 1e-4, "{a} against {b}");
    }
}
