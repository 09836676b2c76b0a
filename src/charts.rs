//! Charts drawn on the server as SVG, for reports and the supervision dashboard.
//!
//! They are meant to be printed as well as seen: black, white and one grey, with every value
//! written next to its bar, so a photocopy in black and white loses nothing. Each chart has a
//! `<title>` and a `<desc>` for screen readers, and pages show the same figures in a table beside
//! it. Every piece of text is escaped here, so the SVG can be inserted in a page as it is.

use std::fmt::Write;

/// One bar: a label, a value, and where the figures behind it can be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Text on the left of the bar (a stance, a clause, an agency...).
    pub label: String,
    /// The value drawn.
    pub value: f64,
    /// Text written at the end of the bar ("12", "87 %").
    pub value_text: String,
    /// A link to what the bar counts (a filtered list of comments), if any.
    pub href: Option<String>,
}

impl Bar {
    /// A bar for a count, written as the number itself.
    pub fn count(label: impl Into<String>, value: u64) -> Self {
        Self {
            label: label.into(),
            value: value as f64,
            value_text: format_count(value),
            href: None,
        }
    }

    /// A bar for a share, drawn against 100 and written as a whole percentage.
    pub fn percent(label: impl Into<String>, share: f64) -> Self {
        let share = if share.is_finite() {
            share.clamp(0.0, 1.0)
        } else {
            0.0
        };
        Self {
            label: label.into(),
            value: share * 100.0,
            value_text: format!("{} %", (share * 100.0).round()),
            href: None,
        }
    }

    /// The same bar, linking to `href`.
    pub fn linked(mut self, href: impl Into<String>) -> Self {
        self.href = Some(href.into());
        self
    }
}

/// A chart rendered as an SVG element, safe to insert into a page unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Svg(String);

