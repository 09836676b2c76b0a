//! Assisted intake: comments keyed in from paper forms (phiếu góp ý), community meetings, e-mail
//! and the hotline, imported in bulk by moderators.
//!
//! A file is CSV (RFC 4180: UTF-8, optional byte-order mark, a header row, fields quoted with `"`
//! when they hold the separator, quotes or line breaks; `,` or, as spreadsheets in some locales
//! write it, `;`) or JSON Lines (one object per line). Columns, or fields:
//!
//! | name | required | values |
//! | --- | --- | --- |
//! | `body` | yes | the comment, 10 to 5,000 characters |
//! | `stance` | yes | `support`, `oppose`, `suggest`, `question`, or `đồng ý`, `không đồng ý`, `đề xuất`, `câu hỏi` (diacritics optional) |
//! | `clause` | no | `Điều 5`, `Điều 5 khoản 2`, `khoản 2 Điều 5`, `điểm a khoản 2 Điều 5`, `5.2`, `5.2.a`, or a clause id |
//! | `author_name` | no | name as written on the form |
//! | `organization` | no | an organization code, such as `HND-TP` |
//! | `channel` | no | `paper_form` (default), `meeting`, `email`, `hotline` |
//! | `consent` | for channels other than `paper_form` | `public_named`, `public_anonymous` (default for paper forms), `private` |
//!
//! Every row is checked before anything is written: one bad row refuses the whole file, and the
//! error lists the lines to fix (the first [`MAX_LISTED_ERRORS`]). A line number is the line of
//! the file where the row starts, counting the header as line 1. A good file goes in as one
//! transaction of multi-row inserts, each comment with its own tracking code and consent record;
//! no mail is sent, as paper forms carry no address.
//!
//! The CSV reader is written here by hand rather than taken from the `csv` crate: RFC 4180 is
//! small, and the reader must report the line where each record starts (records may span
//! lines), accept the `;` separator and refuse malformed quoting with a line number.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use entity::enums::{Channel, ClauseLevel, CommentStatus, Consent, ConsultationStatus, Stance};
use entity::{clauses, comments, consent_records, consultations, organizations};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use crate::domain::comment::CommentBody;
use crate::domain::text::{char_len, fold, normalize};
use crate::domain::tracking::TrackingCode;
use crate::error::{Error, FieldErrors, Result};
use crate::services::{new_id, now};

/// Most errors listed when a file is refused; a last entry counts the rest.
pub const MAX_LISTED_ERRORS: usize = 100;

/// Longest author name kept, in characters.
const MAX_AUTHOR_NAME_CHARS: usize = 200;

/// Bound parameters per statement: under SQLite's limit (32,766 since 3.32) and PostgreSQL's
/// (65,535).
const MAX_PARAMS: usize = 30_000;

/// Columns of a `comments` row.
const COMMENT_COLUMNS: usize = 24;

/// Columns of a `consent_records` row.
const CONSENT_COLUMNS: usize = 6;

/// Rows per batch: one multi-row insert of comments and one of consent records.
const BATCH_ROWS: usize = MAX_PARAMS / COMMENT_COLUMNS;

/// The file formats accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma- (or semicolon-) separated values with a header row.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

impl Format {
    /// The format a file name's extension announces (`.csv`, `.jsonl`, `.ndjson`).
    pub fn from_path(path: &Path) -> Option<Self> {
        Self::parse(path.extension()?.to_str()?)
    }

    /// A format by name: `csv`, `jsonl` or `ndjson` (any case).
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "jsonl" | "ndjson" | "json-lines" | "jsonlines" => Some(Self::JsonLines),
            _ => None,
        }
    }

    /// The format of an HTTP body by its `Content-Type` (parameters such as `charset` ignored):
    /// `text/csv`, or `application/x-ndjson` (also `application/jsonl`, `application/json-lines`).
    pub fn from_content_type(value: &str) -> Option<Self> {
        let essence = value.split(';').next().unwrap_or("").trim();
        match essence.to_ascii_lowercase().as_str() {
            "text/csv" => Some(Self::Csv),
            "application/x-ndjson"
            | "application/ndjson"
            | "application/jsonl"
            | "application/x-jsonlines"
            | "application/json-lines" => Some(Self::JsonLines),
            _ => None,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Comments created.
    pub imported: usize,
    /// Their tracking codes, in the order of the rows in the file.
    pub tracking_codes: Vec<String>,
    /// The line where each imported row starts, in the same order as `tracking_codes`.
    pub lines: Vec<usize>,
}

/// Imports the comments in `input` into a consultation (open or closed, not a draft), as keyed
/// in by `entered_by`. Checks every row first and imports nothing when any is wrong
/// (`Error::Invalid`, fields named `rows[LINE].COLUMN`); otherwise imports all in one
/// transaction.
pub async fn import_comments(
    db: &DatabaseConnection,
    consultation_id: Uuid,
    entered_by: Option<Uuid>,
    format: Format,
    input: &[u8],
) -> Result<ImportReport> {
    let consultation = consultations::Entity::find_by_id(consultation_id)
        .one(db)
        .await?
        .filter(|c| c.status != ConsultationStatus::Draft)
        .ok_or(Error::NotFound("consultation"))?;
    let clause_rows = clauses::Entity::find()
        .filter(clauses::Column::ConsultationId.eq(consultation.id))
        .all(db)
        .await?;
    let organization_ids: HashMap<String, Uuid> = organizations::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.code.to_uppercase(), o.id))
        .collect();
    let context = Context {
        clauses: ClauseIndex::build(&clause_rows),
        organizations: organization_ids,
    };
    let rows = check(input, format, &context)?;
    insert(db, consultation.id, entered_by, rows).await
}

