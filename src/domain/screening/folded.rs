//! The folded view of a text that every detector reads, with the way back to the original.
//!
//! Detectors match on lowercase ASCII-like text so that "Căn cước", "CAN CUOC" and "can cuoc"
//! look the same; each folded byte remembers which original character it came from, so a match
//! in the folded text maps back to an exact byte range of the original.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use super::{Finding, FlagKind};

/// A text folded as [`crate::domain::text::fold`] folds it, one character at a time.
pub(crate) struct Folded<'a> {
    /// The original text.
    pub original: &'a str,
    /// The folded text: lowercase, Vietnamese marks removed, `đ` → `d`.
    pub text: String,
    /// For each byte of `text`, the byte range of the original character it comes from.
    origin: Vec<(u32, u32)>,
}

impl<'a> Folded<'a> {
    /// Folds `original`, keeping the mapping back to it.
    pub fn new(original: &'a str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        for (start, c) in original.char_indices() {
            let end = start + c.len_utf8();
            let before = text.len();
            fold_char(c, &mut text);
            let span = (to_u32(start), to_u32(end));
            origin.resize(origin.len() + (text.len() - before), span);
        }
        Folded {
            original,
            text,
            origin,
        }
    }

    /// The original byte range behind the folded byte range `start..end`, if it is not empty.
    pub fn original_range(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end || end > self.origin.len() {
            return None;
        }
        let first = self.origin[start].0 as usize;
        let last = self.origin[end - 1].1 as usize;
        (first < last).then_some((first, last))
    }

    /// A finding of `kind` for the folded range `start..end`, located in the original text.
    pub fn finding(&self, kind: FlagKind, start: usize, end: usize) -> Option<Finding> {
        let (start, end) = self.original_range(start, end)?;
        let text = self.original.get(start..end)?.to_owned();
        Some(Finding {
            kind,
            start,
            end,
            text,
        })
    }

    /// The original text behind the folded range `start..end` ("" when out of range).
    pub fn original_text(&self, start: usize, end: usize) -> &'a str {
        self.original_range(start, end)
            .and_then(|(s, e)| self.original.get(s..e))
            .unwrap_or("")
    }
}

/// Appends the folded form of `c` to `out`, as `text::fold` would fold it.
pub(crate) fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    decompose_canonical(c, |d| {
        if is_combining_mark(d) {
            return;
        }
        match d {
            'đ' | 'Đ' => out.push('d'),
            d => out.extend(d.to_lowercase()),
        }
    });
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_like_the_text_module() {
        let samples = [
            "Nguyễn Văn Đức, ấp Thới Hòa, CĂN CƯỚC công dân",
            "ạảãàáâậầấẩẫăắằặẳẵóòọõỏôộổỗồốơờớợởỡéèẻẹẽêếềệểễúùụủũưựữửừứíìịỉĩýỳỷỵỹđ",
            "emoji 🙂 and Ωmega ß",
        ];
        for s in samples {
            assert_eq!(Folded::new(s).text, crate::domain::text::fold(s), "{s}");
        }
    }

    #[test]
    fn maps_folded_ranges_back_to_original_bytes() {
        let folded = Folded::new("Số nhà: 12 Đường");
        let at = folded.text.find("duong").expect("folded");
        let (start, end) = folded
            .original_range(at, at + "duong".len())
            .expect("range");
        assert_eq!(&folded.original[start..end], "Đường");
    }
}
