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
pub fn fold(input: &str) -> String {
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
}