/// Parses and validates a whole file: every row, or the errors.
fn check(input: &[u8], format: Format, context: &Context) -> Result<Vec<ValidRow>> {
    let mut problems = Problems::default();
    let text = match std::str::from_utf8(input) {
        Ok(text) => text,
        Err(e) => {
            let line = 1 + input[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            problems.row(
                line,
                None,
                "invalid_encoding",
                "tệp không phải UTF-8; hãy lưu lại tệp với mã hóa UTF-8".to_owned(),
            );
            return Err(problems.into_error());
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw = match format {
        Format::Csv => parse_csv(text, &mut problems),
        Format::JsonLines => parse_json_lines(text, &mut problems),
    };
    let mut rows = Vec::with_capacity(raw.len());
    for row in &raw {
        if let Some(valid) = validate(row, context, &mut problems) {
            rows.push(valid);
        }
    }
    if problems.is_empty() && rows.is_empty() {
        problems.file(
            "file",
            "empty",
            "tệp không có dòng ý kiến nào (chỉ có dòng tiêu đề hoặc trống)".to_owned(),
        );
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems.into_error())
    }
}

/// Errors found in a file, the first [`MAX_LISTED_ERRORS`] kept.
#[derive(Debug, Default)]
struct Problems {
    listed: FieldErrors,
    count: usize,
}

impl Problems {
    /// An error in the row starting at `line`, in `column` when it is about one value.
    fn row(&mut self, line: usize, column: Option<&str>, code: &str, message: String) {
        self.row_in_sheet(line, None, column, code, message);
    }

    /// Like [`Self::row`], also naming the row a spreadsheet shows when it differs from the
    /// line (cells with line breaks shift the lines).
    fn row_in_sheet(
        &mut self,
        line: usize,
        sheet_row: Option<usize>,
        column: Option<&str>,
        code: &str,
        message: String,
    ) {
        let field = match column {
            Some(column) => format!("rows[{line}].{column}"),
            None => format!("rows[{line}]"),
        };
        let place = match sheet_row {
            Some(row) if row != line => format!("Dòng {line} (hàng {row} trong bảng tính)"),
            _ => format!("Dòng {line}"),
        };
        self.file(&field, code, format!("{place}: {message}"));
    }

    /// An error about the file as a whole (`file`, `header`).
    fn file(&mut self, field: &str, code: &str, message: String) {
        self.count += 1;
        if self.listed.0.len() < MAX_LISTED_ERRORS {
            self.listed.push(field, code, message);
        }
    }

    fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn into_error(mut self) -> Error {
        let unlisted = self.count - self.listed.0.len();
        if unlisted > 0 {
            self.listed.push(
                "rows",
                "too_many_errors",
                format!("Còn {unlisted} lỗi khác chưa liệt kê; sửa các lỗi trên rồi nhập lại."),
            );
        }
        Error::Invalid(self.listed)
    }
}

/// A column of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Body,
    Stance,
    Clause,
    AuthorName,
    Organization,
    Channel,
    Consent,
}

impl Column {
    const NAMES: &[&str] = &[
        "body",
        "stance",
        "clause",
        "author_name",
        "organization",
        "channel",
        "consent",
    ];

    fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "body" => Some(Self::Body),
            "stance" => Some(Self::Stance),
            "clause" => Some(Self::Clause),
            "author_name" => Some(Self::AuthorName),
            "organization" => Some(Self::Organization),
            "channel" => Some(Self::Channel),
            "consent" => Some(Self::Consent),
            _ => None,
        }
    }

    fn slot(self, row: &mut RawRow) -> &mut Option<String> {
        match self {
            Self::Body => &mut row.body,
            Self::Stance => &mut row.stance,
            Self::Clause => &mut row.clause,
            Self::AuthorName => &mut row.author_name,
            Self::Organization => &mut row.organization,
            Self::Channel => &mut row.channel,
            Self::Consent => &mut row.consent,
        }
    }
}