impl Svg {
    /// The SVG markup.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Svg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 220.0;
const VALUE_WIDTH: f64 = 70.0;
const ROW: f64 = 26.0;
const BAR: f64 = 16.0;
/// Longest label drawn, in characters; the full label stays in the bar's tooltip and the table.
const LABEL_CHARS: usize = 27;

/// Draws horizontal bars, one row per bar, longest scale `max` (or the largest value).
///
/// `max` is `Some(100.0)` for percentages, so two charts of shares compare; counts pass `None`.
pub fn horizontal_bars(title: &str, description: &str, bars: &[Bar], max: Option<f64>) -> Svg {
    let largest = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let scale_max = max.unwrap_or(largest).max(f64::MIN_POSITIVE);
    let height = (bars.len().max(1) as f64) * ROW + 8.0;
    let plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let mut out = String::new();
    open_svg(&mut out, WIDTH, height, title, description);
    if bars.is_empty() {
        out.push_str(r#"<text x="0" y="18" class="chart__empty">–</text>"#);
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = 4.0 + i as f64 * ROW;
        let length = (bar.value.max(0.0) / scale_max).min(1.0) * plot;
        let fill = if i % 2 == 0 { "#000" } else { "#777" };
        if let Some(href) = &bar.href {
            let _ = write!(out, r#"<a href="{}">"#, escape(href));
        }
        let _ = write!(
            out,
            r##"<g><title>{label}: {value}</title><text x="{lx}" y="{ty}" text-anchor="end" font-size="13">{short}</text><rect x="{bx}" y="{y}" width="{length:.1}" height="{BAR}" fill="{fill}" stroke="#000" stroke-width="1"/><text x="{vx:.1}" y="{ty}" font-size="13">{value}</text></g>"##,
            label = escape(&bar.label),
            value = escape(&bar.value_text),
            short = escape(&shorten(&bar.label, LABEL_CHARS)),
            lx = LABEL_WIDTH - 8.0,
            ty = y + BAR - 3.0,
            bx = LABEL_WIDTH,
            vx = LABEL_WIDTH + length + 6.0,
        );
        if bar.href.is_some() {
            out.push_str("</a>");
        }
    }
    out.push_str("</svg>");
    Svg(out)
}

/// Draws columns over time (a value per day, week or month), labels under every `label_every`-th column.
pub fn columns(title: &str, description: &str, bars: &[Bar], label_every: usize) -> Svg {
    let height = 220.0;
    let plot_top = 20.0;
    let plot_bottom = height - 30.0;
    let largest = bars
        .iter()
        .map(|b| b.value)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let slot = (WIDTH - 40.0) / bars.len().max(1) as f64;
    let width = (slot * 0.7).max(1.0);
    let every = label_every.max(1);
    let mut out = String::new();
    open_svg(&mut out, WIDTH, height, title, description);
    let _ = write!(
        out,
        r##"<line x1="30" y1="{plot_bottom}" x2="{WIDTH}" y2="{plot_bottom}" stroke="#000"/><text x="26" y="{ty}" text-anchor="end" font-size="11">{max}</text><text x="26" y="{plot_bottom}" text-anchor="end" font-size="11">0</text>"##,
        ty = plot_top + 4.0,
        max = format_count(largest.round() as u64),
    );
    for (i, bar) in bars.iter().enumerate() {
        let h = (bar.value.max(0.0) / largest) * (plot_bottom - plot_top);
        let x = 34.0 + i as f64 * slot;
        if let Some(href) = &bar.href {
            let _ = write!(out, r#"<a href="{}">"#, escape(href));
        }
        let _ = write!(
            out,
            r##"<g><title>{label}: {value}</title><rect x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{h:.1}" fill="#555" stroke="#000" stroke-width="1"/></g>"##,
            label = escape(&bar.label),
            value = escape(&bar.value_text),
            y = plot_bottom - h,
        );
        if bar.href.is_some() {
            out.push_str("</a>");
        }
        if i % every == 0 {
            let _ = write!(
                out,
                r#"<text x="{tx:.1}" y="{ly}" font-size="11" text-anchor="middle">{label}</text>"#,
                tx = x + width / 2.0,
                ly = plot_bottom + 16.0,
                label = escape(&shorten(&bar.label, 12)),
            );
        }
    }
    out.push_str("</svg>");
    Svg(out)
}

fn open_svg(out: &mut String, width: f64, height: f64, title: &str, description: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" font-family="sans-serif"><title>{title}</title><desc>{desc}</desc>"#,
        title = escape(title),
        desc = escape(description),
    );
}

/// Escapes text for SVG content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Cuts `text` to `chars` characters, ending with an ellipsis when it was longer.
fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(chars.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// Writes a count the Vietnamese way, with dots between thousands: 12.345.
pub fn format_count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_links_are_escaped() {
        let bars = [Bar::count("<script>alert(1)</script> & co", 3).linked("/x?a=1&b=\"2\"")];
        let svg = horizontal_bars("T <b>", "D", &bars, None);
        let s = svg.as_str();
        assert!(!s.contains("<script>"), "{s}");
        assert!(s.contains("&lt;script&gt;"));
        assert!(s.contains(r#"href="/x?a=1&amp;b=&quot;2&quot;""#));
        assert!(s.contains("<title>T &lt;b&gt;</title>"));
    }

    #[test]
    fn bars_are_scaled_to_the_largest_value_or_the_given_maximum() {
        let bars = [Bar::count("a", 10), Bar::count("b", 5)];
        let s = horizontal_bars("t", "d", &bars, None).0;
        let plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        assert!(s.contains(&format!(r#"width="{plot:.1}""#)));
        assert!(s.contains(&format!(r#"width="{:.1}""#, plot / 2.0)));
        let shares = [Bar::percent("on time", 0.5)];
        let s = horizontal_bars("t", "d", &shares, Some(100.0)).0;
        assert!(s.contains(&format!(r#"width="{:.1}""#, plot / 2.0)));
        assert!(s.contains(">50 %<"));
    }

    #[test]
    fn values_are_written_next_to_their_bars() {
        let s = columns("t", "d", &[Bar::count("01/12", 1234)], 1).0;
        assert!(s.contains("<title>01/12: 1.234</title>"));
    }

    #[test]
    fn counts_use_dots_between_thousands() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1.000");
        assert_eq!(format_count(1234567), "1.234.567");
    }

    #[test]
    fn long_labels_are_shortened_by_characters() {
        assert_eq!(shorten("Điều 1", 10), "Điều 1");
        assert_eq!(shorten("Nhà ở xã hội", 5), "Nhà …");
    }
}
