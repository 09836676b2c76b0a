//! House addresses: a house number on a street or alley, or the hamlet, block or group where
//! someone says they live.
//!
//! A street named with a number ("đường 30 Tháng 4", "quốc lộ 91") is a place everybody shares,
//! not a personal address: only a house number in front of it ("số 12/3 đường 30 Tháng 4",
//! "nhà số 297/4 quốc lộ 1A") makes it one. Sub-ward units ("ấp Thới Hòa", "khu vực 3",
//! "tổ 5") count when the writer says they live there ("nhà tôi ở tổ 5, khu vực 3") or when
//! they follow a house address.

use std::sync::LazyLock;

use regex::Regex;

use super::folded::Folded;
use super::{Finding, FlagKind};

/// Street and sub-ward designators, longest first so "duong tinh" wins over "duong" (folded).
const DESIGNATORS: &str = r"duong tinh|duong so|duong|hem|kiet|ngo|ngach|quoc lo|ql|dai lo|tinh lo|huong lo|khu pho|khu dan cu|kdc|khu vuc|khom|to dan pho|to|ap|pho";

/// A house number ("12", "12a", "12/3", "297/4b/1").
const HOUSE: &str = r"[0-9]{1,4}[a-z]?(?:[ \t]?/[ \t]?[0-9]{1,4}[a-z]?){0,3}";

/// "số 12/3 đường", "nhà số 5", "số nhà 45", "ở 12/3 hẻm" (folded).
static HOUSE_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)(?P<lead>so nha|nha so|so|nha|o|dia chi|d/c)[ \t]*:?[ \t]*(?P<house>{HOUSE})(?-u:\b)(?:[ \t]*,?[ \t]*(?P<desig>{DESIGNATORS})(?-u:\b))?"
    ))
    .expect("house address regex")
});

/// "nhà tôi ở tổ 5", "tôi sống tại ấp Thới Hòa", "địa chỉ: khu vực 3" (folded). Only the
/// writer's own residence counts: "nhà ở khu vực 3 bị ngập" is about houses, not a person.
static RESIDENCE_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(?:(?:(?:nha|gia dinh) )?(?:toi|chung toi)(?: dang)?(?: song)? (?:o|tai)|cu ngu (?:tai|o)|cu tru tai|ngu tai|thuong tru (?:tai|o)|tam tru (?:tai|o)|dia chi|que o)[ \t]*:?[ \t]*(?:tai[ \t]+)?(?P<desig>to dan pho|khu pho|khu vuc|khom|to|ap)(?-u:\b)",
    )
    .expect("residence regex")
});

/// A further unit chained after an address: ", hẻm 45", ", tổ 5", " khu vực 3" (folded).
static CHAINED_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^[ \t]*,?[ \t]*(?P<desig>{DESIGNATORS})(?-u:\b)"))
        .expect("chained unit regex")
});

/// Words before "số" that make the number a document, plot or item number (folded, last word).
const NOT_A_HOUSE_BEFORE: [&str; 41] = [
    "duong", "hem", "kiet", "ngo", "ngach", "khu", "vuc", "khom", "lo", "thua", "dat", "do", "to",
    "dieu", "khoan", "dinh", "tu", "ban", "van", "tuyen", "xe", "muc", "chuong", "luc", "dong",
    "giay", "hieu", "phong", "ho", "trinh", "bao", "cao", "so", "cong", "cau", "tram", "ben",
    "lan", "ky", "diem", "phuong",
];

/// Words that end a street name typed all in lowercase (folded).
const NAME_STOP: [&str; 40] = [
    "va", "de", "nhung", "thi", "la", "o", "tai", "co", "khong", "bi", "da", "dang", "se", "can",
    "nen", "rat", "moi", "cua", "cho", "voi", "tu", "den", "trong", "nhieu", "gan", "phuong",
    "quan", "xa", "huyen", "thanh", "toi", "gia", "nha", "hem", "to", "khu", "ap", "khom", "so",
    "duoc",
];