/// A row as read, before any check.
#[derive(Debug, Default)]
struct RawRow {
    /// Line of the file where the row starts (the header is line 1).
    line: usize,
    /// Position among the data rows, from 1 (a spreadsheet shows it as row `record + 1`).
    record: usize,
    body: Option<String>,
    stance: Option<String>,
    clause: Option<String>,
    author_name: Option<String>,
    organization: Option<String>,
    channel: Option<String>,
    consent: Option<String>,
}

/// One CSV record and the line it starts on.
#[derive(Debug, PartialEq, Eq)]
struct CsvRecord {
    line: usize,
    fields: Vec<String>,
}

/// Why a CSV file cannot be read past some line.
#[derive(Debug, PartialEq, Eq)]
struct CsvError {
    line: usize,
    code: &'static str,
    message: &'static str,
}

/// Reads RFC 4180 records: `"` quotes fields, `""` is a quote inside one, quoted fields may hold
/// separators and line breaks; `\r\n`, `\n` and `\r` all end a record.
fn read_csv(text: &str, separator: char) -> std::result::Result<Vec<CsvRecord>, CsvError> {
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        loop {
            // At the start of a field.
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        None => {
                            return Err(CsvError {
                                line: start,
                                code: "unclosed_quote",
                                message: "dấu ngoặc kép mở ở dòng này không được đóng",
                            });
                        }
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some('\r') => {
                            if chars.peek() == Some(&'\n') {
                                chars.next();
                            }
                            line += 1;
                            field.push('\n');
                        }
                        Some('\n') => {
                            line += 1;
                            field.push('\n');
                        }
                        Some(c) => field.push(c),
                    }
                }
                match chars.peek() {
                    None | Some('\r' | '\n') => {}
                    Some(c) if *c == separator => {}
                    Some(_) => {
                        return Err(CsvError {
                            line,
                            code: "malformed_quote",
                            message: "có chữ ngay sau dấu ngoặc kép đóng; trong ô có ngoặc kép, hãy viết \"\" cho mỗi dấu \"",
                        });
                    }
                }
            }
            // Unquoted text, or what follows a closing quote: up to a separator or line end.
            let mut end_of_record = true;
            loop {
                match chars.next() {
                    None => break,
                    Some(c) if c == separator => {
                        end_of_record = false;
                        break;
                    }
                    Some('\r') => {
                        if chars.peek() == Some(&'\n') {
                            chars.next();
                        }
                        line += 1;
                        break;
                    }
                    Some('\n') => {
                        line += 1;
                        break;
                    }
                    Some(c) => field.push(c),
                }
            }
            fields.push(std::mem::take(&mut field));
            if end_of_record {
                break;
            }
        }
        records.push(CsvRecord {
            line: start,
            fields,
        });
    }
    Ok(records)
}

/// The separator of a CSV file: `;` when its first line has more of them than commas.
fn detect_separator(text: &str) -> char {
    let first = text.lines().next().unwrap_or("");
    let commas = first.matches(',').count();
    let semicolons = first.matches(';').count();
    if semicolons > commas { ';' } else { ',' }
}

fn parse_csv(text: &str, problems: &mut Problems) -> Vec<RawRow> {
    let records = match read_csv(text, detect_separator(text)) {
        Ok(records) => records,
        Err(e) => {
            problems.row(e.line, None, e.code, e.message.to_owned());
            return Vec::new();
        }
    };
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        return Vec::new();
    };
    let mut columns = Vec::with_capacity(header.fields.len());
    for name in &header.fields {
        let name = name.trim();
        match Column::from_name(name) {
            Some(column) if columns.contains(&column) => problems.file(
                "header",
                "duplicate_column",
                format!("Dòng 1: cột “{name}” có hai lần"),
            ),
            Some(column) => columns.push(column),
            None => problems.file(
                "header",
                "unknown_column",
                format!(
                    "Dòng 1: không có cột “{name}”; các cột là {}",
                    Column::NAMES.join(", ")
                ),
            ),
        }
    }
    for (required, name) in [(Column::Body, "body"), (Column::Stance, "stance")] {
        if !columns.contains(&required) {
            problems.file(
                "header",
                "missing_column",
                format!("Dòng 1: thiếu cột bắt buộc “{name}”"),
            );
        }
    }
    if !problems.is_empty() {
        return Vec::new();
    }
    let mut rows = Vec::new();
    for record in records {
        // A blank line (often the last one) is no row.
        if record.fields.len() == 1 && record.fields[0].trim().is_empty() {
            continue;
        }
        if record.fields.len() != columns.len() {
            problems.row(
                record.line,
                None,
                "wrong_field_count",
                format!(
                    "có {} ô, dòng tiêu đề có {} cột (ô có dấu phẩy hay xuống dòng cần đặt trong ngoặc kép)",
                    record.fields.len(),
                    columns.len()
                ),
            );
            continue;
        }
        let mut row = RawRow {
            line: record.line,
            record: rows.len() + 1,
            ..RawRow::default()
        };
        for (column, value) in columns.iter().zip(record.fields) {
            *column.slot(&mut row) = Some(value);
        }
        rows.push(row);
    }
    rows
}

