//! Text as people type it: NFC-normalized, trimmed, counted in characters.

use unicode_normalization::UnicodeNormalization;

/// Normalizes to NFC and trims surrounding white space.
///
/// Phones and word processors often send decomposed Vietnamese ("o" + combining marks);
/// everything gopy stores or compares is composed first.
pub fn normalize(input: &str) -> String {
    input.nfc().collect::<String>().trim().to_owned()
}

/// Number of characters (Unicode scalar values) after normalization, not bytes.
pub fn char_len(normalized: &str) -> usize {
    normalized.chars().count()
}

/// Lowercase ASCII form of Vietnamese text: marks removed, `đ` → `d` ("Nguyễn Văn An" →
/// "nguyen van an").
///
/// Text made of ASCII, Latin letters with their marks and combining marks (all Vietnamese
/// text, composed or not) is folded a character at a time through a table; anything else goes
/// through [`fold_unicode`], which the table is computed from, so both give the same result.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        match LATIN.get(c) {
            Some(Latin::Letter(ascii)) => out.push(char::from(ascii)),
            Some(Latin::Mark) => {}
            None => return fold_unicode(input),
        }
    }
    out
}

/// Whether `c` is a Latin letter or a combining mark of the blocks [`fold`] folds by table (all
/// Vietnamese letters, composed or not); `false` says nothing about other characters.
pub fn is_latin_letter_or_mark(c: char) -> bool {
    !c.is_ascii() && LATIN.get(c).is_some()
}

/// [`fold`] by Unicode's rules: canonical decomposition, combining marks dropped, `đ` → `d`,
/// lower case.
pub fn fold_unicode(input: &str) -> String {
    input
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// What [`fold_unicode`] makes of one character of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Latin {
    /// One lowercase ASCII letter ("ệ" → "e").
    Letter(u8),
    /// Nothing (a combining mark).
    Mark,
}

/// The folded form of the Latin letters with marks (U+00C0 to U+024F), the combining marks
/// (U+0300 to U+036F) and the Latin Extended Additional block (U+1E00 to U+1EFF, where most
/// Vietnamese letters with two marks are), computed once from [`fold_unicode`].
struct LatinTable {
    low: Vec<Option<Latin>>,
    extended: Vec<Option<Latin>>,
}

const LOW: std::ops::RangeInclusive<u32> = 0xC0..=0x36F;
const EXTENDED: std::ops::RangeInclusive<u32> = 0x1E00..=0x1EFF;

impl LatinTable {
    fn new() -> Self {
        let entries = |range: std::ops::RangeInclusive<u32>| {
            range
                .map(|code| {
                    let folded = fold_unicode(&char::from_u32(code)?.to_string());
                    match folded.as_bytes() {
                        [] => Some(Latin::Mark),
                        [b] if b.is_ascii_lowercase() => Some(Latin::Letter(*b)),
                        _ => None,
                    }
                })
                .collect()
        };
        Self {
            low: entries(LOW),
            extended: entries(EXTENDED),
        }
    }

    fn get(&self, c: char) -> Option<Latin> {
        let code = u32::from(c);
        let (table, start) = if LOW.contains(&code) {
            (&self.low, *LOW.start())
        } else if EXTENDED.contains(&code) {
            (&self.extended, *EXTENDED.start())
        } else {
            return None;
        };
        table
            .get(usize::try_from(code - start).ok()?)
            .copied()
            .flatten()
    }
}

static LATIN: std::sync::LazyLock<LatinTable> = std::sync::LazyLock::new(LatinTable::new);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_every_vietnamese_letter() {
        assert_eq!(fold("Nguyễn Văn Đức"), "nguyen van duc");
        assert_eq!(fold("ệ ở ữ Ậ ỳ"), "e o u a y");
        // Decomposed input (as phones send it) folds the same.
        assert_eq!(fold("thô\u{301}ng"), "thong");
    }

    #[test]
    fn the_table_folds_as_unicode_does() {
        // Every character of the table's blocks and around them, alone and in a word.
        for code in (0..0x500).chain(0x1D00..0x1F10) {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let alone = c.to_string();
            assert_eq!(fold(&alone), fold_unicode(&alone), "U+{code:04X}");
            let word = format!("Đ{c}ƯỜNG a\u{323}");
            assert_eq!(fold(&word), fold_unicode(&word), "U+{code:04X} in a word");
        }
        for text in [
            "ΣΑΣ Σ",
            "emoji 🙂 ở đây",
            "İstanbul",
            "ǅ ǈ ǋ",
            "ﬁ ß ẞ",
            "×÷",
        ] {
            assert_eq!(fold(text), fold_unicode(text), "{text}");
        }
    }

    #[test]
    fn the_table_holds_letters_and_marks_only() {
        for code in 0..0x2000 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            if is_latin_letter_or_mark(c) {
                assert!(
                    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c),
                    "U+{code:04X}"
                );
            }
        }
        assert!(is_latin_letter_or_mark('ệ') && is_latin_letter_or_mark('\u{301}'));
        assert!(!is_latin_letter_or_mark('a') && !is_latin_letter_or_mark('×'));
    }
}
