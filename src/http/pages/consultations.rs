//! A consultation's public page: facts, text (Markdown, rendered safely) and clause tree, what
//! changed since the previous version, links to comment while the window is open, and the
//! published comments (paginated, sortable, filtered by clause).

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use entity::clauses;
use entity::enums::{ClauseLevel, ConsultationStatus};
use http::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::Error;
use crate::http::pages::access::PageViewer;
use crate::http::pages::comment_files::attachment_rows;
use crate::http::pages::comment_views::{CommentItem, comment_items, sort_code};
use crate::http::pages::{ConsultationCard, Layout, render, render_error_page};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::policy::Action;
use crate::services::authoring::{self, ClauseChange};
use crate::services::comment_reading::{self, PublicFilter, Sort};
use crate::services::{attachments, comments, consultations, now};

/// Published comments shown per page.
const PER_PAGE: u64 = 10;

/// One clause as the page shows it.
#[derive(Debug, Clone)]
pub struct ClauseRow {
    /// Clause id (for the comment links and the filter).
    pub id: String,
    /// Fragment id, readable and stable for a version (`dieu-5-khoan-2`).
    pub anchor: String,
    /// Nesting depth, 0 for top-level clauses.
    pub depth: usize,
    /// Number as printed: "Chương I", "Điều 5.", "1.", "a)".
    pub label: String,
    /// Heading, possibly empty.
    pub heading: String,
    /// Text.
    pub body: String,
    /// Published comments on this clause.
    pub comment_count: u64,
}

/// The list of published comments as the page shows it.
#[derive(Debug, Clone)]
pub struct CommentList {
    /// Comments of this page.
    pub items: Vec<CommentItem>,
    /// Published comments matching the filter.
    pub total: u64,
    /// Sort code in use (`newest`, `oldest`, `most_endorsed`).
    pub sort: &'static str,
    /// `(value, label)` of the sort choices.
    pub sort_options: Vec<(String, String)>,
    /// Clause filter in use (id), `""` for all.
    pub clause: String,
    /// `(value, label)` of the clause filter choices.
    pub clause_options: Vec<(String, String)>,
    /// Label of the clause filtered on, when there is one.
    pub clause_label: Option<String>,
    /// Link back to all comments, when filtered.
    pub all_href: String,
    /// Current page and page count.
    pub page: u64,
    /// Page count (at least 1).
    pub pages: u64,
    /// Link to the previous page.
    pub prev_href: Option<String>,
    /// Link to the next page.
    pub next_href: Option<String>,
}

/// One clause added, changed or removed since the previous version.
#[derive(Debug, Clone)]
pub struct ChangeRow {
    /// `added`, `changed` or `removed` (for styling; the label says it in words).
    pub kind: &'static str,
    /// Translated kind of change.
    pub kind_label: &'static str,
    /// Readable name of the clause: "Điều 2, khoản 2".
    pub path: String,
    /// Fragment of the clause on this page (not for removed clauses).
    pub anchor: Option<String>,
    /// Text before (empty for added clauses).
    pub before: String,
    /// Text after (empty for removed clauses).
    pub after: String,
}

/// The versions around the one shown.
#[derive(Debug, Clone)]
pub struct Versions {
    /// Version number of this page.
    pub number: i32,
    /// `(id, number)` of the version this one replaces.
    pub previous: Option<(String, i32)>,
    /// `(id, number)` of the published version that replaces this one.
    pub newer: Option<(String, i32)>,
    /// Clauses changed since the previous version, in this version's order (removed last).
    pub changes: Vec<ChangeRow>,
}

/// Template of a consultation page.
#[derive(Template)]
#[template(path = "consultation.html")]
pub struct ConsultationPage {
    /// Layout.
    pub layout: Layout,
    /// List-level facts.
    pub c: ConsultationCard,
    /// Body rendered from Markdown by `markdown::to_safe_html` (raw HTML escaped, links vetted).
    pub body_html: String,
    /// Why the window is shorter than the legal minimum, when it is.
    pub short_window_reason: Option<String>,
    /// Previous and newer versions, and what changed.
    pub versions: Versions,
    /// Legal basis.
    pub legal_basis: String,
    /// Names of the units concerned.
    pub units: Vec<String>,
    /// Documents of the consultation (download links to the API).
    pub documents: Vec<crate::http::pages::authoring::DocumentRow>,
    /// Clauses in document order.
    pub clauses: Vec<ClauseRow>,
    /// Whether comments are accepted now (the "comment" links are shown).
    pub accepting: bool,
    /// The published comments.
    pub comments: CommentList,
    /// Whether the viewer may endorse (a signed-in resident or representative).
    pub can_endorse: bool,
    /// Whether the viewer is signed in.
    pub signed_in: bool,
    /// Sign-in link returning to this list.
    pub sign_in_href: String,
    /// Whether the viewer may read the synthesis and the acceptance table (everyone once closed).
    pub reports: bool,
    /// Moderation counts by outcome, and rejections by translated reason (only reasons used).
    pub moderation: (
        crate::services::moderation::PublicCounts,
        Vec<(&'static str, u64)>,
    ),
}

/// Parameters of the comment list (`?page=&sort=&clause=`); other parameters are ignored.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    page: Option<String>,
    sort: Option<String>,
    clause: Option<String>,
}

