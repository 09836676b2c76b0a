//! Vietnamese text analysis for search.
//!
//! Vietnamese is written in syllables separated by spaces ("nhà ở xã hội" is one word of four
//! syllables), and people type it in several ways: composed or decomposed Unicode (phones and word
//! processors send "o" followed by combining marks), with the tone mark on either vowel of "oa",
//! "oe" and "uy" ("hòa" or "hoà"), or with no diacritics at all ("nha o xa hoi"). Search indexes
//! each text three times, with one tokenizer per field:
//!
//! - [`VI_EXACT`]: syllables as written, in NFC with one tone placement ([`normalize_tones`]) and
//!   lower case. A query typed with diacritics matches here first.
//! - [`VI_FOLDED`]: the same syllables folded to ASCII ("đường" → "duong"). A query typed without
//!   diacritics matches every accented spelling here.
//! - [`VI_BIGRAMS`]: folded pairs of adjacent syllables joined by `_` ("cay_xanh"), never across
//!   sentence punctuation or a line break. Multi-syllable words rank above the same syllables
//!   scattered through a text.
//!
//! Every token's `offset_from..offset_to` is a byte range of the *original* text, even when the
//! text was decomposed, so highlighted snippets slice the stored text at the right place.
//!
//! A query is built from the same analysis ([`query_exact_syllables`], [`query_syllables`],
//! [`query_bigrams`]) as one `BooleanQuery` of `Should` clauses:
//!
//! - every folded syllable as a `TermQuery` on the folded field, boost 1.0;
//! - when [`is_query_accented`], every exact syllable on the exact field, boost 2.0, so
//!   exact-accent matches rank first;
//! - every bigram on the bigram field, boost 1.5;
//! - for typo tolerance, a `FuzzyTermQuery` (distance [`FUZZY_DISTANCE`], transpositions cost one)
//!   on the folded field, but only for the syllables [`fuzzy_candidates`] returns: those no
//!   document contains. Fuzzy matching on a syllable the index knows would turn "cuong" into
//!   "cong" and "duong" and drown the exact hits.

use tantivy::Term;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer, TokenizerManager};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::domain::text::fold;

/// Tokenizer name of the accent-preserving field.
pub const VI_EXACT: &str = "vi_exact";
/// Tokenizer name of the field folded to ASCII.
pub const VI_FOLDED: &str = "vi_folded";
/// Tokenizer name of the field of folded adjacent-syllable pairs.
pub const VI_BIGRAMS: &str = "vi_bigrams";

/// Joins the two syllables of a bigram token ("cay_xanh"). Never part of a syllable, since the
/// tokenizers split on it.
pub const BIGRAM_JOINER: char = '_';

/// Words longer than this many characters are not indexed. The longest Vietnamese syllable has
/// seven letters ("nghiêng"); longer runs are codes, links or noise.
pub const MAX_WORD_CHARS: usize = 40;

/// Edit distance of the fuzzy queries built from [`fuzzy_candidates`].
pub const FUZZY_DISTANCE: u8 = 1;

/// Shortest syllable (in characters) worth a fuzzy query: one edit away from a short syllable
/// ("cog") lies half the dictionary ("co", "con", "cong", "cu", ...).
pub const FUZZY_MIN_CHARS: usize = 4;

/// Registers [`VI_EXACT`], [`VI_FOLDED`] and [`VI_BIGRAMS`] with a tokenizer manager (usually
/// `index.tokenizers()`); do it before indexing or searching.
pub fn register(manager: &TokenizerManager) {
    manager.register(VI_EXACT, VietnameseTokenizer::new(Analysis::Exact));
    manager.register(VI_FOLDED, VietnameseTokenizer::new(Analysis::Folded));
    manager.register(VI_BIGRAMS, VietnameseTokenizer::new(Analysis::Bigrams));
}

/// What a [`VietnameseTokenizer`] emits for each syllable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Analysis {
    /// NFC, one tone placement, lower case, diacritics kept ("hòa").
    Exact,
    /// Lower-case ASCII ("hoa"; "đ" becomes "d").
    Folded,
    /// Folded pairs of adjacent syllables ("hoa_binh").
    Bigrams,
}

/// A tantivy tokenizer for Vietnamese; see the module documentation.
#[derive(Clone, Debug)]
pub struct VietnameseTokenizer {
    analysis: Analysis,
    tokens: Vec<Token>,
}

impl VietnameseTokenizer {
    /// A tokenizer producing the given analysis.
    pub fn new(analysis: Analysis) -> Self {
        Self {
            analysis,
            tokens: Vec::new(),
        }
    }
}

impl Tokenizer for VietnameseTokenizer {
    type TokenStream<'a> = VietnameseTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.tokens.clear();
        analyze_into(text, self.analysis, &mut self.tokens);
        VietnameseTokenStream {
            tokens: &mut self.tokens,
            cursor: 0,
            empty: Token::default(),
        }
    }
}

