//! Hiding spans of a text, and converting span offsets between bytes and characters.
//!
//! Findings carry byte offsets (what Rust slices with); API clients count characters, so
//! [`char_range`] and [`byte_range`] convert between the two.

/// What replaces each hidden span of personal data.
pub const REDACTION_MARK: &str = "[đã ẩn thông tin cá nhân]";

/// Replaces the byte ranges `ranges` of `text` by [`REDACTION_MARK`], one mark for ranges that
/// overlap or touch.
///
/// Ranges are clipped to the text; a range that is empty, reversed or that does not fall on
/// character boundaries is ignored. Never panics.
pub fn redact(text: &str, ranges: &[(usize, usize)]) -> String {
    let mut valid: Vec<(usize, usize)> = ranges
        .iter()
        .map(|&(start, end)| (start, end.min(text.len())))
        .filter(|&(start, end)| {
            start < end && text.is_char_boundary(start) && text.is_char_boundary(end)
        })
        .collect();
    valid.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(valid.len());
    for (start, end) in valid {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = String::with_capacity(text.len() + merged.len() * REDACTION_MARK.len());
    let mut at = 0;
    for (start, end) in merged {
        out.push_str(&text[at..start]);
        out.push_str(REDACTION_MARK);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// The character (Unicode scalar value) offsets of the byte range `start..end` of `text`.
///
/// Offsets past the end are clipped to the text; an offset inside a character counts that
/// character as started (so the range still covers it).
pub fn char_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    (
        chars_before(text, start, false),
        chars_before(text, end, true),
    )
}

/// The byte offsets of the character range `start_char..end_char` of `text`, or `None` when
/// the range is reversed or goes past the end of the text.
pub fn byte_range(text: &str, start_char: usize, end_char: usize) -> Option<(usize, usize)> {
    if start_char > end_char {
        return None;
    }
    let mut offsets = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()));
    let start = offsets.nth(start_char)?;
    if end_char == start_char {
        return Some((start, start));
    }
    let end = offsets.nth(end_char - start_char - 1)?;
    Some((start, end))
}

/// Number of characters that start before byte `offset` (rounding a split character up to a
/// whole one when `round_up`, else down).
fn chars_before(text: &str, offset: usize, round_up: bool) -> usize {
    let offset = offset.min(text.len());
    let mut boundary = offset;
    while !text.is_char_boundary(boundary) {
        boundary -= 1;
    }
    let count = text[..boundary].chars().count();
    if round_up && boundary < offset {
        count + 1
    } else {
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_each_span_once_and_merges_touching_ones() {
        let text = "Gọi 0912345678 hoặc 0987654321.";
        let a = text.find("0912").expect("a");
        let b = text.find("0987").expect("b");
        let hidden = redact(text, &[(b, b + 10), (a, a + 10), (a + 2, a + 5)]);
        assert_eq!(
            hidden,
            format!("Gọi {REDACTION_MARK} hoặc {REDACTION_MARK}.")
        );
        let touching = redact("abcdef", &[(0, 2), (2, 4)]);
        assert_eq!(touching, format!("{REDACTION_MARK}ef"));
    }

    #[test]
    fn ignores_ranges_that_are_not_on_character_boundaries_or_out_of_the_text() {
        let text = "Đường số 5";
        assert_eq!(redact(text, &[(1, 3)]), text, "inside Đ");
        assert_eq!(redact(text, &[(5, 2)]), text, "reversed");
        assert_eq!(redact(text, &[(100, 200)]), text, "past the end");
        let from_five = redact(text, &[(text.find('5').expect("5"), 999)]);
        assert_eq!(from_five, format!("Đường số {REDACTION_MARK}"));
    }

    #[test]
    fn converts_between_bytes_and_characters() {
        let text = "Số điện thoại: 0912";
        let start = text.find("0912").expect("digits");
        let (cs, ce) = char_range(text, start, start + 4);
        assert_eq!((cs, ce), (15, 19));
        assert_eq!(byte_range(text, cs, ce), Some((start, start + 4)));
        assert_eq!(byte_range(text, 0, 2), Some((0, "Số".len())));
        assert_eq!(byte_range(text, 19, 19), Some((text.len(), text.len())));
        assert_eq!(byte_range(text, 3, 20), None);
        assert_eq!(byte_range(text, 4, 3), None);
        // A byte offset inside "ố" covers the whole letter.
        assert_eq!(char_range(text, 2, 3), (1, 2));
        assert_eq!(char_range(text, 0, 9999), (0, 19));
    }
}
