//! The clause tree of a pasted Vietnamese legal or planning text.
//!
//! Agencies publish drafts by pasting their text. [`parse`] recognises the usual structure
//! of Vietnamese legal documents, phần › chương › mục › điều › khoản › điểm, and returns a
//! plain tree that the officer can correct afterwards.
//!
//! The parser reads the text once, line by line (linear time), and decides each line with
//! a small hand-written recogniser plus the context so far:
//!
//! - "Phần thứ nhất", "PHẦN II": a part (optional level, above chương).
//! - "Chương I", "Chương II:NHỮNG QUY ĐỊNH CHUNG", "CHƯƠNG III" (Roman numerals); a heading
//!   missing from the line may follow on the next lines in capitals.
//! - "Mục 1. ..." / "Mục 1: ...": numbers restart at 1 in each chương.
//! - "Điều 5. Tên điều" / "Điều 5a.": the number must be followed by "." or ":" and follow
//!   the previous điều (5 → 6, or 5 → 5a → 5b → 6), so references such as "Điều 35 của Bộ
//!   luật này ..." at the start of a line stay in the body.
//! - "1. text": a khoản, only inside an điều, numbered 1, 2, 3 ... ("1a." after "1" is
//!   accepted too); "1.000 đồng" is not a khoản (no space after the dot).
//! - "a) text": a điểm, only inside an điều (under its current khoản if any), lettered in
//!   the Vietnamese order a b c d đ e g h i k l m n o p q r s t u v x y.
//! - A line that opens a quotation (“ or ") starts quoted text, typically an amended
//!   article of another law: everything up to the closing quote stays in the body of the
//!   node that quotes it. A well-formed heading of the next expected điều or chương ends an
//!   unclosed quotation, so a missing closing quote does not swallow the rest.
//!
//! Every other line is appended to the body of the innermost open node, or to the preamble
//! before the first heading. Input is normalised to NFC, all line-ending styles are
//! accepted, lines are trimmed and blank lines dropped.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// A level of the clause tree, from the outermost to the innermost.
///
/// The derived order follows nesting: `Phan < Chuong < Muc < Dieu < Khoan < Diem`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Phần (part), above chương; only large codes have it.
    Phan,
    /// Chương (chapter), numbered with Roman numerals.
    Chuong,
    /// Mục (section) inside a chương.
    Muc,
    /// Điều (article), numbered through the whole document.
    Dieu,
    /// Khoản (clause) inside an điều: "1.", "2." ...
    Khoan,
    /// Điểm (point) inside a khoản or an điều: "a)", "b)" ...
    Diem,
}

impl Level {
    /// ASCII name of the level: "phan", "chuong", "muc", "dieu", "khoan" or "diem".
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Phan => "phan",
            Level::Chuong => "chuong",
            Level::Muc => "muc",
            Level::Dieu => "dieu",
            Level::Khoan => "khoan",
            Level::Diem => "diem",
        }
    }
}

/// One recognised node of the clause tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedClause {
    /// Level of the node.
    pub level: Level,
    /// Number as written: "I" (chương), "1" (mục, khoản), "5a" (điều), "đ" (điểm),
    /// "thứ nhất" (phần).
    pub number: String,
    /// Title of a phần, chương, mục or điều (the text after the number, whitespace
    /// collapsed); always `None` for khoản and điểm.
    pub heading: Option<String>,
    /// Text of the node without its number: for khoản and điểm the text after "1." or
    /// "a)", for the other levels the lines between the heading and the first child.
    /// Lines are joined with "\n".
    pub body: String,
    /// Nested nodes in document order.
    pub children: Vec<ParsedClause>,
}

/// A pasted text split into a preamble and its clause tree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedDocument {
    /// Lines before the first recognised heading, joined with "\n" (the whole text when
    /// nothing was recognised).
    pub preamble: String,
    /// Top-level nodes in document order.
    pub clauses: Vec<ParsedClause>,
}

impl ParsedDocument {
    /// Number of nodes of `level` anywhere in the tree.
    pub fn count(&self, level: Level) -> usize {
        fn walk(nodes: &[ParsedClause], level: Level) -> usize {
            nodes
                .iter()
                .map(|n| usize::from(n.level == level) + walk(&n.children, level))
                .sum()
        }
        walk(&self.clauses, level)
    }

    /// Every node in document order (pre-order) with its depth, 0 for top-level nodes.
    pub fn flatten(&self) -> Vec<(usize, &ParsedClause)> {
        fn walk<'a>(
            nodes: &'a [ParsedClause],
            depth: usize,
            out: &mut Vec<(usize, &'a ParsedClause)>,
        ) {
            for node in nodes {
                out.push((depth, node));
                walk(&node.children, depth + 1, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.clauses, 0, &mut out);
        out
    }
}

/// Parses a pasted legal or planning text into its clause tree.
///
/// Never fails: text without any recognisable structure ends up entirely in
/// [`ParsedDocument::preamble`].
pub fn parse(text: &str) -> ParsedDocument {
    let text: String = text.nfc().collect();
    let mut parser = Parser::default();
    for raw in text.split(is_line_break) {
        let line = raw.trim_matches(is_blank);
        if !line.is_empty() {
            parser.line(line);
        }
    }
    parser.finish()
}

/// Letters used for điểm, in order (the Vietnamese alphabet without ă, â, ê, ô, ơ, ư).
const DIEM_LETTERS: [char; 23] = [
    'a', 'b', 'c', 'd', 'đ', 'e', 'g', 'h', 'i', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't',
    'u', 'v', 'x', 'y',
];

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// White space plus the invisible characters word processors leave around lines.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{FEFF}' | '\u{200B}')
}

/// Position of a letter in [`DIEM_LETTERS`]; the look-alike "ð" (eth, found in texts
/// converted from old encodings) counts as "đ".
fn letter_index(c: char) -> Option<usize> {
    let c = if c == 'ð' { 'đ' } else { c };
    DIEM_LETTERS.iter().position(|&l| l == c)
}

/// An article or clause number: 5, 5a, 5b ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Num {
    value: u32,
    /// Index of the suffix letter in [`DIEM_LETTERS`].
    suffix: Option<usize>,
}

