//! Text as XML 1.0 character data.

/// Escapes `text` for an element or a double-quoted attribute, dropping the characters XML 1.0
/// cannot carry (C0 controls other than tab and newlines, U+FFFE, U+FFFF).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' => out.push(c),
            '\r' => {}
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_is_escaped_and_controls_dropped() {
        assert_eq!(
            escape("<b>\"Đường\" & 3 > 2</b>\u{1}\r\n"),
            "&lt;b&gt;&quot;Đường&quot; &amp; 3 &gt; 2&lt;/b&gt;\n"
        );
    }
}
