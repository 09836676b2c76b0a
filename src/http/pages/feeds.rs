//! `/feeds/*.atom`: Atom feeds (RFC 4287) of the newest published consultations and of the
//! newest agency answers to published comments, with absolute links from the public base URL.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::{HeaderValue, StatusCode, header};

use crate::error::Result;
use crate::export::xml::escape;
use crate::services::now;
use crate::services::open_data::{self, LICENCE, SOURCE};
use crate::state::AppState;

/// Entries per feed.
pub const FEED_ENTRIES: u64 = 50;
/// The content type of a feed.
pub const ATOM: &str = "application/atom+xml; charset=utf-8";

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// One entry.
struct Entry {
    id: String,
    title: String,
    link: String,
    author: String,
    published: DateTime<Utc>,
    updated: DateTime<Utc>,
    summary: String,
}

fn feed(base: &str, path: &str, title: &str, alternate: &str, entries: &[Entry]) -> Response {
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or_else(now);
    let mut xml = String::with_capacity(4096 + entries.len() * 1024);
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">\n");
    xml.push_str(&format!(
        "  <id>{}</id>\n",
        escape(&format!("{base}{path}"))
    ));
    xml.push_str(&format!("  <title>{}</title>\n", escape(title)));
    xml.push_str(&format!("  <updated>{}</updated>\n", time(updated)));
    xml.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(&format!("{base}{path}"))
    ));
    xml.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&format!("{base}{alternate}"))
    ));
    xml.push_str("  <author><name>gopy</name></author>\n");
    xml.push_str(&format!(
        "  <rights>{}</rights>\n",
        escape(&format!("{LICENCE} · {SOURCE}"))
    ));
    for e in entries {
        xml.push_str("  <entry>\n");
        xml.push_str(&format!("    <id>{}</id>\n", escape(&e.id)));
        xml.push_str(&format!("    <title>{}</title>\n", escape(&e.title)));
        xml.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&e.link)
        ));
        xml.push_str(&format!(
            "    <author><name>{}</name></author>\n",
            escape(&e.author)
        ));
        xml.push_str(&format!(
            "    <published>{}</published>\n",
            time(e.published)
        ));
        xml.push_str(&format!("    <updated>{}</updated>\n", time(e.updated)));
        xml.push_str(&format!(
            "    <summary type=\"text\">{}</summary>\n",
            escape(&e.summary)
        ));
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ATOM)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        xml,
    )
        .into_response()
}

/// `GET /feeds/consultations.atom`: the newest published consultations.
#[utoipa::path(
    get, path = "/feeds/consultations.atom", tag = "open-data",
    responses((status = 200, description = "An Atom feed", content_type = "application/atom+xml", body = String))
)]
pub async fn consultations_feed(State(state): State<AppState>) -> Result<Response> {
    let base = state.base_url.trim_end_matches('/');
    let entries: Vec<Entry> = open_data::newest_consultations(&state.db, FEED_ENTRIES)
        .await?
        .into_iter()
        .map(|c| Entry {
            id: format!("urn:uuid:{}", c.id),
            title: c.title,
            link: format!("{base}/consultations/{}", c.id),
            author: c.lead_agency,
            published: c.published_at.unwrap_or(c.opens_at),
            updated: c.updated_at,
            summary: c.summary,
        })
        .collect();
    Ok(feed(
        base,
        "/feeds/consultations.atom",
        "gopy · Các đợt lấy ý kiến mới",
        "/consultations",
        &entries,
    ))
}

/// `GET /feeds/answers.atom`: the newest agency answers to published comments.
#[utoipa::path(
    get, path = "/feeds/answers.atom", tag = "open-data",
    responses((status = 200, description = "An Atom feed", content_type = "application/atom+xml", body = String))
)]
pub async fn answers_feed(State(state): State<AppState>) -> Result<Response> {
    let base = state.base_url.trim_end_matches('/');
    let entries: Vec<Entry> = open_data::newest_answers(&state.db, FEED_ENTRIES)
        .await?
        .into_iter()
        .map(|a| Entry {
            id: format!("urn:uuid:{}", a.id),
            title: format!(
                "{}: {} (ý kiến {})",
                a.agency, a.disposition_label, a.tracking_code
            ),
            link: format!("{base}/comments/{}", a.comment_id),
            author: a.agency,
            published: a.answered_at,
            updated: a.answered_at,
            summary: a.body,
        })
        .collect();
    Ok(feed(
        base,
        "/feeds/answers.atom",
        "gopy · Trả lời mới của cơ quan nhà nước",
        "/consultations",
        &entries,
    ))
}
