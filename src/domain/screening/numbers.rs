//! Phone numbers, citizen ID numbers and bank account numbers written in free text.
//!
//! People write the same number in many ways ("0912345678", "0912 345 678", "0912.345.678",
//! "+84 912 345 678", "(0292) 3821 234"), so the detector first takes every run of digit
//! groups joined by spaces, dots, dashes or brackets, then looks, from each group on, for the
//! longest run of whole groups whose digits form a number of a known shape. Shape alone decides
//! for phones; citizen IDs and bank accounts also look at the words around the number.

use std::sync::LazyLock;

use regex::Regex;

use super::folded::Folded;
use super::{Finding, FlagKind};

/// Digit groups joined by separators a person would type inside one number.
static CHUNK: LazyLock<Regex> = LazyLock::new(|| {
    let group = r"(?:\([ \t\u{a0}]*)?(?:\+[ \t\u{a0}]*)?[0-9]+(?:[ \t\u{a0}]*\))?";
    let sep = r"(?:[ \t\u{a0}]*[.\-][ \t\u{a0}]*|[ \t\u{a0}]+)";
    Regex::new(&format!("{group}(?:{sep}{group})*")).expect("chunk regex")
});

/// Words that announce a citizen ID number (folded).
static ID_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(?:cccd|cmnd|cmt|can cuoc(?: cong dan)?|chung minh(?: nhan dan| thu)?|(?:so |ma )?dinh danh(?: ca nhan)?)(?-u:\b)",
    )
    .expect("id words regex")
});

/// Words that announce a bank account number (folded): the phrase or a bank's name.
static BANK_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(?:stk|so tk|so tai khoan|tai khoan(?: ngan hang)?|ngan hang|vietcombank|vcb|agribank|bidv|vietinbank|techcombank|tcb|acb|mb ?bank|mb|sacombank|tpbank|tp bank|vpbank|shb|hdbank|ocb|vib|scb|seabank|msb|eximbank|lpbank|lienvietpostbank|momo)(?-u:\b)",
    )
    .expect("bank words regex")
});

/// Units and currencies after which a number is a quantity, not a phone (folded).
static QUANTITY_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[ \t\u{a0}]*(?:(?:dong|d|vnd|usd|trieu|ty|nghin|ngan|m2|m|km|ha|cm|mm|kg|tan)(?-u:\b)|m²|%)")
        .expect("quantity regex")
});

/// Province codes that begin a 12-digit citizen ID number (the first three digits).
const PROVINCE_CODES: [&str; 63] = [
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020",
    "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038",
    "040", "042", "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060",
    "062", "064", "066", "067", "068", "070", "072", "074", "075", "077", "079", "080", "082",
    "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
];

/// How far (in folded bytes) an announcing word may stand before or after the number.
const WORDS_BEFORE: usize = 40;
const WORDS_AFTER: usize = 24;

/// One run of digits inside a chunk, in folded byte offsets.
struct Group {
    /// Where the group starts, with its "(" or "+" if it has one.
    start: usize,
    digits_start: usize,
    digits_end: usize,
    /// Where the group ends, with its ")" when it opened one.
    end: usize,
    plus: bool,
}

/// Finds phone, citizen ID and bank account numbers in the folded text.
pub(crate) fn find(folded: &Folded<'_>) -> Vec<Finding> {
    let text = folded.text.as_str();
    let id_words: Vec<(usize, usize)> = ID_WORDS
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    let bank_words: Vec<(usize, usize)> = BANK_WORDS
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    let mut out = Vec::new();
    for chunk in CHUNK.find_iter(text) {
        let groups = groups(text, chunk.start(), chunk.end());
        let mut i = 0;
        while i < groups.len() {
            match best_from(text, &groups, i, &id_words, &bank_words) {
                Some((j, kind)) => {
                    if let Some(f) = folded.finding(kind, groups[i].start, groups[j].end) {
                        out.push(f);
                    }
                    i = j + 1;
                }
                None => i += 1,
            }
        }
    }
    out
}

fn groups(text: &str, start: usize, end: usize) -> Vec<Group> {
    let bytes = text.as_bytes();
    let mut out: Vec<Group> = Vec::new();
    let mut at = start;
    let mut lead: Option<usize> = None;
    let mut open = false;
    let mut plus = false;
    while at < end {
        match bytes[at] {
            b'(' => {
                lead.get_or_insert(at);
                open = true;
                at += 1;
            }
            b'+' => {
                lead.get_or_insert(at);
                plus = true;
                at += 1;
            }
            b')' => {
                if let Some(last) = out.last_mut().filter(|_| open) {
                    last.end = at + 1;
                }
                open = false;
                at += 1;
            }
            b if b.is_ascii_digit() => {
                let from = at;
                while at < end && bytes[at].is_ascii_digit() {
                    at += 1;
                }
                out.push(Group {
                    start: lead.take().unwrap_or(from),
                    digits_start: from,
                    digits_end: at,
                    end: at,
                    plus,
                });
                plus = false;
            }
            b' ' | b'\t' => at += 1,
            _ => {
                lead = None;
                open = false;
                plus = false;
                at += 1;
            }
        }
    }
    out
}

