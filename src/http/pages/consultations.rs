//! A consultation's public page: facts, text and clause tree.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use entity::clauses;
use entity::enums::ClauseLevel;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::error::Error;
use crate::http::pages::{ConsultationCard, Layout, render};
use crate::http::problem::PageError;
use crate::i18n::Tr;
use crate::services::{consultations, now};

/// One clause as the page shows it.
#[derive(Debug, Clone)]
pub struct ClauseRow {
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

/// Template of a consultation page.
#[derive(Template)]
#[template(path = "consultation.html")]
pub struct ConsultationPage {
    /// Layout.
    pub layout: Layout,
    /// List-level facts.
    pub c: ConsultationCard,
    /// Body split into paragraphs.
    pub body_paragraphs: Vec<String>,
    /// Legal basis.
    pub legal_basis: String,
    /// Names of the units concerned.
    pub units: Vec<String>,
    /// Clauses in document order.
    pub clauses: Vec<ClauseRow>,
}

/// `GET /consultations/{id}`.
pub async fn show_consultation(
    State(db): State<DatabaseConnection>,
    layout: Layout,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| layout.fail(Error::NotFound("consultation")))?;
    let at = now();
    let detail = consultations::get_public(&db, id, at)
        .await
        .map_err(|e| layout.fail(e))?;
    let t = layout.t;
    let c = ConsultationCard::from_summary(&detail.summary, t, at);
    let consultation = &detail.summary.consultation;
    let page = ConsultationPage {
        layout: layout.titled(c.title.clone()),
        body_paragraphs: paragraphs(&consultation.body),
        legal_basis: consultation.legal_basis.clone(),
        units: detail.units.iter().map(|u| u.name.clone()).collect(),
        clauses: clause_rows(&detail.clauses, &detail.clause_comment_counts, t),
        c,
    };
    Ok(render(&page))
}

/// Splits text at blank lines.
fn paragraphs(body: &str) -> Vec<String> {
    body.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(ToOwned::to_owned)
        .collect()
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
