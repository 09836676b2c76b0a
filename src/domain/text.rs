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
