//! `/api/v1/open-data/{dataset}`: the public record as downloads under CC BY 4.0, as CSV
//! (UTF-8 with BOM, RFC 4180, CRLF, formula guard) or JSON (licence, source, generation time
//! and the items). Rows are read in keyset pages and streamed, never held whole in memory.

use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::export::csv::field;
use crate::http::extract::{ValidPath, ValidQuery};
use crate::services::now;
use crate::services::open_data::{
    self, AnswerRecord, CommentRecord, ConsultationRecord, LICENCE, LICENCE_URL, PAGE_SIZE, SOURCE,
};
use crate::state::AppState;

/// The datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    /// Published consultations.
    Consultations,
    /// Published comments.
    Comments,
    /// Agencies' answers to published comments.
    Answers,
}

impl Dataset {
    /// All, in the order the page lists them.
    pub const ALL: [Self; 3] = [Self::Consultations, Self::Comments, Self::Answers];

    /// Its name in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Consultations => "consultations",
            Self::Comments => "comments",
            Self::Answers => "answers",
        }
    }

    /// Its columns, which are also the keys of its JSON items.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Consultations => &[
                "id",
                "title",
                "summary",
                "kind",
                "status",
                "version",
                "lead_agency",
                "opens_at",
                "closes_at",
                "published_at",
                "updated_at",
            ],
            Self::Comments => &[
                "id",
                "tracking_code",
                "consultation_id",
                "clause_id",
                "stance",
                "author",
                "by_organization",
                "body",
                "created_at",
            ],
            Self::Answers => &[
                "id",
                "comment_id",
                "tracking_code",
                "consultation_id",
                "agency",
                "disposition",
                "disposition_label",
                "body",
                "answered_at",
            ],
        }
    }
}

/// CSV or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// CSV.
    Csv,
    /// JSON.
    Json,
}

/// Parses `consultations.csv` and the like.
pub fn parse_dataset(name: &str) -> Option<(Dataset, FileFormat)> {
    let (dataset, extension) = name.rsplit_once('.')?;
    let dataset = Dataset::ALL.into_iter().find(|d| d.as_str() == dataset)?;
    let format = match extension {
        "csv" => FileFormat::Csv,
        "json" => FileFormat::Json,
        _ => return None,
    };
    Some((dataset, format))
}

/// One row of a dataset.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Item {
    Consultation(ConsultationRecord),
    Comment(CommentRecord),
    Answer(AnswerRecord),
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn opt_id(id: Option<Uuid>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

impl Item {
    fn id(&self) -> Uuid {
        match self {
            Self::Consultation(c) => c.id,
            Self::Comment(c) => c.id,
            Self::Answer(a) => a.id,
        }
    }

    fn cells(&self) -> Vec<String> {
        match self {
            Self::Consultation(c) => vec![
                c.id.to_string(),
                c.title.clone(),
                c.summary.clone(),
                c.kind.to_owned(),
                c.status.to_owned(),
                c.version.to_string(),
                c.lead_agency.clone(),
                time(c.opens_at),
                time(c.closes_at),
                c.published_at.map(time).unwrap_or_default(),
                time(c.updated_at),
            ],
            Self::Comment(c) => vec![
                c.id.to_string(),
                c.tracking_code.clone(),
                c.consultation_id.to_string(),
                opt_id(c.clause_id),
                c.stance.to_owned(),
                c.author.clone(),
                c.by_organization.to_string(),
                c.body.clone(),
                time(c.created_at),
            ],
            Self::Answer(a) => vec![
                a.id.to_string(),
                a.comment_id.to_string(),
                a.tracking_code.clone(),
                a.consultation_id.to_string(),
                a.agency.clone(),
                a.disposition.to_owned(),
                a.disposition_label.to_owned(),
                a.body.clone(),
                time(a.answered_at),
            ],
        }
    }
}

async fn fetch(
    db: &sea_orm::DatabaseConnection,
    dataset: Dataset,
    consultation_id: Option<Uuid>,
    after: Option<Uuid>,
) -> Result<Vec<Item>> {
    Ok(match dataset {
        Dataset::Consultations => {
            open_data::consultations_page(db, consultation_id, after, PAGE_SIZE)
                .await?
                .into_iter()
                .map(Item::Consultation)
                .collect()
        }
        Dataset::Comments => open_data::comments_page(db, consultation_id, after, PAGE_SIZE)
            .await?
            .into_iter()
            .map(Item::Comment)
            .collect(),
        Dataset::Answers => open_data::answers_page(db, consultation_id, after, PAGE_SIZE)
            .await?
            .into_iter()
            .map(Item::Answer)
            .collect(),
    })
}

fn csv_line(cells: impl IntoIterator<Item = impl AsRef<str>>, out: &mut String) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(cell.as_ref()));
    }
    out.push_str("\r\n");
}