/// `GET /consultations/{id}?page=&sort=newest|oldest|most_endorsed&clause=`.
pub async fn show_consultation(
    State(db): State<DatabaseConnection>,
    layout: Layout,
    PageViewer(viewer): PageViewer,
    axum::extract::Path(id): axum::extract::Path<String>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| layout.fail(Error::NotFound("consultation")))?;
    let at = now();
    let detail = consultations::get_public(&db, id, at)
        .await
        .map_err(|e| layout.fail(e))?;
    let t = layout.t;
    let Ok(Query(query)) = query else {
        return Ok(bad_parameter(layout, "list.error_parameter"));
    };
    let sort = match query.sort.as_deref() {
        None => Sort::default(),
        Some(value) => match Sort::parse(value) {
            Some(sort) => sort,
            None => return Ok(bad_parameter(layout, "list.error_sort")),
        },
    };
    let page = match query.page.as_deref() {
        None => 1,
        Some(value) => match value.parse::<u64>() {
            Ok(page) if page >= 1 => page,
            _ => return Ok(bad_parameter(layout, "list.error_page")),
        },
    };
    let paths = clause_paths(&detail.clauses, t);
    let clause = match query.clause.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(value) => match Uuid::parse_str(value) {
            Ok(clause) if paths.contains_key(&clause) => Some(clause),
            _ => return Ok(bad_parameter(layout, "list.error_clause")),
        },
    };
    let filter = PublicFilter {
        clause_id: clause,
        stance: None,
    };
    let (items, total) = comment_reading::list_public(&db, id, &filter, sort, page, PER_PAGE)
        .await
        .map_err(|e| layout.fail(e))?;
    let files = attachments::list_for_public_comments(&db, items.iter().map(|c| c.id).collect())
        .await
        .map_err(|e| layout.fail(e))?;
    let pages = total.div_ceil(PER_PAGE).max(1);
    let href = |page: u64| list_href(id, sort, clause, page);
    let back = href(page);
    let mut items = comment_items(items, &paths, t, &back);
    for item in &mut items {
        if let Some(rows) = Uuid::parse_str(&item.id).ok().and_then(|id| files.get(&id)) {
            item.attachments = attachment_rows(rows);
        }
    }
    let comments = CommentList {
        items,
        total,
        sort: sort_code(sort),
        sort_options: [Sort::Newest, Sort::Oldest, Sort::MostEndorsed]
            .into_iter()
            .map(|s| {
                let code = sort_code(s);
                (
                    code.to_owned(),
                    t.get(&format!("list.sort_{code}")).to_owned(),
                )
            })
            .collect(),
        clause: clause.map(|c| c.to_string()).unwrap_or_default(),
        clause_options: clause_options(&detail.clauses, &paths),
        clause_label: clause.and_then(|c| paths.get(&c).cloned()),
        all_href: format!("{}#comments", list_href(id, sort, None, 1)),
        page,
        pages,
        prev_href: (page > 1).then(|| format!("{}#comments", href(page - 1))),
        next_href: (page < pages).then(|| format!("{}#comments", href(page + 1))),
    };
    let c = ConsultationCard::from_summary(&detail.summary, t, at);
    let consultation = &detail.summary.consultation;
    let versions = versions(&db, &detail, &paths, t, at)
        .await
        .map_err(|e| layout.fail(e))?;
    let actor = viewer.actor();
    let documents = crate::services::attachments::list_documents(&db, &actor, id)
        .await
        .map_err(|e| layout.fail(e))?
        .iter()
        .map(crate::http::pages::authoring::DocumentRow::new)
        .collect();
    let page = ConsultationPage {
        documents,
        layout: layout.titled(c.title.clone()),
        body_html: crate::markdown::to_safe_html(&consultation.body),
        short_window_reason: consultation
            .short_window_reason
            .clone()
            .filter(|r| !r.trim().is_empty()),
        versions,
        legal_basis: consultation.legal_basis.clone(),
        units: detail.units.iter().map(|u| u.name.clone()).collect(),
        clauses: clause_rows(&detail.clauses, &detail.clause_comment_counts, t),
        moderation: (
            detail.moderation.clone(),
            detail
                .moderation
                .rejected_by_reason
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(reason, n)| (t.get(&format!("reason.{reason}")), *n))
                .collect(),
        ),
        accepting: comments::ensure_open(consultation, at).is_ok(),
        reports: crate::services::acceptance::can_read(&viewer.actor(), consultation),
        comments,
        can_endorse: actor.can(&Action::Comment),
        signed_in: viewer.signed_in.is_some(),
        sign_in_href: crate::http::pages::access::sign_in_location(&format!("{back}#comments")),
        c,
    };
    Ok(render(&page))
}