fn parse_json_lines(text: &str, problems: &mut Problems) -> Vec<RawRow> {
    let mut rows = Vec::new();
    for (index, content) in text.split('\n').enumerate() {
        let line = index + 1;
        let content = content.trim();
        if content.is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<serde_json::Value>(content) {
            Ok(serde_json::Value::Object(object)) => object,
            Ok(_) => {
                problems.row(
                    line,
                    None,
                    "not_an_object",
                    "mỗi dòng phải là một đối tượng JSON {…}".to_owned(),
                );
                continue;
            }
            Err(e) => {
                problems.row(
                    line,
                    None,
                    "invalid_json",
                    format!("không phải JSON hợp lệ ({e})"),
                );
                continue;
            }
        };
        let mut row = RawRow {
            line,
            record: rows.len() + 1,
            ..RawRow::default()
        };
        for (key, value) in object {
            let Some(column) = Column::from_name(&key) else {
                problems.row(
                    line,
                    Some(&key),
                    "unknown_field",
                    format!(
                        "không có trường “{key}”; các trường là {}",
                        Column::NAMES.join(", ")
                    ),
                );
                continue;
            };
            let value = match value {
                serde_json::Value::String(s) => Some(s),
                serde_json::Value::Number(n) => Some(n.to_string()),
                serde_json::Value::Null => None,
                _ => {
                    problems.row(
                        line,
                        Some(&key),
                        "invalid_type",
                        format!("trường “{key}” phải là chuỗi"),
                    );
                    continue;
                }
            };
            *column.slot(&mut row) = value;
        }
        rows.push(row);
    }
    rows
}

/// What rows are checked against.
struct Context {
    clauses: ClauseIndex,
    /// Organization ids by uppercase code.
    organizations: HashMap<String, Uuid>,
}

/// A row ready to insert.
#[derive(Debug)]
struct ValidRow {
    line: usize,
    clause_id: Option<Uuid>,
    stance: Stance,
    body: String,
    author_name: Option<String>,
    organization_id: Option<Uuid>,
    channel: Channel,
    consent: Consent,
}