/// Writes a whole dataset to `out`, one database page at a time.
async fn write_dataset<W: AsyncWrite + Unpin>(
    db: &sea_orm::DatabaseConnection,
    dataset: Dataset,
    format: FileFormat,
    consultation_id: Option<Uuid>,
    out: &mut W,
) -> anyhow::Result<()> {
    let mut head = String::new();
    match format {
        FileFormat::Csv => {
            head.push('\u{FEFF}');
            csv_line(dataset.fields(), &mut head);
        }
        FileFormat::Json => {
            head.push_str(&format!(
                "{{\"dataset\":{},\"licence\":{},\"licence_url\":{},\"source\":{},\"generated_at\":{},\"items\":[",
                serde_json::to_string(dataset.as_str())?,
                serde_json::to_string(LICENCE)?,
                serde_json::to_string(LICENCE_URL)?,
                serde_json::to_string(SOURCE)?,
                serde_json::to_string(&time(now()))?,
            ));
        }
    }
    out.write_all(head.as_bytes()).await?;
    let mut after = None;
    let mut first = true;
    loop {
        let items = fetch(db, dataset, consultation_id, after).await?;
        let Some(last) = items.last() else { break };
        after = Some(last.id());
        let full = items.len() as u64 >= PAGE_SIZE;
        let mut chunk = String::new();
        for item in &items {
            match format {
                FileFormat::Csv => csv_line(item.cells(), &mut chunk),
                FileFormat::Json => {
                    if !first {
                        chunk.push(',');
                    }
                    first = false;
                    chunk.push_str(&serde_json::to_string(item)?);
                }
            }
        }
        out.write_all(chunk.as_bytes()).await?;
        if !full {
            break;
        }
    }
    if format == FileFormat::Json {
        out.write_all(b"]}").await?;
    }
    out.shutdown().await?;
    Ok(())
}

/// Only the rows of one consultation.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DatasetQuery {
    /// A consultation id.
    pub consultation_id: Option<Uuid>,
}

/// A dataset of the public record under CC BY 4.0: `consultations`, `comments` (published
/// text only, authors as published) or `answers` (the agencies' answers to published comments),
/// as `.csv` (UTF-8 with BOM) or `.json` (`licence`, `source`, `generated_at`, `items`).
#[utoipa::path(
    get, path = "/api/v1/open-data/{dataset}", tag = "open-data",
    params(
        ("dataset" = String, Path, description = "`consultations.csv`, `consultations.json`, `comments.csv`, `comments.json`, `answers.csv` or `answers.json`"),
        DatasetQuery,
    ),
    responses(
        (status = 200, description = "The dataset", content(
            (String = "text/csv"),
            (serde_json::Value = "application/json"),
        )),
        (status = 400, description = "A malformed `consultation_id`", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such dataset", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_dataset(
    State(state): State<AppState>,
    ValidPath(name): ValidPath<String>,
    ValidQuery(query): ValidQuery<DatasetQuery>,
) -> Result<Response> {
    let (dataset, format) = parse_dataset(&name).ok_or(Error::NotFound("dataset"))?;
    let (mut writer, reader) = tokio::io::duplex(64 * 1024);
    let db = state.db.clone();
    let consultation_id = query.consultation_id;
    tokio::spawn(async move {
        if let Err(e) = write_dataset(&db, dataset, format, consultation_id, &mut writer).await {
            tracing::warn!(error = %e, dataset = dataset.as_str(), "open data download cut short");
        }
    });
    let (content_type, extension) = match format {
        FileFormat::Csv => ("text/csv; charset=utf-8", "csv"),
        FileFormat::Json => ("application/json", "json"),
    };
    let disposition = format!(
        "attachment; filename=\"gopy-{}.{extension}\"",
        dataset.as_str()
    );
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
            (
                header::LINK,
                HeaderValue::from_static(
                    "<https://creativecommons.org/licenses/by/4.0/>; rel=\"license\"",
                ),
            ),
        ],
        Body::from_stream(tokio_util::io::ReaderStream::new(reader)),
    )
        .into_response())
}
