//! Signs of spam inside one text: links and characters hammered many times in a row.
//!
//! (The same text sent many times by one account is a database question, answered by the
//! moderation service with [`super::fingerprint`].)

use std::sync::LazyLock;

use regex::Regex;

use super::folded::Folded;
use super::{Finding, FlagKind};

/// Links: with a scheme, starting with "www.", or a bare domain with a common top-level
/// domain ("abc.com", "muanhanh.vn/sale", "t.me/kenh", "zalo.me/0912345678"), on folded text.
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    let label = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?";
    let tld = r"com|net|org|vn|info|biz|xyz|top|me|io|online|site|club|shop|store|app|link|asia|live|click|ly|gl|cc|tk|ru|cn";
    let path = r"(?:[/?#][^\s<>()\[\]{}]*[^\s<>()\[\]{}.,;:!?])?";
    Regex::new(&format!(
        r"(?:https?://|www\.)[^\s<>()\[\]{{}}]*[^\s<>()\[\]{{}}.,;:!?]|(?-u:\b)(?:{label}\.)+(?:{tld})(?-u:\b){path}"
    ))
    .expect("link regex")
});

/// How many times in a row one character must appear to be flagged ("!!!!!!", "aaaaaa").
pub const REPEAT_MIN: usize = 6;

/// Finds links and long runs of one repeated character, in text order.
pub fn spam(text: &str) -> Vec<Finding> {
    let folded = Folded::new(text);
    let mut out = links(&folded);
    out.extend(repeated(text));
    out.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    out
}

pub(crate) fn links(folded: &Folded<'_>) -> Vec<Finding> {
    let bytes = folded.text.as_bytes();
    let mut out = Vec::new();
    for m in LINK.find_iter(&folded.text) {
        // The domain of an e-mail address ("an@gmail.com") is not a link.
        if m.start() > 0 && matches!(bytes[m.start() - 1], b'@' | b'.' | b'-' | b'_') {
            continue;
        }
        if let Some(f) = folded.finding(FlagKind::Link, m.start(), m.end()) {
            out.push(f);
        }
    }
    out
}

/// Runs of at least [`REPEAT_MIN`] identical characters, case-insensitive; digits (amounts
/// like "1000000") and white space are not flagged.
pub(crate) fn repeated(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut run_start = 0;
    let mut run_len = 0;
    let mut last: Option<char> = None;
    let flush = |start: usize, end: usize, len: usize, c: Option<char>, out: &mut Vec<Finding>| {
        let Some(c) = c else { return };
        if len >= REPEAT_MIN && !c.is_numeric() && !c.is_whitespace() {
            out.push(Finding {
                kind: FlagKind::RepeatedCharacters,
                start,
                end,
                text: text[start..end].to_owned(),
            });
        }
    };
    for (i, c) in text.char_indices() {
        let c = lower(c);
        if Some(c) == last {
            run_len += 1;
            continue;
        }
        flush(run_start, i, run_len, last, &mut out);
        run_start = i;
        run_len = 1;
        last = Some(c);
    }
    flush(run_start, text.len(), run_len, last, &mut out);
    out
}

fn lower(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}