/// A value with marks removed, lowercased, `_`/`-` read as spaces and spaces collapsed, for
/// matching labels as clerks type them ("Không đồng ý", "khong dong y", "paper_form").
fn label(input: &str) -> String {
    fold(input)
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A stance in English or Vietnamese, with or without diacritics.
fn parse_stance_label(input: &str) -> Option<Stance> {
    match label(input).as_str() {
        "support" | "dong y" | "ung ho" => Some(Stance::Support),
        "oppose" | "khong dong y" | "phan doi" => Some(Stance::Oppose),
        "suggest" | "de xuat" | "kien nghi" => Some(Stance::Suggest),
        "question" | "cau hoi" => Some(Stance::Question),
        _ => None,
    }
}

/// An offline channel in English or Vietnamese (`online` is not imported).
fn parse_channel_label(input: &str) -> Option<Channel> {
    match label(input).as_str() {
        "paper form" | "phieu gop y" | "phieu" => Some(Channel::PaperForm),
        "meeting" | "hoi nghi" | "cuoc hop" | "hop" => Some(Channel::Meeting),
        "email" | "e mail" | "thu dien tu" => Some(Channel::Email),
        "hotline" | "duong day nong" => Some(Channel::Hotline),
        _ => None,
    }
}

/// A publication consent in English or Vietnamese.
fn parse_consent_label(input: &str) -> Option<Consent> {
    match label(input).as_str() {
        "public named" | "cong khai ten" => Some(Consent::PublicNamed),
        "public anonymous" | "an danh" | "cong khai an danh" => Some(Consent::PublicAnonymous),
        "private" | "khong cong khai" | "rieng tu" => Some(Consent::Private),
        _ => None,
    }
}

/// A value that is present and not blank.
fn given(value: Option<&String>) -> Option<&str> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn validate(row: &RawRow, context: &Context, problems: &mut Problems) -> Option<ValidRow> {
    let before = problems.count;
    let line = row.line;
    // A spreadsheet shows the header as row 1 and each record as one row.
    let sheet_row = Some(row.record + 1);
    let mut push = |column: &str, code: &str, message: String| {
        problems.row_in_sheet(line, sheet_row, Some(column), code, message);
    };

    let body = match CommentBody::parse(row.body.as_deref().unwrap_or("")) {
        Ok(body) => Some(body.into_inner()),
        Err(code) => {
            let length = char_len(&normalize(row.body.as_deref().unwrap_or("")));
            let message = if code == "required" {
                "thiếu nội dung ý kiến (body)".to_owned()
            } else {
                format!("nội dung ý kiến cần từ 10 đến 5.000 ký tự (hiện có {length})")
            };
            push("body", code, message);
            None
        }
    };
    let stance = match given(row.stance.as_ref()) {
        None => {
            push(
                "stance",
                "required",
                "thiếu lập trường (stance): ghi đồng ý, không đồng ý, đề xuất hoặc câu hỏi"
                    .to_owned(),
            );
            None
        }
        Some(value) => parse_stance_label(value).or_else(|| {
            push(
                "stance",
                "unknown_value",
                format!(
                    "lập trường “{value}” không hợp lệ: ghi đồng ý, không đồng ý, đề xuất hoặc câu hỏi"
                ),
            );
            None
        }),
    };
    let channel = match given(row.channel.as_ref()) {
        None => Some(Channel::PaperForm),
        Some(value) => parse_channel_label(value).or_else(|| {
            push(
                "channel",
                "unknown_value",
                format!(
                    "kênh “{value}” không hợp lệ: ghi paper_form (phiếu góp ý), meeting (hội nghị), email hoặc hotline"
                ),
            );
            None
        }),
    };
    let consent = match (given(row.consent.as_ref()), channel) {
        (None, Some(Channel::PaperForm)) => Some(Consent::PublicAnonymous),
        (None, Some(channel)) => {
            push(
                "consent",
                "required",
                format!(
                    "ý kiến nhận qua {} cần ghi rõ cách công khai (consent): public_named, public_anonymous hoặc private",
                    channel.as_str()
                ),
            );
            None
        }
        (None, None) => None,
        (Some(value), _) => parse_consent_label(value).or_else(|| {
            push(
                "consent",
                "unknown_value",
                format!(
                    "cách công khai “{value}” không hợp lệ: ghi public_named, public_anonymous hoặc private"
                ),
            );
            None
        }),
    };
    let author_name = given(row.author_name.as_ref()).map(normalize);
    if let Some(name) = &author_name
        && char_len(name) > MAX_AUTHOR_NAME_CHARS
    {
        push(
            "author_name",
            "too_long",
            format!("tên người góp ý dài quá {MAX_AUTHOR_NAME_CHARS} ký tự"),
        );
    }
    if consent == Some(Consent::PublicNamed) && author_name.is_none() {
        push(
            "author_name",
            "required",
            "công khai tên (public_named) cần có tên người góp ý (author_name)".to_owned(),
        );
    }
    let organization_id = match given(row.organization.as_ref()) {
        None => None,
        Some(code) => {
            let found = context.organizations.get(&code.to_uppercase()).copied();
            if found.is_none() {
                push(
                    "organization",
                    "unknown",
                    format!("không có tổ chức mã “{code}”"),
                );
            }
            found
        }
    };
    let clause_id = match given(row.clause.as_ref()) {
        None => None,
        Some(reference) => {
            let found = context.clauses.resolve(reference);
            if found.is_none() {
                push(
                    "clause",
                    "unknown",
                    format!(
                        "không tìm thấy “{reference}” trong dự thảo này (ví dụ: Điều 5, Điều 5 khoản 2, 5.2)"
                    ),
                );
            }
            found
        }
    };
    if problems.count > before {
        return None;
    }
    Some(ValidRow {
        line,
        clause_id,
        stance: stance?,
        body: body?,
        author_name,
        organization_id,
        channel: channel?,
        consent: consent?,
    })
}

/// A consultation's điều, khoản and điểm by number, and its clause ids.
#[derive(Debug, Default)]
struct ClauseIndex {
    ids: HashSet<Uuid>,
    /// (điều, khoản, điểm) numbers, lowercase, to the clause.
    by_number: HashMap<(String, Option<String>, Option<String>), Uuid>,
}

/// A clause reference: an điều, perhaps a khoản, perhaps a điểm.
#[derive(Debug, PartialEq, Eq)]
struct ClauseRef {
    dieu: String,
    khoan: Option<String>,
    diem: Option<String>,
}

impl ClauseIndex {
    fn build(rows: &[clauses::Model]) -> Self {
        let by_id: HashMap<Uuid, &clauses::Model> = rows.iter().map(|c| (c.id, c)).collect();
        let mut index = Self {
            ids: by_id.keys().copied().collect(),
            by_number: HashMap::new(),
        };
        for clause in rows {
            if !matches!(
                clause.level,
                ClauseLevel::Dieu | ClauseLevel::Khoan | ClauseLevel::Diem
            ) {
                continue;
            }
            let (mut dieu, mut khoan, mut diem) = (None, None, None);
            let mut node = Some(clause);
            // The tree is shallow; the bound only guards against a cycle in bad data.
            for _ in 0..16 {
                let Some(current) = node else { break };
                let number = Some(normalize(&current.number).to_lowercase());
                match current.level {
                    ClauseLevel::Dieu => dieu = dieu.or(number),
                    ClauseLevel::Khoan => khoan = khoan.or(number),
                    ClauseLevel::Diem => diem = diem.or(number),
                    _ => {}
                }
                node = current.parent_id.and_then(|p| by_id.get(&p).copied());
            }
            if let Some(dieu) = dieu {
                index
                    .by_number
                    .entry((dieu, khoan, diem))
                    .or_insert(clause.id);
            }
        }
        index
    }

    fn resolve(&self, reference: &str) -> Option<Uuid> {
        if let Ok(id) = Uuid::parse_str(reference.trim()) {
            return self.ids.contains(&id).then_some(id);
        }
        let r = parse_clause_ref(reference)?;
        self.by_number.get(&(r.dieu, r.khoan, r.diem)).copied()
    }
}

/// Reads "Điều 5", "Điều 5 khoản 2", "khoản 2 Điều 5", "điểm a khoản 2 Điều 5", "5", "5.2",
/// "5.2.a" (case, diacritics of the keywords and punctuation forgiven).
fn parse_clause_ref(input: &str) -> Option<ClauseRef> {
    let text = normalize(input).to_lowercase();
    let dotted = text.trim_end_matches('.');
    if dotted.starts_with(|c: char| c.is_ascii_digit())
        && dotted.chars().all(|c| c.is_alphanumeric() || c == '.')
    {
        let mut parts = dotted.split('.');
        let dieu = parts.next().filter(|p| !p.is_empty())?.to_owned();
        let khoan = parts.next().map(ToOwned::to_owned);
        let diem = parts.next().map(ToOwned::to_owned);
        if parts.next().is_some() || [&khoan, &diem].iter().any(|p| p.as_deref() == Some("")) {
            return None;
        }
        return Some(ClauseRef { dieu, khoan, diem });
    }
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';'))
        .map(|t| t.trim_matches(|c: char| matches!(c, '.' | ':' | '(' | ')')))
        .filter(|t| !t.is_empty())
        .collect();
    let (mut dieu, mut khoan, mut diem) = (None, None, None);
    let mut tokens = tokens.into_iter();
    while let Some(keyword) = tokens.next() {
        let slot = match fold(keyword).as_str() {
            "dieu" => &mut dieu,
            "khoan" => &mut khoan,
            "diem" => &mut diem,
            _ => return None,
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(tokens.next()?.to_owned());
    }
    Some(ClauseRef {
        dieu: dieu?,
        khoan,
        diem,
    })
}