/// Finds house addresses in the folded text.
pub(crate) fn find(folded: &Folded<'_>) -> Vec<Finding> {
    let text = folded.text.as_str();
    let lowercase_only = !folded.original.chars().any(char::is_uppercase);
    let mut out = Vec::new();
    for caps in HOUSE_ADDRESS.captures_iter(text) {
        let (Some(all), Some(lead), Some(house)) =
            (caps.get(0), caps.name("lead"), caps.name("house"))
        else {
            continue;
        };
        let lead = lead.as_str();
        let slashed = house.as_str().contains('/');
        if lead == "so" && ends_with_any(&text[..all.start()], &NOT_A_HOUSE_BEFORE) {
            continue;
        }
        let mut end = house.end();
        match caps.name("desig") {
            Some(desig) => match name_end(folded, desig.as_str(), desig.end(), lowercase_only) {
                Some(name_end) => end = name_end,
                None if matches!(lead, "so nha" | "nha so") => {}
                None => continue,
            },
            None => {
                let announced = matches!(lead, "so nha" | "nha so" | "dia chi" | "d/c");
                let house_of_a_home = lead == "nha" && slashed;
                if !(announced || house_of_a_home) {
                    continue;
                }
                // "Địa chỉ: 45 Lý Tự Trọng": a street name without "đường".
                if let Some(name_end) = name_end(folded, "", house.end(), lowercase_only) {
                    end = name_end;
                }
            }
        }
        end = chained_end(folded, end, lowercase_only);
        if let Some(f) = folded.finding(FlagKind::Address, all.start(), end) {
            out.push(f);
        }
    }
    for caps in RESIDENCE_UNIT.captures_iter(text) {
        let Some(desig) = caps.name("desig") else {
            continue;
        };
        let Some(end) = name_end(folded, desig.as_str(), desig.end(), lowercase_only) else {
            continue;
        };
        let end = chained_end(folded, end, lowercase_only);
        if let Some(f) = folded.finding(FlagKind::Address, desig.start(), end) {
            out.push(f);
        }
    }
    out
}

/// Extends an address over further units (", tổ 5, khu vực 3").
fn chained_end(folded: &Folded<'_>, mut end: usize, lowercase_only: bool) -> usize {
    while let Some(caps) = CHAINED_UNIT.captures(&folded.text[end..]) {
        let Some(desig) = caps.name("desig") else {
            break;
        };
        match name_end(folded, desig.as_str(), end + desig.end(), lowercase_only) {
            Some(next) => end = next,
            None => break,
        }
    }
    end
}

/// Where the name or number after a designator ends, if one follows.
///
/// Numbered units ("tổ", "khu vực", "hẻm", ...) need a number; others take a name: a run of
/// capitalized words or codes ("Trần Văn Hoài", "30 Tháng 4", "1A"), or, in a text typed all
/// in lowercase, up to four words that are not common function words.
fn name_end(folded: &Folded<'_>, desig: &str, from: usize, lowercase_only: bool) -> Option<usize> {
    let text = folded.text.as_str();
    let numbered = matches!(
        desig,
        "to" | "to dan pho"
            | "khu pho"
            | "khu vuc"
            | "khom"
            | "hem"
            | "kiet"
            | "ngo"
            | "ngach"
            | "ql"
            | "duong so"
    );
    let mut end = from;
    let mut words = 0;
    let mut at = from;
    loop {
        let rest = &text[at..];
        let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if skipped == 0 && words > 0 {
            break;
        }
        let word_start = at + skipped;
        let word_len = text[word_start..]
            .find(|c: char| !(c.is_alphanumeric() || c == '/'))
            .unwrap_or(text.len() - word_start);
        if word_len == 0 {
            break;
        }
        let word_end = word_start + word_len;
        let word = &text[word_start..word_end];
        let is_code = word.len() <= 5 && word.starts_with(|c: char| c.is_ascii_digit());
        if words == 0 && numbered {
            if !is_code {
                return None;
            }
            end = word_end;
            words = 1;
            if desig != "hem" && desig != "kiet" && desig != "ngo" {
                break;
            }
            at = word_end;
            continue;
        }
        let original = folded.original_text(word_start, word_end);
        let capitalized = original.starts_with(char::is_uppercase);
        let accepted = is_code
            || capitalized
            || (words > 0 && word == "thang")
            || (lowercase_only && words < 4 && !NAME_STOP.contains(&word));
        if !accepted || words >= 6 {
            break;
        }
        end = word_end;
        words += 1;
        at = word_end;
    }
    (words > 0).then_some(end)
}

/// Whether the text before a match ends with one of `words` as a whole word.
fn ends_with_any(before: &str, words: &[&str]) -> bool {
    let last = before
        .trim_end()
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    words.contains(&last)
}
