//! Personal data in free text: phone, citizen ID and bank account numbers, e-mail addresses and
//! house addresses, typed with or without diacritics.

use std::sync::LazyLock;

use regex::Regex;

use super::folded::Folded;
use super::{Finding, FlagKind, address, numbers};

/// E-mail addresses (folded text, so "Nguyễn@..." is found too).
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)[a-z0-9](?:[a-z0-9._%+\-]*[a-z0-9_])?@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,24}(?-u:\b)",
    )
    .expect("email regex")
});

/// Finds the personal data of `text`, sorted by start, without overlaps.
///
/// Offsets are byte offsets into `text` (which should be NFC, as gopy stores it).
pub fn personal_data(text: &str) -> Vec<Finding> {
    let folded = Folded::new(text);
    find(&folded)
}

pub(crate) fn find(folded: &Folded<'_>) -> Vec<Finding> {
    let mut all: Vec<Finding> = EMAIL
        .find_iter(&folded.text)
        .filter_map(|m| folded.finding(FlagKind::Email, m.start(), m.end()))
        .collect();
    all.extend(numbers::find(folded));
    all.extend(address::find(folded));
    without_overlaps(all)
}

/// Which of two overlapping findings wins: the more specific kind, then the longer span.
fn rank(kind: FlagKind) -> u8 {
    match kind {
        FlagKind::Email => 5,
        FlagKind::BankAccount => 4,
        FlagKind::CitizenId => 3,
        FlagKind::Phone => 2,
        FlagKind::Address => 1,
        _ => 0,
    }
}

/// Keeps, among overlapping findings, the one of highest rank (longest on a tie).
pub(crate) fn without_overlaps(mut all: Vec<Finding>) -> Vec<Finding> {
    all.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let mut out: Vec<Finding> = Vec::with_capacity(all.len());
    for f in all {
        // `out` is sorted and non-overlapping, so the findings `f` overlaps form its tail.
        let first = out.partition_point(|o| o.end <= f.start);
        let beats_all = out[first..]
            .iter()
            .all(|o| (rank(f.kind), f.end - f.start) > (rank(o.kind), o.end - o.start));
        if beats_all {
            out.truncate(first);
            out.push(f);
        }
    }
    out
}