/// Inserts checked rows in one transaction, in batches.
async fn insert(
    db: &DatabaseConnection,
    consultation_id: Uuid,
    entered_by: Option<Uuid>,
    rows: Vec<ValidRow>,
) -> Result<ImportReport> {
    let at = now();
    let mut report = ImportReport {
        imported: rows.len(),
        tracking_codes: Vec::with_capacity(rows.len()),
        lines: Vec::with_capacity(rows.len()),
    };
    let mut drawn = HashSet::with_capacity(rows.len());
    let txn = crate::db::begin_write(db).await?;
    // One `comment.import` event per comment, appended per batch (see `audit::append_many`).
    crate::services::audit::lock(&txn).await?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<ValidRow> = rows.by_ref().take(BATCH_ROWS).collect();
        let codes = unused_codes(&txn, batch.len(), &mut drawn).await?;
        let mut comment_rows = Vec::with_capacity(batch.len());
        let mut consent_rows = Vec::with_capacity(batch.len());
        let mut flag_rows = Vec::new();
        for (row, code) in batch.into_iter().zip(codes) {
            let id = new_id();
            consent_rows.push(consent_records::ActiveModel {
                id: Set(new_id()),
                user_id: Set(None),
                comment_id: Set(Some(id)),
                consent: Set(row.consent),
                context: Set("import".to_owned()),
                recorded_at: Set(at),
            });
            report.lines.push(row.line);
            report.tracking_codes.push(code.clone());
            flag_rows.extend(crate::services::screening::flag_rows(id, &row.body));
            let fingerprint = crate::services::screening::fingerprint(&row.body);
            comment_rows.push(comments::ActiveModel {
                id: Set(id),
                tracking_code: Set(code),
                consultation_id: Set(consultation_id),
                clause_id: Set(row.clause_id),
                author_id: Set(None),
                organization_id: Set(row.organization_id),
                author_name: Set(row.author_name),
                channel: Set(row.channel),
                entered_by: Set(entered_by),
                stance: Set(row.stance),
                body: Set(row.body),
                consent: Set(row.consent),
                status: Set(CommentStatus::Pending),
                public_body: Set(None),
                unit_id: Set(None),
                lat: Set(None),
                lon: Set(None),
                campaign_id: Set(None),
                idempotency_key: Set(None),
                created_at: Set(at),
                updated_at: Set(at),
                moderated_at: Set(None),
                fingerprint: Set(Some(fingerprint)),
                status_reason: Set(None),
            });
        }
        let mut events = Vec::with_capacity(comment_rows.len());
        let mut imported_ids = Vec::with_capacity(comment_rows.len());
        for row in &comment_rows {
            let comment = sea_orm::TryIntoModel::try_into_model(row.clone())?;
            imported_ids.push(comment.id);
            events.push(crate::services::audit::NewEvent {
                actor_id: entered_by,
                action: "comment.import".to_owned(),
                entity_type: "comment".to_owned(),
                entity_id: comment.id.to_string(),
                payload: crate::services::audit::comment_payload(&comment),
            });
        }
        comments::Entity::insert_many(comment_rows)
            .exec_without_returning(&txn)
            .await?;
        crate::services::audit::append_many(&txn, events).await?;
        let per_statement = MAX_PARAMS / CONSENT_COLUMNS;
        let mut consents = consent_rows.into_iter().peekable();
        while consents.peek().is_some() {
            let chunk: Vec<_> = consents.by_ref().take(per_statement).collect();
            consent_records::Entity::insert_many(chunk)
                .exec_without_returning(&txn)
                .await?;
        }
        crate::services::screening::insert_flags(&txn, flag_rows).await?;
        crate::services::outbox::enqueue_index_many(&txn, "comment", &imported_ids).await?;
    }
    txn.commit().await?;
    Ok(report)
}

