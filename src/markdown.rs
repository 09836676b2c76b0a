//! Markdown written by agencies (a consultation's presentation text) turned into HTML that is
//! safe to put in a page as it is.
//!
//! Only what a text needs comes out: paragraphs, lists, emphasis, headings (demoted to `h3`–`h6`
//! so they sit under the page's own `h1`/`h2`), tables, code and links. Raw HTML in the source is
//! shown as text, never interpreted; links keep only `http`, `https`, `mailto` and relative
//! addresses (any other scheme, such as `javascript:`, leaves the link text alone); external
//! links get `rel="nofollow noopener"`; images are not loaded from elsewhere: the image syntax
//! becomes a link to the image, named by its alt text.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// Renders Markdown to HTML that can be inserted unescaped into a page.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut events = Vec::new();
    // For every link or image opened: whether an `<a>` was written for it (so its end closes it).
    let mut anchors: Vec<bool> = Vec::new();
    for event in Parser::new_ext(markdown, options) {
        match event {
            // Raw HTML is shown as the text it is; a block of it becomes a paragraph.
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            Event::Start(Tag::HtmlBlock) => events.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => events.push(Event::End(TagEnd::Paragraph)),
            Event::Start(Tag::Heading { level, .. }) => events.push(Event::Start(Tag::Heading {
                level: demote(level),
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            })),
            Event::End(TagEnd::Heading(level)) => {
                events.push(Event::End(TagEnd::Heading(demote(level))));
            }
            Event::Start(Tag::Link {
                dest_url, title, ..
            })
            | Event::Start(Tag::Image {
                dest_url, title, ..
            }) => match anchor(&dest_url, &title) {
                Some(open) => {
                    anchors.push(true);
                    events.push(Event::Html(CowStr::from(open)));
                }
                None => anchors.push(false),
            },
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if anchors.pop().unwrap_or(false) {
                    events.push(Event::Html(CowStr::Borrowed("</a>")));
                }
            }
            other => events.push(other),
        }
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    out
}

/// Headings of the text sit two levels below the page's own.
fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Where a link may point.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// Another site (`http`, `https`, `//host`, `mailto`).
    External,
    /// A page of this site.
    Local,
}

/// Classifies a link address; `None` for schemes that are not allowed.
fn target(url: &str) -> Option<Target> {
    // Browsers ignore tabs and newlines inside addresses ("java\tscript:"): refuse them all.
    if url.chars().any(|c| c.is_control()) {
        return None;
    }
    let url = url.trim();
    if url.starts_with("//") {
        return Some(Target::External);
    }
    // A scheme is what stands before the first ':' when no '/', '?' or '#' comes earlier.
    let scheme_end = url.find([':', '/', '?', '#']);
    match scheme_end {
        Some(end) if url[end..].starts_with(':') => {
            let scheme = url[..end].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto").then_some(Target::External)
        }
        _ => Some(Target::Local),
    }
}

/// The opening `<a>` tag of a link, or `None` when its address is not allowed.
fn anchor(url: &str, title: &str) -> Option<String> {
    let target = target(url)?;
    let mut tag = format!("<a href=\"{}\"", escape_attribute(url.trim()));
    if !title.is_empty() {
        tag.push_str(&format!(" title=\"{}\"", escape_attribute(title)));
    }
    if target == Target::External {
        tag.push_str(" rel=\"nofollow noopener\"");
    }
    tag.push('>');
    Some(tag)
}