impl Num {
    /// Whether `self` may come right after `prev`: the next integer without suffix, or
    /// the same integer with a later suffix letter. `first` decides when there is no
    /// previous number.
    fn follows(self, prev: Option<Num>, first: impl Fn(Num) -> bool) -> bool {
        match prev {
            None => first(self),
            Some(p) => {
                (Some(self.value) == p.value.checked_add(1) && self.suffix.is_none())
                    || (self.value == p.value && self.suffix > p.suffix)
            }
        }
    }
}

/// A line that looks like the start of a node, before the context is checked.
#[derive(Debug)]
struct Candidate<'a> {
    level: Level,
    number: &'a str,
    num: Num,
    /// Heading (phần, chương, mục, điều) or body (khoản, điểm) on the same line.
    text: Option<&'a str>,
}

/// Recognises a line starting a node, without context.
fn recognize(line: &str) -> Option<Candidate<'_>> {
    keyword_heading(line)
        .or_else(|| khoan_line(line))
        .or_else(|| diem_line(line))
}

/// "Phần ...", "Chương ...", "Mục ..." or "Điều ..." lines.
fn keyword_heading(line: &str) -> Option<Candidate<'_>> {
    let word_end = line.find(|c: char| !c.is_alphabetic())?;
    let (word, rest) = line.split_at(word_end);
    if word.chars().count() > 6 {
        return None;
    }
    let level = match lowercase(word).as_str() {
        "phần" => Level::Phan,
        "chương" => Level::Chuong,
        "mục" => Level::Muc,
        "điều" => Level::Dieu,
        _ => return None,
    };
    let after = rest.trim_start_matches(is_blank);
    if after.len() == rest.len() {
        return None;
    }
    match level {
        Level::Phan => phan_number(after),
        Level::Chuong => roman(after).map(|(n, len)| (n, len, None)),
        Level::Muc => arabic(after)
            .or_else(|| roman(after))
            .map(|(n, len)| (n, len, None)),
        _ => arabic_with_suffix(after),
    }
    .and_then(|(value, len, suffix)| {
        let (number, tail) = after.split_at(len);
        let text = if level == Level::Dieu {
            dieu_tail(tail)?
        } else {
            section_tail(tail)?
        };
        Some(Candidate {
            level,
            number,
            num: Num { value, suffix },
            text,
        })
    })
}

/// Lowercase form of a keyword; "Ð"/"ð" (eth) count as "đ".
fn lowercase(word: &str) -> String {
    word.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ð' { 'đ' } else { c })
        .collect()
}

/// Leading ASCII digits (at most 4) as (value, byte length).
fn arabic(s: &str) -> Option<(u32, usize)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || len > 4 {
        return None;
    }
    Some((s[..len].parse().ok()?, len))
}

/// Leading digits plus an optional single suffix letter ("5a"), as (value, byte length,
/// suffix index). The suffix must not be followed by another letter.
fn arabic_with_suffix(s: &str) -> Option<(u32, usize, Option<usize>)> {
    let (value, len) = arabic(s)?;
    let mut rest = s[len..].chars();
    match rest.next() {
        Some(c) if c.is_alphabetic() => {
            let index = letter_index(c)?;
            if rest.next().is_some_and(char::is_alphabetic) {
                return None;
            }
            Some((value, len + c.len_utf8(), Some(index)))
        }
        _ => Some((value, len, None)),
    }
}

/// Leading upper-case Roman numeral in canonical form ("IV", not "IIII"), not followed by
/// a letter, as (value, byte length).
fn roman(s: &str) -> Option<(u32, usize)> {
    let len = s.bytes().take_while(|b| b"IVXLCDM".contains(b)).count();
    if len == 0 || s[len..].starts_with(char::is_alphabetic) {
        return None;
    }
    let bytes = &s.as_bytes()[..len];
    let value = roman_value(bytes)?;
    (to_roman(value) == s[..len]).then_some((value, len))
}

/// Value of a sequence of Roman digits, or `None` when it is empty or too large.
fn roman_value(bytes: &[u8]) -> Option<u32> {
    let digit = |b: u8| -> u32 {
        match b {
            b'I' => 1,
            b'V' => 5,
            b'X' => 10,
            b'L' => 50,
            b'C' => 100,
            b'D' => 500,
            _ => 1000,
        }
    };
    let mut total: i64 = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let d = i64::from(digit(b));
        if bytes
            .get(i + 1)
            .is_some_and(|&next| i64::from(digit(next)) > d)
        {
            total -= d;
        } else {
            total += d;
        }
    }
    u32::try_from(total).ok().filter(|&v| v > 0 && v < 4000)
}

/// Canonical Roman form of `value` (1..4000).
fn to_roman(mut value: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (n, s) in TABLE {
        while value >= n {
            out.push_str(s);
            value -= n;
        }
    }
    out
}

/// Ordinal words used in "Phần thứ nhất", "Phần thứ hai" ...
const ORDINALS: [(&str, u32); 12] = [
    ("nhất", 1),
    ("hai", 2),
    ("ba", 3),
    ("tư", 4),
    ("bốn", 4),
    ("năm", 5),
    ("sáu", 6),
    ("bảy", 7),
    ("bẩy", 7),
    ("tám", 8),
    ("chín", 9),
    ("mười", 10),
];