/// `count` tracking codes that no comment has and that were not drawn earlier in this import,
/// checked against the database in one query per round (a collision is rare at 40 bits, but
/// among millions of comments not negligible).
async fn unused_codes<C: ConnectionTrait>(
    db: &C,
    count: usize,
    drawn: &mut HashSet<String>,
) -> Result<Vec<String>> {
    let mut draw = || loop {
        let code = TrackingCode::generate().as_str().to_owned();
        if drawn.insert(code.clone()) {
            return code;
        }
    };
    let mut codes: Vec<String> = (0..count).map(|_| draw()).collect();
    let mut unchecked: Vec<usize> = (0..count).collect();
    for _ in 0..5 {
        let candidates: Vec<String> = unchecked.iter().map(|i| codes[*i].clone()).collect();
        let taken: HashSet<String> = comments::Entity::find()
            .select_only()
            .column(comments::Column::TrackingCode)
            .filter(comments::Column::TrackingCode.is_in(candidates))
            .into_tuple::<String>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        if taken.is_empty() {
            return Ok(codes);
        }
        unchecked.retain(|i| taken.contains(&codes[*i]));
        for i in &unchecked {
            codes[*i] = draw();
        }
    }
    Err(Error::Internal(anyhow::anyhow!(
        "no free tracking codes after 5 rounds"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_records_keep_quoted_separators_quotes_and_line_breaks() {
        let text = "body,stance\r\n\"Một, hai\",đồng ý\n\"Dòng một\r\ndòng \"\"hai\"\"\",x\n\nz,y";
        let records = read_csv(text, ',').expect("parses");
        let lines: Vec<usize> = records.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 2, 3, 5, 6]);
        assert_eq!(records[1].fields, ["Một, hai", "đồng ý"]);
        assert_eq!(records[2].fields, ["Dòng một\ndòng \"hai\"", "x"]);
        assert_eq!(records[3].fields, [""]);
        assert_eq!(records[4].fields, ["z", "y"]);
        assert_eq!(
            read_csv("a\n\"open\nstill", ',').map(|r| r.len()),
            Err(CsvError {
                line: 2,
                code: "unclosed_quote",
                message: "dấu ngoặc kép mở ở dòng này không được đóng",
            })
        );
        assert_eq!(
            read_csv("\"a\"b,c", ',').map_err(|e| (e.line, e.code)),
            Err((1, "malformed_quote"))
        );
        assert_eq!(detect_separator("body;stance;clause\n"), ';');
        assert_eq!(detect_separator("body,stance\n"), ',');
    }

    #[test]
    fn labels_are_read_in_both_languages_with_or_without_marks() {
        assert_eq!(parse_stance_label("Đồng ý"), Some(Stance::Support));
        assert_eq!(parse_stance_label("khong dong y"), Some(Stance::Oppose));
        assert_eq!(parse_stance_label(" ĐỀ XUẤT "), Some(Stance::Suggest));
        assert_eq!(parse_stance_label("cau hoi"), Some(Stance::Question));
        assert_eq!(parse_stance_label("question"), Some(Stance::Question));
        assert_eq!(parse_stance_label("maybe"), None);
        assert_eq!(parse_channel_label("paper_form"), Some(Channel::PaperForm));
        assert_eq!(parse_channel_label("Hội nghị"), Some(Channel::Meeting));
        assert_eq!(parse_channel_label("online"), None);
        assert_eq!(
            parse_consent_label("ẩn danh"),
            Some(Consent::PublicAnonymous)
        );
        assert_eq!(parse_consent_label("private"), Some(Consent::Private));
    }

    #[test]
    fn clause_references_in_the_usual_forms() {
        let r = |dieu: &str, khoan: Option<&str>, diem: Option<&str>| ClauseRef {
            dieu: dieu.to_owned(),
            khoan: khoan.map(ToOwned::to_owned),
            diem: diem.map(ToOwned::to_owned),
        };
        assert_eq!(parse_clause_ref("Điều 5"), Some(r("5", None, None)));
        assert_eq!(parse_clause_ref("điều 5."), Some(r("5", None, None)));
        assert_eq!(
            parse_clause_ref("Điều 5 khoản 2"),
            Some(r("5", Some("2"), None))
        );
        assert_eq!(
            parse_clause_ref("Dieu 5, Khoan 2"),
            Some(r("5", Some("2"), None))
        );
        assert_eq!(
            parse_clause_ref("điểm đ khoản 1 Điều 3"),
            Some(r("3", Some("1"), Some("đ")))
        );
        assert_eq!(parse_clause_ref("5.2"), Some(r("5", Some("2"), None)));
        assert_eq!(
            parse_clause_ref("5.2.a"),
            Some(r("5", Some("2"), Some("a")))
        );
        assert_eq!(parse_clause_ref("5"), Some(r("5", None, None)));
        assert_eq!(parse_clause_ref("khoản 2"), None);
        assert_eq!(parse_clause_ref("Điều 5 của luật"), None);
        assert_eq!(parse_clause_ref("5..2"), None);
    }

    #[test]
    fn formats_from_names_extensions_and_content_types() {
        assert_eq!(Format::from_path(Path::new("phieu.CSV")), Some(Format::Csv));
        assert_eq!(
            Format::from_path(Path::new("hop.jsonl")),
            Some(Format::JsonLines)
        );
        assert_eq!(Format::from_path(Path::new("ghi-chu.txt")), None);
        assert_eq!(
            Format::from_content_type("text/csv; charset=utf-8"),
            Some(Format::Csv)
        );
        assert_eq!(
            Format::from_content_type("application/x-ndjson"),
            Some(Format::JsonLines)
        );
        assert_eq!(Format::from_content_type("application/json"), None);
    }

    fn context() -> Context {
        Context {
            clauses: ClauseIndex::default(),
            organizations: HashMap::new(),
        }
    }

    #[test]
    fn one_bad_row_refuses_the_file_naming_its_line() {
        let csv =
            "body,stance\n\"Ý kiến\nhai dòng, đủ dài\",đồng ý\nMột ý kiến đủ dài để nhận,maybe\n";
        let Err(Error::Invalid(errors)) = check(csv.as_bytes(), Format::Csv, &context()) else {
            panic!("accepted");
        };
        assert_eq!(errors.0.len(), 1, "{errors:?}");
        assert_eq!(errors.0[0].field, "rows[4].stance");
        assert!(
            errors.0[0]
                .message
                .starts_with("Dòng 4 (hàng 3 trong bảng tính): "),
            "{errors:?}"
        );
    }

    #[test]
    fn errors_are_capped() {
        let mut csv = String::from("body,stance\n");
        for _ in 0..250 {
            csv.push_str("ngắn,maybe\n");
        }
        let Err(Error::Invalid(errors)) = check(csv.as_bytes(), Format::Csv, &context()) else {
            panic!("accepted");
        };
        assert_eq!(errors.0.len(), MAX_LISTED_ERRORS + 1);
        assert_eq!(errors.0[MAX_LISTED_ERRORS].code, "too_many_errors");
        assert!(errors.0[MAX_LISTED_ERRORS].message.contains("400"));
    }
}