/// Escapes text for a double-quoted attribute value.
fn escape_attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn renders_the_usual_markdown() {
        let html = to_safe_html(
            "# Mục tiêu\n\nĐoạn *nhấn mạnh* và **đậm**.\n\n- một\n- hai\n\n| A | B |\n|---|---|\n| 1 | 2 |\n",
        );
        assert!(html.contains("<h3>Mục tiêu</h3>"), "{html}");
        assert!(html.contains("<em>nhấn mạnh</em>"), "{html}");
        assert!(html.contains("<strong>đậm</strong>"), "{html}");
        assert!(html.contains("<li>một</li>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
    }

    #[test]
    fn keeps_vietnamese_text_intact() {
        let text = "Quy hoạch phân khu phường Ninh Kiều, thành phố Cần Thơ: đường Nguyễn Trãi.";
        let html = to_safe_html(text);
        assert_eq!(html, format!("<p>{text}</p>\n"));
    }

    #[test]
    fn headings_are_demoted() {
        let html = to_safe_html("# a\n\n## b\n\n### c\n\n#### d\n\n###### e\n");
        for expected in [
            "<h3>a</h3>",
            "<h4>b</h4>",
            "<h5>c</h5>",
            "<h6>d</h6>",
            "<h6>e</h6>",
        ] {
            assert!(html.contains(expected), "{expected} in {html}");
        }
        assert!(!html.contains("<h1") && !html.contains("<h2"), "{html}");
    }

    #[test]
    fn script_tags_are_escaped() {
        let html =
            to_safe_html("Trước\n\n<script>alert('x')</script>\n\nsau <script>alert(1)</script>");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn javascript_links_lose_their_address() {
        for source in [
            "[bấm](javascript:alert(1))",
            "[bấm](JavaScript:alert(1))",
            "[bấm](  javascript:alert(1))",
            "[bấm](<java\tscript:alert(1)>)",
            "[bấm](data:text/html;base64,PHNjcmlwdD4=)",
            "<javascript:alert(1)>",
            "[bấm][x]\n\n[x]: vbscript:msgbox",
        ] {
            let html = to_safe_html(source);
            assert!(!html.contains("<a"), "{source} gave {html}");
            assert!(
                !html.to_ascii_lowercase().contains("href"),
                "{source} gave {html}"
            );
        }
        assert_eq!(to_safe_html("[bấm](javascript:alert(1))"), "<p>bấm</p>\n");
    }

    #[test]
    fn allowed_links_are_kept() {
        let html = to_safe_html("[Sở Xây dựng](https://soxaydung.cantho.gov.vn \"SXD\")");
        assert!(
            html.contains(
                "<a href=\"https://soxaydung.cantho.gov.vn\" title=\"SXD\" rel=\"nofollow noopener\">Sở Xây dựng</a>"
            ),
            "{html}"
        );
        let html = to_safe_html("[thư](mailto:gopy@cantho.gov.vn)");
        assert!(
            html.contains("href=\"mailto:gopy@cantho.gov.vn\""),
            "{html}"
        );
        let html = to_safe_html("[điều 5](/consultations/abc#dieu-5)");
        assert!(
            html.contains("<a href=\"/consultations/abc#dieu-5\">điều 5</a>"),
            "{html}"
        );
    }

    #[test]
    fn onerror_attributes_stay_text() {
        let html =
            to_safe_html("<img src=x onerror=alert(1)>\n\nảnh <img src=x onerror=\"alert(1)\">");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
        // A link title cannot break out of its attribute either.
        let html = to_safe_html("[a](/x \"\\\" onmouseover=alert(1) x=\\\"\")");
        assert!(!html.contains("\" onmouseover"), "{html}");
    }

    #[test]
    fn html_comments_are_shown_as_text() {
        let html = to_safe_html("<!-- ẩn --><b>đậm</b>\n\nchữ <!-- ẩn -->");
        assert!(!html.contains("<!--"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;!-- ẩn --&gt;"), "{html}");
    }

    #[test]
    fn images_become_links() {
        let html = to_safe_html("![Bản đồ](https://example.com/map.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains(
                "<a href=\"https://example.com/map.png\" rel=\"nofollow noopener\">Bản đồ</a>"
            ),
            "{html}"
        );
        let html = to_safe_html("![x](javascript:alert(1))");
        assert!(!html.contains("<a") && !html.contains("<img"), "{html}");
    }
}
