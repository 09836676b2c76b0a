//! Near-duplicate texts: form letters with a word changed, the same comment with other
//! punctuation or without diacritics.
//!
//! Each text gets a 64-bit SimHash over its shingles of three consecutive syllables of the
//! folded text, so marks, case and punctuation do not count and a changed word changes only
//! the three shingles that contain it. Two texts are near-duplicates when their fingerprints
//! differ in at most [`NEAR_DUPLICATE_MAX_DISTANCE`] bits.

use std::collections::HashMap;
use std::hash::Hash;

use crate::domain::text::fold;

/// Largest number of differing bits between the fingerprints of two near-duplicate texts.
///
/// Chosen on the generated comments of `tests/fixtures/screening/corpus-sample.jsonl`, whose
/// texts share template sentences (the test
/// `near_duplicate_distance_separates_variants_from_other_comments` measures it): at 8 bits,
/// more than eight in ten variants of a long comment (a name changed, the last sentence
/// dropped, diacritics removed, punctuation changed) are within reach of the original, and the
/// rest join through the other variants, while among the 1.1 million pairs of the first 1,500
/// comments only 7 pairs of distinct texts are that close, each sharing more than half of its
/// shingles. At 10 bits, pairs sharing less than half of their shingles start to join; at 6, a
/// quarter of the variants fall out of reach.
pub const NEAR_DUPLICATE_MAX_DISTANCE: u32 = 8;

/// Syllables per shingle.
const SHINGLE: usize = 3;

/// The SimHash fingerprint of `text` (0 for a text without letters or digits).
///
/// Stable across releases and platforms (FNV-1a and a fixed mixer, no random seeds), so it can
/// be stored.
pub fn fingerprint(text: &str) -> u64 {
    let folded = fold(text);
    let syllables: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect();
    if syllables.is_empty() {
        return 0;
    }
    // Each distinct shingle counts once: a sentence said twice does not weigh double.
    let width = SHINGLE.min(syllables.len());
    let mut hashes: Vec<u64> = syllables.windows(width).map(shingle_hash).collect();
    hashes.sort_unstable();
    hashes.dedup();
    let mut weights = [0i32; 64];
    for h in hashes {
        for (bit, weight) in weights.iter_mut().enumerate() {
            if h >> bit & 1 == 1 {
                *weight += 1;
            } else {
                *weight -= 1;
            }
        }
    }
    weights
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0)
        .fold(0u64, |print, (bit, _)| print | 1 << bit)
}

/// Number of bits in which two fingerprints differ.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Groups the ids whose fingerprints are near-duplicates, transitively; each group has at
/// least two ids, in input order, and groups come in the order of their first id.
///
/// Identical fingerprints are merged first; the rest are compared only within buckets that
/// share one of `NEAR_DUPLICATE_MAX_DISTANCE + 1` bands of bits (two fingerprints within the
/// distance agree on at least one band), so 10,000 texts take milliseconds, not 50 million
/// comparisons.
pub fn group_near_duplicates<T: Copy + Eq + Hash>(items: &[(T, u64)]) -> Vec<Vec<T>> {
    let mut unique: Vec<u64> = Vec::new();
    let mut slot_of: HashMap<u64, usize> = HashMap::new();
    let slots: Vec<usize> = items
        .iter()
        .map(|&(_, print)| {
            *slot_of.entry(print).or_insert_with(|| {
                unique.push(print);
                unique.len() - 1
            })
        })
        .collect();
    let mut sets = UnionFind::new(unique.len());
    let bands = NEAR_DUPLICATE_MAX_DISTANCE as usize + 1;
    for band in 0..bands {
        let (shift, width) = band_bits(band, bands);
        let mask = if width >= 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
        for (slot, print) in unique.iter().enumerate() {
            buckets.entry(print >> shift & mask).or_default().push(slot);
        }
        for bucket in buckets.values() {
            for (k, &a) in bucket.iter().enumerate() {
                for &b in &bucket[k + 1..] {
                    if hamming(unique[a], unique[b]) <= NEAR_DUPLICATE_MAX_DISTANCE {
                        sets.union(a, b);
                    }
                }
            }
        }
    }
    let mut group_of_root: HashMap<usize, usize> = HashMap::new();
    let mut groups: Vec<Vec<T>> = Vec::new();
    for (&(id, _), &slot) in items.iter().zip(&slots) {
        let root = sets.find(slot);
        let g = *group_of_root.entry(root).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(id);
    }
    groups.retain(|g| g.len() >= 2);
    groups
}

/// The first bit and width of band `band` of `bands` (widths differ by at most one).
fn band_bits(band: usize, bands: usize) -> (usize, usize) {
    let base = 64 / bands;
    let extra = 64 % bands;
    let start = band * base + band.min(extra);
    let width = base + usize::from(band < extra);
    (start, width)
}

/// FNV-1a over the syllables (separated by a space), then the SplitMix64 finalizer so that
/// every output bit depends on every input byte.
fn shingle_hash(shingle: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, syllable) in shingle.iter().enumerate() {
        if i > 0 {
            h ^= u64::from(b' ');
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in syllable.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Disjoint sets over `0..n`, with path halving and union by size.
struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}
