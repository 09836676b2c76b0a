//! Abusive language: whole words and phrases of a list, matched with their marks or, for plain
//! spellings, on words typed without marks.
//!
//! The list format is described in the header of `data/moderation/abuse-vi.txt`. Matching works
//! on words (runs of letters and digits), never inside a word, so "ngu" does not match
//! "nguyễn" or "nguồn", and the two-letter abbreviations ("dm", "vl", "cc") match only alone.

use std::collections::HashMap;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use super::{Finding, FlagKind};

/// The built-in list.
const BUILTIN: &str = include_str!("../../../data/moderation/abuse-vi.txt");

/// A list of abusive words and phrases, and of innocent phrases that contain them.
#[derive(Debug, Clone)]
pub struct AbuseList {
    entries: Vec<Entry>,
    /// Entry indexes by the squeezed first word of the entry.
    index: HashMap<String, Vec<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    words: Vec<String>,
    /// Written without marks: matches only words typed without marks.
    plain: bool,
    exception: bool,
}

/// One word of the screened text; its lowercase form is `Words::arena[lower.0..lower.1]`.
struct Word {
    start: usize,
    end: usize,
    lower: (usize, usize),
    /// Typed without Vietnamese marks.
    plain: bool,
}

/// The words of a text, their lowercase forms stored one after another in one string.
#[derive(Default)]
struct Words {
    arena: String,
    list: Vec<Word>,
}

impl Words {
    fn lower(&self, k: usize) -> &str {
        let (from, to) = self.list[k].lower;
        &self.arena[from..to]
    }
}

impl AbuseList {
    /// The list shipped with gopy (`data/moderation/abuse-vi.txt`).
    pub fn builtin() -> Self {
        static PARSED: LazyLock<AbuseList> = LazyLock::new(|| {
            AbuseList {
                entries: Vec::new(),
                index: HashMap::new(),
            }
            .with_extra(BUILTIN)
        });
        PARSED.clone()
    }

    /// Adds the entries of `extra_text` (one a line, `#` comments, `!` exceptions; see the
    /// header of the built-in list for the format).
    pub fn with_extra(mut self, extra_text: &str) -> Self {
        for line in extra_text.lines() {
            let Some(entry) = Entry::parse(line) else {
                continue;
            };
            let mut key = String::new();
            squeeze_into(&entry.words[0], &mut key);
            let same_start = self.index.entry(key).or_default();
            if same_start.iter().any(|&e| self.entries[e] == entry) {
                continue;
            }
            same_start.push(self.entries.len());
            self.entries.push(entry);
        }
        self
    }

    /// Number of entries (exceptions included).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Finds the abusive words and phrases of `text`, in text order, without overlaps.
    pub fn find(&self, text: &str) -> Vec<Finding> {
        let words = words(text);
        let mut hits: Vec<(usize, usize)> = Vec::new();
        let mut exceptions: Vec<(usize, usize)> = Vec::new();
        let mut key = String::new();
        for i in 0..words.list.len() {
            let mut best: Option<usize> = None;
            let lower = words.lower(i);
            let teen_form = teen(lower);
            let teen_key = words.list[i].plain && teen_form != lower;
            for form in [lower, teen_form]
                .into_iter()
                .take(1 + usize::from(teen_key))
            {
                squeeze_into(form, &mut key);
                let Some(candidates) = self.index.get(key.as_str()) else {
                    continue;
                };
                for &e in candidates {
                    let entry = &self.entries[e];
                    let Some(last) = entry.matches_at(&words, i, text) else {
                        continue;
                    };
                    let span = (words.list[i].start, words.list[last].end);
                    if entry.exception {
                        exceptions.push(span);
                    } else if best.is_none_or(|b| last > b) {
                        best = Some(last);
                    }
                }
            }
            if let Some(last) = best {
                hits.push((words.list[i].start, words.list[last].end));
            }
        }
        let mut out: Vec<Finding> = Vec::new();
        for (start, end) in hits {
            if exceptions.iter().any(|&(s, e)| s <= start && end <= e) {
                continue;
            }
            if out.last().is_some_and(|f| start < f.end) {
                continue;
            }
            out.push(Finding {
                kind: FlagKind::Abuse,
                start,
                end,
                text: text[start..end].to_owned(),
            });
        }
        out
    }
}

