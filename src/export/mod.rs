//! Documents made from the record: the acceptance table as CSV, XLSX and DOCX.
//!
//! Writers are fed a page of rows at a time and write as they go, so a table of any size is
//! produced with a bounded amount of memory: CSV straight to its output, XLSX and DOCX (ZIP
//! packages of XML) through a ZIP writer over a seekable file. [`write_table`] drives one from
//! a [`Rows`] cursor: the database is read on the async side, the bytes are written on a blocking
//! thread.

pub mod csv;
pub mod docx;
pub mod xlsx;
pub(crate) mod xml;

use std::io::{Seek, Write};

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use crate::error::{Error, Result};
use crate::services::acceptance::{Head, Row, Rows, Summary, TableDigest};

/// A download format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values, UTF-8 with a byte-order mark.
    Csv,
    /// Office Open XML spreadsheet.
    Xlsx,
    /// Office Open XML word-processing document.
    Docx,
}

impl Format {
    /// The format of a file extension (`csv`, `xlsx`, `docx`).
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            "docx" => Some(Self::Docx),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Docx => "docx",
        }
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }
}

/// What every document needs besides its rows.
#[derive(Debug, Clone)]
pub struct Meta {
    /// Title, issuing body, version.
    pub head: Head,
    /// When the document is made (printed as its date unless the version is signed).
    pub made_at: DateTime<Utc>,
}

/// A writer of the acceptance table in one format, over `W`.
pub trait TableWriter<W> {
    /// Writes what comes before the rows.
    fn begin(&mut self, meta: &Meta) -> std::io::Result<()>;
    /// Writes rows, in table order.
    fn rows(&mut self, rows: &[Row]) -> std::io::Result<()>;
    /// Writes what comes after the rows (the summary, the rows without a disposition, the
    /// content hash), completes the file and gives the output back.
    fn finish(self, meta: &Meta, summary: &Summary, hash: &str) -> std::io::Result<W>;
}

/// A writer of any format.
pub enum AnyWriter<W: Write + Seek> {
    /// CSV.
    Csv(csv::CsvWriter<W>),
    /// XLSX.
    Xlsx(Box<xlsx::XlsxWriter<W>>),
    /// DOCX.
    Docx(Box<docx::DocxWriter<W>>),
}

impl<W: Write + Seek> AnyWriter<W> {
    /// A writer of `format` over `out`.
    pub fn new(format: Format, out: W) -> Self {
        match format {
            Format::Csv => Self::Csv(csv::CsvWriter::new(out)),
            Format::Xlsx => Self::Xlsx(Box::new(xlsx::XlsxWriter::new(out))),
            Format::Docx => Self::Docx(Box::new(docx::DocxWriter::new(out))),
        }
    }
}

impl<W: Write + Seek> TableWriter<W> for AnyWriter<W> {
    fn begin(&mut self, meta: &Meta) -> std::io::Result<()> {
        match self {
            Self::Csv(w) => w.begin(meta),
            Self::Xlsx(w) => w.begin(meta),
            Self::Docx(w) => w.begin(meta),
        }
    }

    fn rows(&mut self, rows: &[Row]) -> std::io::Result<()> {
        match self {
            Self::Csv(w) => w.rows(rows),
            Self::Xlsx(w) => w.rows(rows),
            Self::Docx(w) => w.rows(rows),
        }
    }

    fn finish(self, meta: &Meta, summary: &Summary, hash: &str) -> std::io::Result<W> {
        match self {
            Self::Csv(w) => w.finish(meta, summary, hash),
            Self::Xlsx(w) => w.finish(meta, summary, hash),
            Self::Docx(w) => w.finish(meta, summary, hash),
        }
    }
}

enum Message {
    Rows(Vec<Row>),
    Finish(Box<Summary>, String),
}

/// Writes the table read from `rows` to `out` in `format`, and returns `out` (positioned at its
/// end) with the table's hash. The database is read here; the bytes are written on a blocking
/// thread, a few pages behind.
pub async fn write_table<C, W>(
    db: &C,
    meta: Meta,
    mut rows: Rows,
    format: Format,
    out: W,
) -> Result<(W, String)>
where
    C: ConnectionTrait,
    W: Write + Seek + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Message>(4);
    let writer_meta = meta.clone();
    let task = tokio::task::spawn_blocking(move || -> std::io::Result<W> {
        let mut writer = AnyWriter::new(format, out);
        writer.begin(&writer_meta)?;
        while let Some(message) = rx.blocking_recv() {
            match message {
                Message::Rows(page) => writer.rows(&page)?,
                Message::Finish(summary, hash) => {
                    return writer.finish(&writer_meta, &summary, &hash);
                }
            }
        }
        Err(std::io::Error::other("the table ended before its summary"))
    });
    let mut digest = TableDigest::new(meta.head.consultation_id);
    let read: Result<()> = async {
        loop {
            let page = rows.next_page(db).await?;
            if page.is_empty() {
                return Ok(());
            }
            digest.add(&page);
            if tx.send(Message::Rows(page)).await.is_err() {
                // The writer stopped; its error is reported below.
                return Ok(());
            }
        }
    }
    .await;
    let (hash, summary) = digest.finish();
    if read.is_ok() {
        // Should the writer have stopped early, its result below says why.
        let _ = tx
            .send(Message::Finish(Box::new(summary), hash.clone()))
            .await;
    }
    drop(tx);
    let written = task
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("export writer panicked: {e}")))?;
    read?;
    let out = written.map_err(|e| Error::Internal(anyhow::anyhow!("export failed: {e}")))?;
    Ok((out, hash))
}

/// "ngày 03 tháng 12 năm 2026", in Vietnam time.
pub fn vietnamese_date(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&crate::domain::time::VIETNAM);
    format!(
        "ngày {} tháng {} năm {}",
        local.format("%d"),
        local.format("%m"),
        local.format("%Y")
    )
}

/// The file name of a download: `bang-tiep-thu-{short id}[-v{n}].{ext}`.
pub fn file_name(head: &Head, format: Format) -> String {
    let id = head.consultation_id.simple().to_string();
    let short = &id[id.len().saturating_sub(8)..];
    match &head.sign_off {
        Some(s) => format!(
            "bang-tiep-thu-{short}-v{}.{}",
            s.version,
            format.extension()
        ),
        None => format!("bang-tiep-thu-{short}.{}", format.extension()),
    }
}