/// The last group `j` and kind of the longest number that starts at group `i`.
fn best_from(
    text: &str,
    groups: &[Group],
    i: usize,
    id_words: &[(usize, usize)],
    bank_words: &[(usize, usize)],
) -> Option<(usize, FlagKind)> {
    let mut digits = String::new();
    let mut best = None;
    for j in i..groups.len() {
        digits.push_str(&text[groups[j].digits_start..groups[j].digits_end]);
        if digits.len() > 19 {
            break;
        }
        let (start, end) = (groups[i].digits_start, groups[j].digits_end);
        if let Some(kind) = classify(
            text, groups, i, j, &digits, id_words, bank_words, start, end,
        ) {
            best = Some((j, kind));
        }
    }
    best
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; the parts are all needed"
)]
fn classify(
    text: &str,
    groups: &[Group],
    i: usize,
    j: usize,
    digits: &str,
    id_words: &[(usize, usize)],
    bank_words: &[(usize, usize)],
    start: usize,
    end: usize,
) -> Option<FlagKind> {
    let bytes = text.as_bytes();
    // A number glued to letters ("B12", "2030abc") is a code, not a phone or an ID.
    let glued_before = start > 0 && bytes[start - 1].is_ascii_alphabetic();
    let glued_after = end < bytes.len() && bytes[end].is_ascii_alphanumeric();
    let n = digits.len();
    let quantity = QUANTITY_AFTER.is_match(&text[end..]);
    let amount = quantity || looks_like_amount(text, groups, i, j, digits);
    if !amount && near(bank_words, start, end, text) && (6..=19).contains(&n) {
        return Some(FlagKind::BankAccount);
    }
    if quantity || glued_after {
        return None;
    }
    // "CMND 361.234.567" reads like an amount; the announcing word decides.
    if (n == 12 || n == 9) && near(id_words, start, end, text) {
        return Some(FlagKind::CitizenId);
    }
    if n == 12 && !glued_before && PROVINCE_CODES.contains(&&digits[..3]) {
        return Some(FlagKind::CitizenId);
    }
    if amount {
        return None;
    }
    is_phone(digits, groups[i].plus).then_some(FlagKind::Phone)
}

/// Whether the digits are a Vietnamese mobile or landline number, national or with +84.
fn is_phone(digits: &str, plus: bool) -> bool {
    if let Some(rest) = digits.strip_prefix("84") {
        if rest.starts_with('0') {
            return is_national_phone(rest);
        }
        return is_national_phone(&format!("0{rest}"));
    }
    if plus {
        return false;
    }
    is_national_phone(digits)
}

fn is_national_phone(d: &str) -> bool {
    let b = d.as_bytes();
    match b.len() {
        10 => b[0] == b'0' && matches!(b[1], b'3' | b'5' | b'7' | b'8' | b'9'),
        // Landlines: 02xx area code + 7 digits; old 11-digit mobiles 012x, 016x, 018x, 019x.
        11 => {
            b[0] == b'0'
                && (b[1] == b'2' || (b[1] == b'1' && matches!(b[2], b'2' | b'6' | b'8' | b'9')))
        }
        _ => false,
    }
}

/// "15.000.000", "84.500.000.000": thousands grouped by dots or commas, not starting with 0.
fn looks_like_amount(text: &str, groups: &[Group], i: usize, j: usize, digits: &str) -> bool {
    if j == i || digits.starts_with('0') || groups[i].plus {
        return false;
    }
    let len = |g: &Group| g.digits_end - g.digits_start;
    if len(&groups[i]) > 3 {
        return false;
    }
    (i + 1..=j).all(|k| {
        let sep = text[groups[k - 1].digits_end..groups[k].digits_start].trim();
        len(&groups[k]) == 3 && (sep == "." || sep == ",")
    })
}

/// Whether an announcing word stands close before (or just after) `start..end`, with no other
/// digits in between.
fn near(words: &[(usize, usize)], start: usize, end: usize, text: &str) -> bool {
    words.iter().any(|&(ws, we)| {
        if we <= start && start - we <= WORDS_BEFORE {
            return !text[we..start].bytes().any(|b| b.is_ascii_digit());
        }
        if ws >= end && ws - end <= WORDS_AFTER {
            return !text[end..ws].bytes().any(|b| b.is_ascii_digit());
        }
        false
    })
}