impl Entry {
    fn parse(line: &str) -> Option<Entry> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let (exception, body) = match line.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let body: String = body.nfc().collect::<String>().to_lowercase();
        let parsed = words(&body);
        let words: Vec<String> = (0..parsed.list.len())
            .map(|k| parsed.lower(k).to_owned())
            .collect();
        if words.is_empty() {
            return None;
        }
        let plain = words.iter().all(|w| w.is_ascii());
        Some(Entry {
            words,
            plain,
            exception,
        })
    }

    /// The index of the last text word when the entry matches from word `i`.
    fn matches_at(&self, words: &Words, i: usize, text: &str) -> Option<usize> {
        let last = i + self.words.len() - 1;
        if last >= words.list.len() {
            return None;
        }
        for (k, expected) in self.words.iter().enumerate() {
            let at = i + k;
            if k > 0 && !joined(text, words.list[at - 1].end, words.list[at].start) {
                return None;
            }
            if self.plain && !words.list[at].plain {
                return None;
            }
            if !word_matches(words.lower(at), expected, self.plain) {
                return None;
            }
        }
        // "5 dm" is five decimetres: short plain abbreviations right after a number are units.
        let short = self.plain && self.words.len() == 1 && self.words[0].len() <= 3;
        if short && i > 0 && words.lower(i - 1).bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(last)
    }
}

/// Whether a text word (lowercase) reads as the entry word `expected`.
fn word_matches(word: &str, expected: &str, plain: bool) -> bool {
    if word == expected || (plain && teen(word) == expected) {
        return true;
    }
    // Stretched for emphasis: "nguuuu" for "ngu", but "c" is not "cc".
    word.len() > expected.len() && squeezed(word).eq(squeezed(expected))
}

/// Whether two words of a phrase stand close: only spaces and light punctuation between them.
fn joined(text: &str, end: usize, start: usize) -> bool {
    let between = &text[end..start];
    between.len() <= 4
        && between
            .chars()
            .all(|c| matches!(c, ' ' | '\t' | '\u{a0}' | '-' | '_' | '.' | '*'))
}

/// The usual reading of a teen-code word typed without marks ("j" → "gi", "ko" → "khong").
fn teen(word: &str) -> &str {
    match word {
        "j" | "gj" => "gi",
        "k" | "ko" | "kh" | "hok" | "khg" | "kg" | "hong" | "hem" => "khong",
        "dc" | "dk" => "duoc",
        "z" | "v" => "vay",
        _ => word,
    }
}

/// The characters of `word` with runs of the same letter collapsed: "nguuuu" → "ngu".
fn squeezed(word: &str) -> impl Iterator<Item = char> + '_ {
    let mut last = None;
    word.chars().filter(move |&c| {
        let keep = last != Some(c);
        last = Some(c);
        keep
    })
}

/// Writes the squeezed form of `word` into `out` (cleared first).
fn squeeze_into(word: &str, out: &mut String) {
    out.clear();
    out.extend(squeezed(word));
}

/// Splits text into words, with single letters joined by dots or stars ("đ.m", "v.c.l") read
/// as one word.
fn words(text: &str) -> Words {
    let mut words = Words::default();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let inside = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric() || (start.is_some() && is_combining_mark(c))
        };
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                push_word(&mut words, text, s, i);
                start = None;
            }
            _ => {}
        }
    }
    words
}

fn push_word(words: &mut Words, text: &str, start: usize, end: usize) {
    let from = words.arena.len();
    let mut plain = true;
    let mut letters = 0;
    let word = &text[start..end];
    if word.is_ascii() {
        words.arena.push_str(word);
        words.arena[from..].make_ascii_lowercase();
        letters = word.len();
    } else {
        for c in word.chars() {
            for l in c.to_lowercase() {
                plain &= is_plain(l);
                words.arena.push(l);
            }
            letters += 1;
        }
    }
    if let Some(prev) = words.list.last_mut() {
        let gap = &text[prev.end..start];
        if letters == 1 && matches!(gap, "." | "*") && is_spelled(&text[prev.start..prev.end]) {
            prev.lower.1 = words.arena.len();
            prev.plain &= plain;
            prev.end = end;
            return;
        }
    }
    words.list.push(Word {
        start,
        end,
        lower: (from, words.arena.len()),
        plain,
    });
}

/// Whether a lowercase letter has no Vietnamese mark (it folds to itself).
fn is_plain(c: char) -> bool {
    if c.is_ascii() {
        return true;
    }
    if c == 'đ' || is_combining_mark(c) {
        return false;
    }
    let mut parts = 0;
    let mut same = true;
    decompose_canonical(c, |d| {
        parts += 1;
        same &= d == c;
    });
    parts == 1 && same
}

/// Whether a word is made of single letters joined by dots or stars ("đ", "v.c").
fn is_spelled(word: &str) -> bool {
    word.split(['.', '*'])
        .all(|part| part.chars().count() == 1 && part.chars().all(char::is_alphabetic))
}