/// Number of a phần: "thứ nhất", "I" or "1", as (value, byte length, no suffix).
fn phan_number(s: &str) -> Option<(u32, usize, Option<usize>)> {
    if let Some((n, len)) = arabic(s).or_else(|| roman(s)) {
        return Some((n, len, None));
    }
    let word_end = s.find(|c: char| !c.is_alphabetic()).unwrap_or(s.len());
    if lowercase(&s[..word_end]) != "thứ" {
        return None;
    }
    let rest = &s[word_end..];
    let after = rest.trim_start_matches(is_blank);
    if after.len() == rest.len() {
        return None;
    }
    let ordinal_end = after
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(after.len());
    let ordinal = lowercase(&after[..ordinal_end]);
    let value = ORDINALS.iter().find(|(w, _)| *w == ordinal)?.1;
    Some((value, s.len() - after.len() + ordinal_end, None))
}

/// What follows the number of a phần, chương or mục: nothing (the heading may come on the
/// next line), a separator (":", ".", "-", "–", "—") and a heading, or white space and a
/// heading starting with a capital letter. `None` when the line is not a heading (for
/// example "Chương II của Bộ luật này ...").
fn section_tail(tail: &str) -> Option<Option<&str>> {
    let trimmed = tail.trim_start_matches(is_blank);
    let Some(first) = trimmed.chars().next() else {
        return Some(None);
    };
    if matches!(first, ':' | '.' | '-' | '–' | '—') {
        let heading = trimmed[first.len_utf8()..].trim_matches(is_blank);
        return Some((!heading.is_empty()).then_some(heading));
    }
    (trimmed.len() < tail.len() && first.is_uppercase()).then_some(Some(trimmed))
}

/// What follows the number of an điều: "." or ":" and an optional heading.
fn dieu_tail(tail: &str) -> Option<Option<&str>> {
    let trimmed = tail.trim_start_matches(is_blank);
    let rest = trimmed
        .strip_prefix('.')
        .or_else(|| trimmed.strip_prefix(':'))?;
    let heading = rest.trim_matches(is_blank);
    Some((!heading.is_empty()).then_some(heading))
}

/// "1. text", "1a. text" (a khoản candidate): digits, optional suffix letter, ".", then
/// white space or the end of the line ("1.000 đồng" is not a khoản).
fn khoan_line(line: &str) -> Option<Candidate<'_>> {
    let (value, len, suffix) = arabic_with_suffix(line)?;
    if len > 4 {
        return None;
    }
    let body = after_marker(&line[len..], '.')?;
    Some(Candidate {
        level: Level::Khoan,
        number: &line[..len],
        num: Num { value, suffix },
        text: body,
    })
}

/// "a) text" (a điểm candidate): one letter of [`DIEM_LETTERS`], ")", then white space
/// or the end of the line.
fn diem_line(line: &str) -> Option<Candidate<'_>> {
    let letter = line.chars().next()?;
    let index = letter_index(letter)?;
    let body = after_marker(&line[letter.len_utf8()..], ')')?;
    Some(Candidate {
        level: Level::Diem,
        number: if letter == 'ð' {
            "đ"
        } else {
            &line[..letter.len_utf8()]
        },
        num: Num {
            value: 0,
            suffix: Some(index),
        },
        text: body,
    })
}

/// Text after `marker` when the marker is followed by white space or ends the line.
fn after_marker(s: &str, marker: char) -> Option<Option<&str>> {
    let rest = s.strip_prefix(marker)?;
    if !rest.is_empty() && !rest.starts_with(is_blank) {
        return None;
    }
    let body = rest.trim_matches(is_blank);
    Some((!body.is_empty()).then_some(body))
}

/// A line in capitals (at least two letters, none lower-case): a heading continued on
/// the next line, as in "Chương I" followed by "NHỮNG QUY ĐỊNH CHUNG".
fn is_capitals(line: &str) -> bool {
    let mut letters = 0;
    for c in line.chars().filter(|c| c.is_alphabetic()) {
        if c.is_lowercase() {
            return false;
        }
        letters += 1;
    }
    letters >= 2
}