/// The tokens of one text, computed up front (a bigram needs the next syllable).
pub struct VietnameseTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    /// Index of the current token plus one; 0 before the first `advance`.
    cursor: usize,
    empty: Token,
}

impl TokenStream for VietnameseTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.cursor < self.tokens.len() {
            self.cursor += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        match self.cursor.checked_sub(1) {
            Some(i) => &self.tokens[i],
            None => &self.empty,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.cursor.checked_sub(1) {
            Some(i) => &mut self.tokens[i],
            None => &mut self.empty,
        }
    }
}

/// The folded syllables of a query, for the [`VI_FOLDED`] field ("Đường Hoà" → "duong", "hoa").
pub fn query_syllables(query: &str) -> Vec<String> {
    terms(query, Analysis::Folded)
}

/// The exact syllables of a query, for the [`VI_EXACT`] field ("Đường Hoà" → "đường", "hòa").
pub fn query_exact_syllables(query: &str) -> Vec<String> {
    terms(query, Analysis::Exact)
}

/// The folded bigrams of a query, for the [`VI_BIGRAMS`] field ("cây xanh" → "cay_xanh").
pub fn query_bigrams(query: &str) -> Vec<String> {
    terms(query, Analysis::Bigrams)
}

/// Whether the query carries Vietnamese diacritics (tone or vowel marks, or "đ"), meaning the
/// person typed accents on purpose and exact-accent matches deserve a boost.
pub fn is_query_accented(query: &str) -> bool {
    query
        .nfd()
        .any(|c| is_combining_mark(c) || matches!(c, 'đ' | 'Đ'))
}

/// The syllables of `syllables` (folded, as from [`query_syllables`]) that deserve a fuzzy query
/// on the folded field: at least [`FUZZY_MIN_CHARS`] characters, not a number, and found in no
/// document of `folded` (document frequency zero). A syllable the index knows is never expanded.
pub fn fuzzy_candidates(
    stats: &dyn Bm25StatisticsProvider,
    folded: Field,
    syllables: &[String],
) -> tantivy::Result<Vec<String>> {
    let mut candidates = Vec::new();
    for syllable in syllables {
        if syllable.chars().count() < FUZZY_MIN_CHARS
            || syllable.chars().all(|c| c.is_numeric())
            || candidates.contains(syllable)
        {
            continue;
        }
        if stats.doc_freq(&Term::from_field_text(folded, syllable))? == 0 {
            candidates.push(syllable.clone());
        }
    }
    Ok(candidates)
}

/// NFC with one tone-mark placement, so that every spelling of a syllable compares equal.
///
/// The rule, applied to each word of the text that has exactly one tone mark (grave, acute,
/// hook above, tilde or dot below) on a vowel and a single run of vowels:
///
/// 1. "qu" and "gi" followed by another vowel are onsets: their "u"/"i" is not a candidate
///    ("quý", "giữa"; but "gìn").
/// 2. A vowel with its own mark (ă â ê ô ơ ư) takes the tone; with two ("ươ"), the second one
///    ("người", "thuở", "thuế", "khuyến").
/// 3. Otherwise, with a final consonant, the last vowel takes it ("hoàng", "toán", "huỳnh").
/// 4. Otherwise, two vowels: the first ("hòa", "khỏe", "thủy", "mái", "túi").
/// 5. Otherwise, three vowels: the middle one ("ngoài", "khuỷu", "ngoẹo").
///
/// This is the traditional placement for "oa", "oe" and "uy" (hòa, khỏe, thủy), the one common
/// keyboard settings and most published text use; the reformed placement puts those tones on
/// the second vowel (hoà, khoẻ, thuỷ) and becomes the same text here. Words outside the rule
/// (several tone marks, vowels in several runs such as "café", a tone on a consonant) are only
/// composed to NFC. Letter case is kept.
pub fn normalize_tones(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for word in words(text) {
        out.extend(text[last..word.from].nfc());
        out.push_str(&place_tone(&text[word.from..word.to]));
        last = word.to;
    }
    out.extend(text[last..].nfc());
    out
}

const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

fn is_tone_mark(c: char) -> bool {
    TONE_MARKS.contains(&c)
}

/// A Vietnamese vowel letter (lower case, composed, without tone).
fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'a' | 'ă' | 'â' | 'e' | 'ê' | 'i' | 'o' | 'ô' | 'ơ' | 'u' | 'ư' | 'y'
    )
}

/// A vowel carrying its own mark, which takes the tone before any plain vowel.
fn has_vowel_mark(c: char) -> bool {
    matches!(c, 'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư')
}

fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// One word in NFC with its tone mark moved where [`normalize_tones`] puts it.
fn place_tone(word: &str) -> String {
    if word.is_ascii() {
        return word.to_owned();
    }
    let decomposed: Vec<char> = word.nfd().collect();
    let mut tone = None;
    let mut tones = 0;
    let mut carrier = None;
    for c in &decomposed {
        if is_tone_mark(*c) {
            tones += 1;
            tone = Some(*c);
        } else if !is_combining_mark(*c) && tones == 0 {
            carrier = Some(lower(*c));
        }
    }
    let (Some(tone), 1, Some(carrier)) = (tone, tones, carrier) else {
        return word.nfc().collect();
    };
    let base: Vec<char> = decomposed
        .iter()
        .filter(|c| !is_tone_mark(**c))
        .collect::<String>()
        .nfc()
        .collect();
    // Decomposed, every vowel's base letter is plain: the tone was on a vowel.
    let carrier_is_vowel = matches!(carrier, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let position = match tone_position(&base) {
        Some(position) if carrier_is_vowel => position,
        _ => return word.nfc().collect(),
    };
    let mut placed = String::with_capacity(word.len() + 2);
    for (i, c) in base.iter().enumerate() {
        placed.push(*c);
        if i == position {
            placed.push(tone);
        }
    }
    placed.nfc().collect()
}

/// Index in `base` (a composed word without tone) of the vowel that takes the tone, or `None`
/// when the word does not look like one Vietnamese syllable.
fn tone_position(base: &[char]) -> Option<usize> {
    let letters: Vec<char> = base.iter().map(|c| lower(*c)).collect();
    let first = letters.iter().position(|c| is_vowel(*c))?;
    let end = first
        + letters[first..]
            .iter()
            .take_while(|c| is_vowel(**c))
            .count();
    if letters[end..].iter().any(|c| is_vowel(*c)) || !letters.iter().all(|c| c.is_alphabetic()) {
        return None;
    }
    let mut start = first;
    if end - start >= 2 && start >= 1 {
        let onset = (letters[start - 1], letters[start]);
        if onset == ('q', 'u') || (onset == ('g', 'i') && start == 1) {
            start += 1;
        }
    }
    if let Some(marked) = (start..end).rev().find(|i| has_vowel_mark(letters[*i])) {
        return Some(marked);
    }
    let has_final = end < letters.len();
    match (end - start, has_final) {
        (1, _) => Some(start),
        (_, true) => Some(end - 1),
        (2, false) => Some(start),
        (3, false) => Some(start + 1),
        _ => None,
    }
}

/// A word of the original text: a run of letters, digits and combining marks.
struct Word {
    from: usize,
    to: usize,
    /// Sentence punctuation or a line break separates it from the previous word.
    breaks_chain: bool,
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    crate::domain::text::is_latin_letter_or_mark(c) || c.is_alphanumeric() || is_combining_mark(c)
}

/// Characters between two words that keep them one phrase: spaces, tabs and hyphens.
fn joins_words(c: char) -> bool {
    (c.is_whitespace()
        && !matches!(
            c,
            '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
        ))
        || matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// The words of `text`, split on everything but letters, digits and combining marks (so a
/// decomposed "thô\u{301}ng" stays one word), with byte offsets into `text`.
fn words(text: &str) -> impl Iterator<Item = Word> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let mut breaks_chain = false;
        let from = loop {
            let (i, c) = chars.next()?;
            if is_word_char(c) {
                break i;
            }
            breaks_chain |= !joins_words(c);
        };
        let mut to = text.len();
        while let Some((i, c)) = chars.peek() {
            if !is_word_char(*c) {
                to = *i;
                break;
            }
            chars.next();
        }
        Some(Word {
            from,
            to,
            breaks_chain,
        })
    })
}

/// Appends the tokens of `text` under `analysis` to `tokens`.
fn analyze_into(text: &str, analysis: Analysis, tokens: &mut Vec<Token>) {
    // The previous syllable (folded) and where it starts, while a bigram may still follow it.
    let mut previous: Option<(String, usize)> = None;
    let mut position = 0;
    for word in words(text) {
        let original = &text[word.from..word.to];
        if word.breaks_chain {
            previous = None;
        }
        if !original.chars().any(char::is_alphanumeric) || original.chars().count() > MAX_WORD_CHARS
        {
            previous = None;
            continue;
        }
        let syllable = match analysis {
            Analysis::Exact => place_tone(original).to_lowercase(),
            Analysis::Folded | Analysis::Bigrams => fold(original),
        };
        if analysis == Analysis::Bigrams {
            let start = previous
                .as_ref()
                .map(|(first, from)| (format!("{first}{BIGRAM_JOINER}{syllable}"), *from));
            previous = Some((syllable, word.from));
            let Some((bigram, from)) = start else {
                continue;
            };
            tokens.push(Token {
                offset_from: from,
                offset_to: word.to,
                position,
                text: bigram,
                position_length: 1,
            });
        } else {
            tokens.push(Token {
                offset_from: word.from,
                offset_to: word.to,
                position,
                text: syllable,
                position_length: 1,
            });
        }
        position += 1;
    }
}

fn terms(text: &str, analysis: Analysis) -> Vec<String> {
    let mut tokens = Vec::new();
    analyze_into(text, analysis, &mut tokens);
    tokens.into_iter().map(|token| token.text).collect()
}

#[cfg(test)]
#[path = "analyzer_tests.rs"]
mod tests;