/// A 400 page for a list parameter the page does not know.
fn bad_parameter(layout: Layout, key: &str) -> Response {
    let message = layout.t.get(key).to_owned();
    render_error_page(layout, StatusCode::BAD_REQUEST, Some(message))
}

/// The consultation page's address for a list state (defaults left out).
pub fn list_href(id: Uuid, sort: Sort, clause: Option<Uuid>, page: u64) -> String {
    let mut params = Vec::new();
    if sort != Sort::default() {
        params.push(format!("sort={}", sort_code(sort)));
    }
    if let Some(clause) = clause {
        params.push(format!("clause={clause}"));
    }
    if page > 1 {
        params.push(format!("page={page}"));
    }
    if params.is_empty() {
        format!("/consultations/{id}")
    } else {
        format!("/consultations/{id}?{}", params.join("&"))
    }
}

/// `(id, label)` choices of the clauses a comment may be about, in document order: articles
/// and what they contain (chapters and sections only group articles).
pub fn clause_options(
    rows: &[clauses::Model],
    paths: &HashMap<Uuid, String>,
) -> Vec<(String, String)> {
    rows.iter()
        .filter(|c| {
            matches!(
                c.level,
                ClauseLevel::Dieu | ClauseLevel::Khoan | ClauseLevel::Diem
            )
        })
        .filter_map(|c| {
            let path = paths.get(&c.id)?;
            let text = match c.heading.as_deref().filter(|h| !h.is_empty()) {
                Some(heading) => format!("{path}. {heading}"),
                None => path.clone(),
            };
            Some((c.id.to_string(), text))
        })
        .collect()
}

/// A readable name of every clause, from its article down: "Điều 5", "Điều 5, khoản 2",
/// "Điều 5, khoản 2, điểm a"; "Chương I" above articles.
pub fn clause_paths(rows: &[clauses::Model], t: Tr) -> HashMap<Uuid, String> {
    let levels: HashMap<Uuid, &ClauseLevel> = rows.iter().map(|c| (c.id, &c.level)).collect();
    let mut paths: HashMap<Uuid, String> = HashMap::with_capacity(rows.len());
    for clause in rows {
        // Rows come in document order, so a parent's path is known before its children's.
        let parent = clause
            .parent_id
            .filter(|p| {
                levels
                    .get(p)
                    .is_some_and(|l| matches!(l, ClauseLevel::Dieu | ClauseLevel::Khoan))
            })
            .and_then(|p| paths.get(&p));
        let own = match clause.level {
            ClauseLevel::Khoan => format!("{} {}", t.get("clause_path.khoan"), clause.number),
            ClauseLevel::Diem => format!("{} {}", t.get("clause_path.diem"), clause.number),
            level => format!(
                "{} {}",
                t.get(&format!("level.{}", level.as_str())),
                clause.number
            ),
        };
        let path = match (&clause.level, parent) {
            (ClauseLevel::Khoan | ClauseLevel::Diem, Some(parent)) => format!("{parent}, {own}"),
            _ => own,
        };
        paths.insert(clause.id, path);
    }
    paths
}