/// Collapses runs of white space into single spaces.
fn collapse_whitespace(s: &str) -> String {
    s.split(is_blank)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn push_line(buffer: &mut String, line: &str) {
    if !buffer.is_empty() {
        buffer.push('\n');
    }
    buffer.push_str(line);
}

/// Quotation state: inside quoted text no line starts a node.
#[derive(Debug, Default)]
struct Quote {
    /// Open curly quotes (“ minus ”).
    depth: usize,
    /// An odd number of straight quotes (") so far.
    straight: bool,
    /// The quotation opened with an article heading ("“Điều 54. ..."): it quotes whole
    /// articles, so an inner "Điều N." line is quoted too, whatever its number.
    quotes_articles: bool,
}

impl Quote {
    fn active(&self) -> bool {
        self.depth > 0 || self.straight
    }

    fn update(&mut self, line: &str) {
        for c in line.chars() {
            match c {
                '“' => self.depth += 1,
                '”' => self.depth = self.depth.saturating_sub(1),
                '"' => self.straight = !self.straight,
                _ => {}
            }
        }
    }
}

#[derive(Debug, Default)]
struct Parser {
    preamble: String,
    roots: Vec<ParsedClause>,
    /// Open nodes from the outermost to the innermost.
    stack: Vec<ParsedClause>,
    quote: Quote,
    last_phan: Option<u32>,
    last_chuong: Option<u32>,
    /// Last mục of the current chương.
    last_muc: Option<u32>,
    last_dieu: Option<Num>,
    /// Last khoản of the current điều.
    last_khoan: Option<Num>,
    /// Last điểm of the current khoản (or điều without khoản), as an alphabet index.
    last_diem: Option<usize>,
}

impl Parser {
    fn line(&mut self, line: &str) {
        if self.quote.active() {
            let escapes = recognize(line).is_some_and(|c| self.ends_unclosed_quote(&c));
            if !escapes {
                self.append(line);
                self.quote.update(line);
                return;
            }
            self.quote = Quote::default();
        } else if let Some(quoted) = line.strip_prefix(['“', '"']) {
            self.append(line);
            self.quote.update(line);
            self.quote.quotes_articles = keyword_heading(quoted.trim_start_matches(is_blank))
                .is_some_and(|c| c.level == Level::Dieu);
            return;
        }
        if let Some(candidate) = recognize(line)
            && self.accepts(&candidate)
        {
            self.open(candidate);
        } else if self.continues_heading(line) {
            if let Some(top) = self.stack.last_mut() {
                let heading = top.heading.get_or_insert_with(String::new);
                if !heading.is_empty() {
                    heading.push(' ');
                }
                heading.push_str(&collapse_whitespace(line));
            }
        } else {
            self.append(line);
        }
    }

    /// Whether the candidate fits the numbering and nesting so far.
    fn accepts(&self, c: &Candidate<'_>) -> bool {
        let value = c.num.value;
        match c.level {
            Level::Phan => self
                .last_phan
                .is_none_or(|p| Some(value) == p.checked_add(1)),
            Level::Chuong => self
                .last_chuong
                .is_none_or(|p| Some(value) == p.checked_add(1)),
            Level::Muc => value == self.last_muc.map_or(1, |p| p.saturating_add(1)),
            Level::Dieu => c.num.follows(self.last_dieu, |_| true),
            Level::Khoan => {
                self.is_open(Level::Dieu)
                    && c.num.follows(self.last_khoan, |n| {
                        n == Num {
                            value: 1,
                            suffix: None,
                        }
                    })
            }
            Level::Diem => {
                self.is_open(Level::Dieu)
                    && c.num.suffix == Some(self.last_diem.map_or(0, |p| p + 1))
            }
        }
    }

    /// A heading of exactly the next chương, or of the next điều unless the quotation
    /// quotes articles, ends a quotation left open (a missing closing quote).
    fn ends_unclosed_quote(&self, c: &Candidate<'_>) -> bool {
        match c.level {
            Level::Dieu => {
                !self.quote.quotes_articles && self.last_dieu.is_some() && self.accepts(c)
            }
            Level::Chuong => self.last_chuong.is_some() && self.accepts(c),
            _ => false,
        }
    }

    fn is_open(&self, level: Level) -> bool {
        self.stack.iter().any(|n| n.level == level)
    }

    /// A capitals line right after a phần, chương or mục heading continues that heading.
    fn continues_heading(&self, line: &str) -> bool {
        self.stack.last().is_some_and(|top| {
            matches!(top.level, Level::Phan | Level::Chuong | Level::Muc)
                && top.body.is_empty()
                && top.children.is_empty()
                && is_capitals(line)
        })
    }

    fn open(&mut self, c: Candidate<'_>) {
        match c.level {
            Level::Phan => {
                self.last_phan = Some(c.num.value);
                self.last_muc = None;
            }
            Level::Chuong => {
                self.last_chuong = Some(c.num.value);
                self.last_muc = None;
            }
            Level::Muc => self.last_muc = Some(c.num.value),
            Level::Dieu => {
                self.last_dieu = Some(c.num);
                self.last_khoan = None;
                self.last_diem = None;
            }
            Level::Khoan => {
                self.last_khoan = Some(c.num);
                self.last_diem = None;
            }
            Level::Diem => self.last_diem = c.num.suffix,
        }
        self.close_from(c.level);
        let (heading, body) = match c.level {
            Level::Khoan | Level::Diem => (None, c.text.unwrap_or_default().to_owned()),
            _ => (c.text.map(collapse_whitespace), String::new()),
        };
        self.stack.push(ParsedClause {
            level: c.level,
            number: c.number.to_owned(),
            heading,
            body,
            children: Vec::new(),
        });
    }

    /// Closes the open nodes at `level` or deeper.
    fn close_from(&mut self, level: Level) {
        while self.stack.last().is_some_and(|n| n.level >= level) {
            if let Some(node) = self.stack.pop() {
                self.attach(node);
            }
        }
    }

    fn attach(&mut self, node: ParsedClause) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => self.roots.push(node),
        }
    }

    fn append(&mut self, line: &str) {
        match self.stack.last_mut() {
            Some(top) => push_line(&mut top.body, line),
            None => push_line(&mut self.preamble, line),
        }
    }

    fn finish(mut self) -> ParsedDocument {
        self.close_from(Level::Phan);
        ParsedDocument {
            preamble: self.preamble,
            clauses: self.roots,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const LABOUR_CODE: &str = include_str!("../../tests/fixtures/bo-luat-lao-dong-2019.txt");
    const LABOUR_CODE_TREE: &str =
        include_str!("../../tests/fixtures/bo-luat-lao-dong-2019.tree.json");

    /// (depth, level, number, text): text is the heading of phần/chương/mục/điều and
    /// "1. first line" / "a) first line" for khoản/điểm, whitespace collapsed.
    type Row = (usize, Level, String, String);

    fn row(depth: usize, node: &ParsedClause) -> Row {
        let text = match node.level {
            Level::Khoan | Level::Diem => {
                let marker = if node.level == Level::Khoan { '.' } else { ')' };
                let first = node.body.lines().next().unwrap_or_default();
                collapse_whitespace(&format!("{}{marker} {first}", node.number))
            }
            _ => node.heading.clone().unwrap_or_default(),
        };
        (depth, node.level, node.number.clone(), text)
    }

    fn rows(doc: &ParsedDocument) -> Vec<Row> {
        doc.flatten().into_iter().map(|(d, n)| row(d, n)).collect()
    }

    fn gt_level(kind: &str) -> Level {
        match kind {
            "chương" => Level::Chuong,
            "mục" => Level::Muc,
            "điều" => Level::Dieu,
            "khoản" => Level::Khoan,
            "điểm" => Level::Diem,
            other => panic!("unexpected node type {other}"),
        }
    }

    /// The ground-truth row of a node: its name without the "Chương I:" / "Mục 1." /
    /// "Điều 5." prefix for the upper levels, the whole first line for khoản and điểm.
    fn gt_row(depth: usize, node: &Value) -> Row {
        let level = gt_level(node["type"].as_str().unwrap());
        let id = node["id"].as_str().unwrap().to_owned();
        let name = collapse_whitespace(node["name"].as_str().unwrap());
        let text = match level {
            Level::Khoan | Level::Diem => name,
            _ => {
                let keyword = node["type"].as_str().unwrap();
                let (head, rest) = name.split_at(keyword.len() + 1 + id.len());
                assert_eq!(
                    lowercase(head.trim()),
                    format!("{keyword} {}", id.to_lowercase())
                );
                rest.trim_start_matches([':', '.', ' ']).to_owned()
            }
        };
        (depth, level, id, text)
    }

    /// Rows of the ground truth, with the children of Điều 219 replaced by `dieu_219`.
    fn gt_rows(node: &Value, depth: usize, dieu_219: &[Row], out: &mut Vec<Row>) {
        for child in node["children"].as_array().unwrap() {
            let r = gt_row(depth, child);
            let is_219 = r.1 == Level::Dieu && r.2 == "219";
            out.push(r);
            if is_219 {
                out.extend(dieu_219.iter().cloned());
            } else {
                gt_rows(child, depth + 1, dieu_219, out);
            }
        }
    }

    fn gt_count(node: &Value, kind: &str) -> usize {
        node["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| usize::from(c["type"] == kind) + gt_count(c, kind))
            .sum()
    }

    fn gt_names(node: &Value, out: &mut Vec<String>) {
        for child in node["children"].as_array().unwrap() {
            out.push(collapse_whitespace(child["name"].as_str().unwrap()));
            gt_names(child, out);
        }
    }

    /// Điều 219 quotes amended articles of other laws between “ and ”. Its real structure:
    /// khoản 1 (a, b, c amend the Social Insurance Law) and khoản 2 (a, b amend the Civil
    /// Procedure Code); the quoted "1.", "a)" lines belong to the bodies of those điểm.
    fn expected_dieu_219() -> Vec<Row> {
        let r = |depth: usize, level: Level, number: &str, text: &str| -> Row {
            (depth, level, number.to_owned(), text.to_owned())
        };
        vec![
            r(
                2,
                Level::Khoan,
                "1",
                "1. Sửa đổi, bổ sung một số điều của Luật Bảo hiểm xã hội số 58/2014/QH13 đã được sửa đổi, bổ sung theo Luật số 84/2015/QH13 và Luật số 35/2018/QH14:",
            ),
            r(3, Level::Diem, "a", "a) Sửa đổi, bổ sung Điều 54 như sau:"),
            r(3, Level::Diem, "b", "b) Sửa đổi, bổ sung Điều 55 như sau:"),
            r(
                3,
                Level::Diem,
                "c",
                "c) Sửa đổi, bổ sung khoản 1 Điều 73 như sau:",
            ),
            r(
                2,
                Level::Khoan,
                "2",
                "2. Sửa đổi, bổ sung Điều 32 của Bộ luật Tố tụng dân sự số 92/2015/QH13 như sau:",
            ),
            r(
                3,
                Level::Diem,
                "a",
                "a) Sửa đổi, bổ sung tên điều, khoản 1; bổ sung các khoản 1a, 1b và 1c vào sau khoản 1 như sau:",
            ),
            r(3, Level::Diem, "b", "b) Bãi bỏ khoản 2 Điều 32."),
        ]
    }

    #[test]
    fn labour_code_counts() {
        let doc = parse(LABOUR_CODE);
        assert_eq!(doc.count(Level::Phan), 0);
        assert_eq!(doc.count(Level::Chuong), 17);
        assert_eq!(doc.count(Level::Muc), 24);
        assert_eq!(doc.count(Level::Dieu), 220);
        // The ground truth has 645 khoản and 287 điểm, of which 9 khoản and 25 điểm in
        // Điều 219; 7 of those khoản and 20 of those điểm are lines of the quoted
        // articles of other laws, which the parser keeps in the bodies (see
        // `expected_dieu_219`).
        assert_eq!(doc.count(Level::Khoan), 645 - 9 + 2);
        assert_eq!(doc.count(Level::Diem), 287 - 25 + 5);
        assert!(
            doc.preamble
                .starts_with("QUỐC HỘI\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        );
        assert!(
            doc.preamble
                .ends_with("Quốc hội ban hành Bộ luật Lao động.")
        );
        // The same text decomposed (as phones send it) with Windows line endings.
        let pasted: String = LABOUR_CODE.nfd().collect::<String>().replace('\n', "\r\n");
        assert_eq!(parse(&pasted), doc);
    }

    #[test]
    fn labour_code_matches_ground_truth_node_by_node() {
        let tree: Value = serde_json::from_str(LABOUR_CODE_TREE).unwrap();
        let tree = &tree["tree"];
        let dieu_219 = expected_dieu_219();
        let mut expected = Vec::new();
        gt_rows(tree, 0, &dieu_219, &mut expected);

        // The fixture holds the totals of the data set: 17/24/220/645/287, of which
        // 9 khoản and 25 điểm inside Điều 219.
        let totals: Vec<_> = ["chương", "mục", "điều", "khoản", "điểm"]
            .into_iter()
            .map(|kind| gt_count(tree, kind))
            .collect();
        assert_eq!(totals, [17, 24, 220, 645, 287]);
        assert_eq!(
            expected.len(),
            17 + 24 + 220 + 645 + 287 - 9 - 25 + dieu_219.len()
        );

        let actual = rows(&parse(LABOUR_CODE));
        for (i, (a, e)) in actual.iter().zip(&expected).enumerate() {
            assert_eq!(a, e, "node {i} differs");
        }
        assert_eq!(actual.len(), expected.len());
    }

    #[test]
    fn labour_code_article_219_keeps_quoted_lines_in_bodies() {
        let tree: Value = serde_json::from_str(LABOUR_CODE_TREE).unwrap();
        let chuong_xvii = tree["tree"]["children"].as_array().unwrap().last().unwrap();
        let gt_219 = chuong_xvii["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == "219")
            .unwrap();
        let mut gt_lines = Vec::new();
        gt_names(gt_219, &mut gt_lines);
        assert_eq!(gt_lines.len(), 9 + 25);

        let doc = parse(LABOUR_CODE);
        let (_, dieu) = doc
            .flatten()
            .into_iter()
            .find(|(_, n)| n.level == Level::Dieu && n.number == "219")
            .unwrap();
        let mut text = String::new();
        let sub = ParsedDocument {
            preamble: String::new(),
            clauses: dieu.children.clone(),
        };
        for (_, n) in sub.flatten() {
            let marker = if n.level == Level::Khoan { '.' } else { ')' };
            text.push_str(&format!("{}{marker} {}\n", n.number, n.body));
        }
        for line in &gt_lines {
            assert!(text.contains(line.as_str()), "lost line {line}");
        }
        // The quoted article 32 with its khoản 1a, 1b, 1c is in the body of điểm a.
        let diem_a = &dieu.children[1].children[0];
        assert!(diem_a.body.contains("\n“Điều 32. Những tranh chấp"));
        assert!(
            diem_a
                .body
                .ends_with("thì có quyền yêu cầu Tòa án giải quyết.”;")
        );
    }

    #[test]
    fn labour_code_tail_stays_in_last_khoan() {
        let doc = parse(LABOUR_CODE);
        let last = doc.flatten().last().map(|(_, n)| (*n).clone()).unwrap();
        assert_eq!((last.level, last.number.as_str()), (Level::Khoan, "3"));
        assert!(last.body.ends_with("CHỦ TỊCH QUỐC HỘI Nguyễn Thị Kim Ngân"));
    }

    #[test]
    fn decomposed_unicode_is_composed_first() {
        let nfc = "Chương I\nNHỮNG QUY ĐỊNH CHUNG\nĐiều 1. Phạm vi điều chỉnh\n1. Khoản một.\nđ) không phải điểm đầu.";
        let nfd: String = nfc.nfd().collect();
        assert_ne!(nfc, nfd);
        let doc = parse(&nfd);
        assert_eq!(doc, parse(nfc));
        let chuong = &doc.clauses[0];
        assert_eq!(chuong.heading.as_deref(), Some("NHỮNG QUY ĐỊNH CHUNG"));
        let dieu = &chuong.children[0];
        assert_eq!(dieu.heading.as_deref(), Some("Phạm vi điều chỉnh"));
        assert_eq!(dieu.children[0].body, "Khoản một.\nđ) không phải điểm đầu.");
    }

    #[test]
    fn crlf_and_other_line_endings() {
        let doc = parse(
            "Lời nói đầu\r\n\r\nĐiều 1. Một\r\n1. Khoản một;\r2. Khoản hai.\r\n  a) Điểm a\u{2028}b) Điểm b\r\n",
        );
        assert_eq!(doc.preamble, "Lời nói đầu");
        let dieu = &doc.clauses[0];
        assert_eq!(dieu.heading.as_deref(), Some("Một"));
        assert_eq!(dieu.children.len(), 2);
        assert_eq!(dieu.children[0].body, "Khoản một;");
        assert_eq!(dieu.children[1].children.len(), 2);
        assert_eq!(dieu.children[1].children[1].body, "Điểm b");
    }

    #[test]
    fn amounts_are_not_khoan() {
        let doc = parse(
            "Điều 1. Mức phạt\n1. Phạt tiền từ\n1.000.000 đồng đến\n2.000.000 đồng.\n2. Khoản hai.",
        );
        let dieu = &doc.clauses[0];
        assert_eq!(dieu.children.len(), 2);
        assert_eq!(
            dieu.children[0].body,
            "Phạt tiền từ\n1.000.000 đồng đến\n2.000.000 đồng."
        );
        assert_eq!(dieu.children[1].number, "2");
    }

    #[test]
    fn numbering_sequence_rejects_list_lines() {
        let text = "Điều 1. Giải thích\n\
                    1. Khoản một.\n\
                    2. Khoản hai gồm danh sách:\n\
                    1. mục thứ nhất;\n\
                    2. mục thứ hai.\n\
                    3. Khoản ba.\n\
                    a) Điểm a;\n\
                    b) Điểm b gồm:\n\
                    a) không phải điểm;\n\
                    c) Điểm c.";
        let doc = parse(text);
        let dieu = &doc.clauses[0];
        let numbers: Vec<_> = dieu.children.iter().map(|k| k.number.as_str()).collect();
        assert_eq!(numbers, ["1", "2", "3"]);
        assert_eq!(
            dieu.children[1].body,
            "Khoản hai gồm danh sách:\n1. mục thứ nhất;\n2. mục thứ hai."
        );
        let letters: Vec<_> = dieu.children[2]
            .children
            .iter()
            .map(|d| d.number.as_str())
            .collect();
        assert_eq!(letters, ["a", "b", "c"]);
        assert_eq!(
            dieu.children[2].children[1].body,
            "Điểm b gồm:\na) không phải điểm;"
        );
    }

    #[test]
    fn quoted_list_inside_khoan_stays_in_its_body() {
        // Without the quotation, "2." would be taken as the second khoản.
        let text = "Điều 3. Sửa đổi\n\
                    1. Sửa đổi khoản 1 Điều 5 như sau:\n\
                    “1. Người lao động có quyền:\n\
                    a) Được nghỉ;\n\
                    2. Được trả lương.”.\n\
                    2. Khoản hai thật.";
        let doc = parse(text);
        let dieu = &doc.clauses[0];
        assert_eq!(dieu.children.len(), 2);
        assert!(dieu.children[0].children.is_empty());
        assert_eq!(
            dieu.children[0].body,
            "Sửa đổi khoản 1 Điều 5 như sau:\n“1. Người lao động có quyền:\na) Được nghỉ;\n2. Được trả lương.”."
        );
        assert_eq!(dieu.children[1].body, "Khoản hai thật.");
    }

    #[test]
    fn quoted_articles_stay_quoted_whatever_their_number() {
        // An amending law: its Điều 1 quotes Điều 1 and Điều 2 of the amended law.
        let text = "Điều 1. Sửa đổi, bổ sung một số điều của Luật X\n\
                    1. Sửa đổi Điều 1 và Điều 2 như sau:\n\
                    “Điều 1. Phạm vi điều chỉnh\n\
                    1. Nội dung.\n\
                    Điều 2. Đối tượng áp dụng\n\
                    Cơ quan, tổ chức.”.\n\
                    2. Bãi bỏ Điều 3.\n\
                    Điều 2. Hiệu lực thi hành";
        let doc = parse(text);
        let headings: Vec<_> = doc.clauses.iter().map(|d| d.heading.as_deref()).collect();
        assert_eq!(
            headings,
            [
                Some("Sửa đổi, bổ sung một số điều của Luật X"),
                Some("Hiệu lực thi hành")
            ]
        );
        assert_eq!(doc.count(Level::Khoan), 2);
        assert!(
            doc.clauses[0].children[0]
                .body
                .contains("\nĐiều 2. Đối tượng áp dụng\n")
        );
    }

    #[test]
    fn unclosed_quotation_ends_at_the_next_article() {
        let text = "Điều 1. Một\n1. Sửa như sau:\n“1. Nội dung.\n2. Nội dung khác.\nĐiều 2. Hai\n1. Khoản một của điều hai.";
        let doc = parse(text);
        assert_eq!(doc.count(Level::Dieu), 2);
        assert_eq!(doc.count(Level::Khoan), 2);
        assert_eq!(doc.clauses[1].heading.as_deref(), Some("Hai"));
    }

    #[test]
    fn references_do_not_start_articles() {
        let text = "Điều 34. Các trường hợp chấm dứt\n\
                    Theo quy định tại Điều 35 của Bộ luật này.\n\
                    Điều 35 của Bộ luật này quy định quyền đơn phương chấm dứt.\n\
                    Điều 37. Không phải điều tiếp theo\n\
                    Điều 35. Quyền đơn phương chấm dứt\n\
                    Điều 35a. Điều bổ sung\n\
                    Điều 35b: Điều bổ sung nữa\n\
                    Điều 36. Tiếp";
        let doc = parse(text);
        let numbers: Vec<_> = doc.clauses.iter().map(|d| d.number.as_str()).collect();
        assert_eq!(numbers, ["34", "35", "35a", "35b", "36"]);
        assert_eq!(
            doc.clauses[0].body,
            "Theo quy định tại Điều 35 của Bộ luật này.\n\
             Điều 35 của Bộ luật này quy định quyền đơn phương chấm dứt.\n\
             Điều 37. Không phải điều tiếp theo"
        );
        assert_eq!(doc.clauses[3].heading.as_deref(), Some("Điều bổ sung nữa"));
    }

    #[test]
    fn planning_draft_without_chuong() {
        let text = "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ\n\
                    QUY ĐỊNH\n\
                    Quản lý theo đồ án quy hoạch chi tiết\n\
                    Điều 1. Phạm vi áp dụng\n\
                    Quy định này áp dụng cho khu đất 12,5 ha.\n\
                    Điều 2. Chỉ tiêu\n\
                    1. Mật độ xây dựng tối đa 40%.\n\
                    2. Tầng cao:\n\
                    a) Nhà ở liên kế: 3 tầng;\n\
                    b) Công trình công cộng: 5 tầng.";
        let doc = parse(text);
        assert_eq!(
            doc.preamble,
            "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ\nQUY ĐỊNH\nQuản lý theo đồ án quy hoạch chi tiết"
        );
        assert_eq!(doc.clauses.len(), 2);
        assert!(doc.clauses.iter().all(|c| c.level == Level::Dieu));
        assert_eq!(
            doc.clauses[0].body,
            "Quy định này áp dụng cho khu đất 12,5 ha."
        );
        let flat: Vec<_> = doc
            .flatten()
            .into_iter()
            .map(|(d, n)| (d, n.level.as_str(), n.number.as_str()))
            .collect();
        assert_eq!(
            flat,
            [
                (0, "dieu", "1"),
                (0, "dieu", "2"),
                (1, "khoan", "1"),
                (1, "khoan", "2"),
                (2, "diem", "a"),
                (2, "diem", "b"),
            ]
        );
    }

    #[test]
    fn text_without_structure_is_all_preamble() {
        let text = "Góp ý về dự thảo:\n1. Nên mở rộng vỉa hè.\na) trồng thêm cây.\nChương trình hành động năm 2025.\nMục tiêu chung là giảm ngập.";
        let doc = parse(text);
        assert_eq!(doc.preamble, text);
        assert!(doc.clauses.is_empty());
        assert!(doc.flatten().is_empty());
        assert_eq!(parse(""), ParsedDocument::default());
        assert_eq!(parse(" \r\n\t\n").preamble, "");
    }

    #[test]
    fn diem_letters_follow_the_vietnamese_alphabet() {
        let text = "Điều 1. Một\n1. Khoản:\na) a;\nb) b;\nc) c;\nd) d;\nđ) đ;\ne) e;\nf) không phải điểm;\ng) g;\nh) h.";
        let doc = parse(text);
        let letters: Vec<_> = doc.clauses[0].children[0]
            .children
            .iter()
            .map(|d| d.number.as_str())
            .collect();
        assert_eq!(letters, ["a", "b", "c", "d", "đ", "e", "g", "h"]);
        assert_eq!(
            doc.clauses[0].children[0].children[5].body,
            "e;\nf) không phải điểm;"
        );
        // "ð" (eth, from old encodings) is read as "đ".
        let doc = parse("Điều 1. Một\na) a\nb) b\nc) c\nd) d\nð) đ");
        assert_eq!(doc.clauses[0].children[4].number, "đ");
    }

    #[test]
    fn diem_directly_in_dieu() {
        let doc = parse("Điều 1. Nguyên tắc\nCác nguyên tắc sau:\na) Công khai;\nb) Minh bạch.");
        let dieu = &doc.clauses[0];
        assert_eq!(dieu.body, "Các nguyên tắc sau:");
        assert_eq!(dieu.children.len(), 2);
        assert_eq!(dieu.children[1].level, Level::Diem);
    }

    #[test]
    fn chuong_and_muc_heading_forms() {
        let text = "CHƯƠNG I\n\
                    QUY ĐỊNH\n\
                    CHUNG\n\
                    Điều 1. Một\n\
                    Chương II của Bộ luật này là một tham chiếu.\n\
                    Chương II. Quy định cụ thể\n\
                    Mục 1: ĐẤT Ở\n\
                    Điều 2: Hai\n\
                    Mục 3. Không phải mục\n\
                    MỤC 2 - ĐẤT CÔNG CỘNG\n\
                    Điều 3.\n\
                    Chương III NỘI DUNG KHÁC\n\
                    Mục 1.\n\
                    CÂY XANH\n\
                    Điều 4. Bốn";
        let doc = parse(text);
        let flat: Vec<_> = doc
            .flatten()
            .into_iter()
            .map(|(d, n)| (d, n.level, n.number.as_str(), n.heading.as_deref()))
            .collect();
        assert_eq!(
            flat,
            [
                (0, Level::Chuong, "I", Some("QUY ĐỊNH CHUNG")),
                (1, Level::Dieu, "1", Some("Một")),
                (0, Level::Chuong, "II", Some("Quy định cụ thể")),
                (1, Level::Muc, "1", Some("ĐẤT Ở")),
                (2, Level::Dieu, "2", Some("Hai")),
                (1, Level::Muc, "2", Some("ĐẤT CÔNG CỘNG")),
                (2, Level::Dieu, "3", None),
                (0, Level::Chuong, "III", Some("NỘI DUNG KHÁC")),
                (1, Level::Muc, "1", Some("CÂY XANH")),
                (2, Level::Dieu, "4", Some("Bốn")),
            ]
        );
        assert_eq!(
            doc.clauses[0].children[0].body,
            "Chương II của Bộ luật này là một tham chiếu."
        );
        assert_eq!(
            doc.clauses[1].children[0].children[0].body,
            "Mục 3. Không phải mục"
        );
    }

    #[test]
    fn phan_above_chuong() {
        let text = "PHẦN THỨ NHẤT\n\
                    NHỮNG QUY ĐỊNH CHUNG\n\
                    Chương I\n\
                    Điều 1. Một\n\
                    Phần thứ hai của Bộ luật này quy định tài sản.\n\
                    Phần thứ hai: QUYỀN SỞ HỮU\n\
                    Chương II\n\
                    Mục 1. Một\n\
                    Điều 2. Hai";
        let doc = parse(text);
        assert_eq!(doc.count(Level::Phan), 2);
        assert_eq!(doc.clauses[0].number, "THỨ NHẤT");
        assert_eq!(
            doc.clauses[0].heading.as_deref(),
            Some("NHỮNG QUY ĐỊNH CHUNG")
        );
        assert_eq!(doc.clauses[1].number, "thứ hai");
        assert_eq!(doc.clauses[1].heading.as_deref(), Some("QUYỀN SỞ HỮU"));
        let chuong_ii = &doc.clauses[1].children[0];
        assert_eq!(
            (chuong_ii.level, chuong_ii.number.as_str()),
            (Level::Chuong, "II")
        );
        assert_eq!(chuong_ii.children[0].children[0].number, "2");
    }

    #[test]
    fn khoan_only_inside_dieu_and_starting_at_one() {
        let doc = parse(
            "Chương I\n1. Không phải khoản\nĐiều 1. Một\n2. Không phải khoản\n1. Khoản một\n1a. Khoản bổ sung\n2. Khoản hai",
        );
        assert_eq!(doc.clauses[0].body, "1. Không phải khoản");
        let dieu = &doc.clauses[0].children[0];
        assert_eq!(dieu.body, "2. Không phải khoản");
        let numbers: Vec<_> = dieu.children.iter().map(|k| k.number.as_str()).collect();
        assert_eq!(numbers, ["1", "1a", "2"]);
    }

    #[test]
    fn whitespace_and_invisible_characters() {
        let doc = parse("\u{FEFF}Điều\u{A0}1.\tPhạm   vi\u{200B}\n   1.\u{A0}Khoản một.  ");
        let dieu = &doc.clauses[0];
        assert_eq!(dieu.heading.as_deref(), Some("Phạm vi"));
        assert_eq!(dieu.children[0].body, "Khoản một.");
    }

    #[test]
    fn roman_numerals_are_canonical() {
        assert_eq!(roman("XIV:"), Some((14, 3)));
        assert_eq!(roman("XVII"), Some((17, 4)));
        assert_eq!(roman("IIII"), None);
        assert_eq!(roman("VIỆC"), None);
        assert_eq!(roman("IC"), None);
    }

    #[test]
    fn level_names_and_json() {
        let names: Vec<_> = [
            Level::Phan,
            Level::Chuong,
            Level::Muc,
            Level::Dieu,
            Level::Khoan,
            Level::Diem,
        ]
        .into_iter()
        .map(Level::as_str)
        .collect();
        assert_eq!(names, ["phan", "chuong", "muc", "dieu", "khoan", "diem"]);
        let doc = parse("Điều 1. Một\n1. Khoản");
        let json = serde_json::to_value(&doc).unwrap();
        assert_eq!(json["clauses"][0]["level"], "dieu");
        assert_eq!(json["clauses"][0]["children"][0]["level"], "khoan");
        let back: ParsedDocument = serde_json::from_value(json).unwrap();
        assert_eq!(back, doc);
    }
}
