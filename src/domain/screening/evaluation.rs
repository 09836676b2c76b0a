//! Measures the personal data detectors against labelled texts and holds them to their targets.
//!
//! Fixtures (`tests/fixtures/screening/`): `corpus-sample.jsonl`, generated comments whose
//! `pii` field lists the personal data each one holds, and `tricky.jsonl`, hand-written odd
//! writings and look-alikes. `GOPY_SCREENING_CORPUS=/path/to/corpus.jsonl` also measures a full
//! generator file. Run with `--nocapture` to see the figures.
//!
//! A labelled value counts as found when a predicted finding of the same kind overlaps it; a
//! predicted personal data finding that overlaps no labelled value is a false positive.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{FlagKind, personal_data};

/// Targets from the product issue.
const MIN_RECALL_NUMBERS: f64 = 0.99;
const MIN_RECALL_ADDRESS: f64 = 0.90;
const MIN_PRECISION: f64 = 0.95;

#[derive(Deserialize)]
struct Labelled {
    #[serde(rename = "type")]
    kind: Option<String>,
    body: Option<String>,
    #[serde(default)]
    pii: Vec<Truth>,
}

#[derive(Deserialize)]
struct Truth {
    kind: String,
    value: String,
}

#[derive(Default)]
struct Score {
    truths: BTreeMap<&'static str, (usize, usize)>,
    predicted: usize,
    false_positives: usize,
    texts: usize,
    misses: Vec<String>,
    wrong: Vec<String>,
}

impl Score {
    fn add(&mut self, body: &str, pii: &[Truth]) {
        self.texts += 1;
        let found = personal_data(body);
        let mut truth_spans: Vec<(FlagKind, usize, usize)> = Vec::new();
        for truth in pii {
            let kind = truth_kind(&truth.kind);
            let spans: Vec<(usize, usize)> = body
                .match_indices(truth.value.as_str())
                .map(|(at, v)| (at, at + v.len()))
                .collect();
            assert!(!spans.is_empty(), "value {:?} not in {body:?}", truth.value);
            let hit = spans.iter().any(|&(s, e)| {
                found
                    .iter()
                    .any(|f| f.kind == kind && f.start < e && s < f.end)
            });
            let counts = self.truths.entry(kind.as_str()).or_default();
            counts.0 += 1;
            if hit {
                counts.1 += 1;
            } else if self.misses.len() < 30 {
                self.misses.push(format!(
                    "{}: {:?} in {body:?} -> {found:?}",
                    kind.as_str(),
                    truth.value
                ));
            }
            truth_spans.extend(spans.into_iter().map(|(s, e)| (kind, s, e)));
        }
        for f in &found {
            self.predicted += 1;
            if !truth_spans
                .iter()
                .any(|&(_, s, e)| f.start < e && s < f.end)
            {
                self.false_positives += 1;
                if self.wrong.len() < 30 {
                    self.wrong
                        .push(format!("{}: {:?} in {body:?}", f.kind.as_str(), f.text));
                }
            }
        }
    }

    fn recall(&self, kind: FlagKind) -> Option<f64> {
        let &(total, hit) = self.truths.get(kind.as_str())?;
        (total > 0).then(|| hit as f64 / total as f64)
    }

    fn precision(&self) -> f64 {
        if self.predicted == 0 {
            return 1.0;
        }
        (self.predicted - self.false_positives) as f64 / self.predicted as f64
    }

    fn report(&self, name: &str) {
        println!("== {name}: {} texts", self.texts);
        for (kind, (total, hit)) in &self.truths {
            println!(
                "  recall {kind:<12} {hit:>6}/{total:<6} = {:.4}",
                *hit as f64 / (*total).max(1) as f64
            );
        }
        println!(
            "  precision (personal data) {}/{} = {:.4} ({} false positives)",
            self.predicted - self.false_positives,
            self.predicted,
            self.precision(),
            self.false_positives
        );
        for miss in &self.misses {
            println!("  MISSED {miss}");
        }
        for wrong in &self.wrong {
            println!("  WRONG  {wrong}");
        }
    }

    fn assert_targets(&self, name: &str) {
        for kind in [FlagKind::Phone, FlagKind::CitizenId, FlagKind::Email] {
            if let Some(recall) = self.recall(kind) {
                assert!(
                    recall >= MIN_RECALL_NUMBERS,
                    "{name}: recall of {kind:?} {recall:.4}"
                );
            }
        }
        if let Some(recall) = self.recall(FlagKind::Address) {
            assert!(
                recall >= MIN_RECALL_ADDRESS,
                "{name}: address recall {recall:.4}"
            );
        }
        let precision = self.precision();
        assert!(
            precision >= MIN_PRECISION,
            "{name}: precision {precision:.4}"
        );
    }
}

fn truth_kind(name: &str) -> FlagKind {
    match name {
        "cccd" => FlagKind::CitizenId,
        other => FlagKind::parse(other).unwrap_or_else(|| panic!("unknown kind {other:?}")),
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/screening")
        .join(name)
}

fn score_file(path: &Path) -> Score {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut score = Score::default();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: Labelled = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), n + 1));
        if row.kind.as_deref().is_some_and(|k| k != "submission") {
            continue;
        }
        let body = row.body.unwrap_or_default();
        score.add(&body, &row.pii);
    }
    score
}

#[test]
fn generated_comments_meet_the_recall_and_precision_targets() {
    let score = score_file(&fixture("corpus-sample.jsonl"));
    score.report("corpus-sample.jsonl");
    assert!(score.texts > 4000, "the fixture holds the whole sample");
    score.assert_targets("corpus-sample.jsonl");
}

#[test]
fn tricky_writings_and_look_alikes_meet_the_targets() {
    let score = score_file(&fixture("tricky.jsonl"));
    score.report("tricky.jsonl");
    assert!(score.texts >= 60);
    score.assert_targets("tricky.jsonl");
}

#[test]
fn a_full_generator_file_meets_the_targets_when_given() {
    let Ok(path) = std::env::var("GOPY_SCREENING_CORPUS") else {
        return;
    };
    let started = std::time::Instant::now();
    let score = score_file(Path::new(&path));
    score.report(&path);
    println!("  screened in {:.2?}", started.elapsed());
    score.assert_targets(&path);
}