/// The versions around the one shown: the one it replaced (with what changed since), and the
/// published one that replaces it.
async fn versions<C: ConnectionTrait>(
    db: &C,
    detail: &consultations::Detail,
    paths: &HashMap<Uuid, String>,
    t: Tr,
    at: chrono::DateTime<chrono::Utc>,
) -> crate::error::Result<Versions> {
    let consultation = &detail.summary.consultation;
    let newer = entity::consultations::Entity::find()
        .filter(entity::consultations::Column::PreviousVersionId.eq(consultation.id))
        .filter(entity::consultations::Column::Status.ne(ConsultationStatus::Draft))
        .one(db)
        .await?
        .map(|n| (n.id.to_string(), n.version));
    let mut versions = Versions {
        number: consultation.version,
        previous: None,
        newer,
        changes: Vec::new(),
    };
    let Some(previous_id) = consultation.previous_version_id else {
        return Ok(versions);
    };
    let previous = match consultations::get_public(db, previous_id, at).await {
        Ok(previous) => previous,
        // A previous version that is not public (never published) is not offered.
        Err(crate::error::Error::NotFound(_)) => return Ok(versions),
        Err(e) => return Err(e),
    };
    let before_paths = clause_paths(&previous.clauses, t);
    let anchors: HashMap<String, String> = clause_rows(&detail.clauses, &HashMap::new(), t)
        .into_iter()
        .map(|row| (row.id, row.anchor))
        .collect();
    let text = |c: &clauses::Model| {
        [c.heading.as_deref().unwrap_or_default(), c.body.as_str()]
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" — ")
    };
    let path = |paths: &HashMap<Uuid, String>, c: &clauses::Model| {
        paths
            .get(&c.id)
            .cloned()
            .unwrap_or_else(|| c.number.clone())
    };
    for change in authoring::changes_since_previous(db, consultation).await? {
        let row = match change {
            ClauseChange::Added(after) => ChangeRow {
                kind: "added",
                kind_label: t.get("versions.added"),
                path: path(paths, &after),
                anchor: anchors.get(&after.id.to_string()).cloned(),
                before: String::new(),
                after: text(&after),
            },
            ClauseChange::Changed { before, after } => ChangeRow {
                kind: "changed",
                kind_label: t.get("versions.changed"),
                path: path(paths, &after),
                anchor: anchors.get(&after.id.to_string()).cloned(),
                before: text(&before),
                after: text(&after),
            },
            ClauseChange::Removed(before) => ChangeRow {
                kind: "removed",
                kind_label: t.get("versions.removed"),
                path: path(&before_paths, &before),
                anchor: None,
                before: text(&before),
                after: String::new(),
            },
        };
        versions.changes.push(row);
    }
    versions.previous = Some((
        previous_id.to_string(),
        previous.summary.consultation.version,
    ));
    Ok(versions)
}

/// Turns the stored tree (document order) into rows with depth, label and anchor.
pub fn clause_rows(rows: &[clauses::Model], counts: &HashMap<Uuid, u64>, t: Tr) -> Vec<ClauseRow> {
    let by_id: HashMap<Uuid, &clauses::Model> = rows.iter().map(|c| (c.id, c)).collect();
    let mut anchors: HashMap<Uuid, String> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for clause in rows {
        let mut depth = 0;
        let mut cursor = clause.parent_id;
        while let Some(parent) = cursor.and_then(|id| by_id.get(&id)) {
            depth += 1;
            cursor = parent.parent_id;
        }
        let own = format!("{}-{}", clause.level.as_str(), slug(&clause.number));
        // Điều numbers are unique in a document, so anchors restart there; above it, chain up.
        let anchor = match (
            &clause.level,
            clause.parent_id.and_then(|p| anchors.get(&p)),
        ) {
            (ClauseLevel::Dieu, _) | (_, None) => own,
            (_, Some(parent)) => format!("{parent}-{own}"),
        };
        anchors.insert(clause.id, anchor.clone());
        out.push(ClauseRow {
            id: clause.id.to_string(),
            anchor,
            depth,
            label: label(clause, t),
            heading: clause.heading.clone().unwrap_or_default(),
            body: clause.body.clone(),
            comment_count: counts.get(&clause.id).copied().unwrap_or(0),
        });
    }
    out
}

fn label(clause: &clauses::Model, t: Tr) -> String {
    match clause.level {
        ClauseLevel::Phan | ClauseLevel::Chuong | ClauseLevel::Muc => {
            format!(
                "{} {}",
                t.get(&format!("level.{}", clause.level.as_str())),
                clause.number
            )
        }
        ClauseLevel::Dieu => format!("{} {}.", t.get("level.dieu"), clause.number),
        ClauseLevel::Khoan => format!("{}.", clause.number),
        ClauseLevel::Diem => format!("{})", clause.number),
    }
}

/// ASCII slug of a clause number ("đ" → "dd", "IV" → "iv").
fn slug(number: &str) -> String {
    number
        .chars()
        .flat_map(|c| match c {
            'đ' | 'Đ' => vec!['d', 'd'],
            c if c.is_ascii_alphanumeric() => vec![c.to_ascii_lowercase()],
            _ => vec!['-'],
        })
        .collect()
}
