//! The moderators' import page: comments keyed in from paper forms (phiếu góp ý), community
//! meetings, e-mail and the hotline, uploaded as one CSV or JSON Lines file for a consultation.
//! Every row is checked first; one bad row refuses the whole file, and the page lists the lines
//! to fix. The JSON equivalent is `POST /api/v1/consultations/{id}/comments/import`, the command
//! line's `gopy import comments`.

use std::path::Path;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::{Error, FieldErrors};
use crate::http::csrf::see_other;
use crate::http::pages::access::ImportClerk;
use crate::http::pages::forms::FormErrors;
use crate::http::pages::uploads::read_form;
use crate::http::pages::{Layout, render, render_status};
use crate::http::problem::PageError;
use crate::services::consultations::{self, ListFilter};
use crate::services::import::{self, Format};
use crate::services::now;
use crate::state::AppState;

/// The example file offered on the page (UTF-8 with a byte-order mark, so spreadsheet programs
/// read the Vietnamese letters correctly).
const EXAMPLE_CSV: &str = "\u{feff}body,stance,clause,author_name,organization,channel,consent\r\n\
\"Đề nghị quy định rõ thời hạn cơ quan phải trả lời kiến nghị của người dân.\",đề xuất,Điều 1,Nguyễn Văn An,,paper_form,public_named\r\n\
\"Tôi đồng ý với dự thảo, nhất là phần công khai thông tin.\",đồng ý,,,,meeting,public_anonymous\r\n";

/// The form's text fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    consultation_id: String,
}

/// `?imported=N&consultation=ID`: the outcome shown after a successful import.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    imported: Option<usize>,
    consultation: Option<Uuid>,
}

/// The outcome of a successful import.
#[derive(Debug, Clone)]
pub struct Done {
    /// Comments imported.
    pub imported: usize,
    /// Consultation id.
    pub consultation_id: String,
    /// Consultation title.
    pub consultation_title: String,
}

/// The import page.
#[derive(Template)]
#[template(path = "moderation_import.html")]
pub struct ImportPage {
    /// Layout.
    pub layout: Layout,
    /// `(id, title)` of the consultations that take imports (published, open or closed).
    pub consultations: Vec<(String, String)>,
    /// The consultation chosen.
    pub form: ImportForm,
    /// Errors of the last attempt (summary and fields).
    pub errors: FormErrors,
    /// The rows to fix, `(line, message)`, when a file was refused.
    pub rows: Vec<(String, String)>,
    /// The outcome of the last import.
    pub done: Option<Done>,
}

impl ImportPage {
    async fn new(state: &AppState, layout: Layout, form: ImportForm) -> Result<Self, PageError> {
        let (list, _) = consultations::list_public(&state.db, ListFilter::default(), now(), 1, 200)
            .await
            .map_err(|e| layout.fail(e))?;
        let t = layout.t;
        let consultations = list
            .iter()
            .map(|s| {
                let status = t.get(&format!("status.{}", s.status.as_str()));
                let id = s.consultation.id.to_string();
                (id, format!("{} ({status})", s.consultation.title))
            })
            .collect();
        Ok(Self {
            layout: layout.titled(t.get("import.title")),
            consultations,
            form,
            errors: FormErrors::default(),
            rows: Vec::new(),
            done: None,
        })
    }
}

/// `GET /moderation/import`: the form, with the outcome of the import just made, if any.
pub async fn show_import(
    State(state): State<AppState>,
    layout: Layout,
    _clerk: ImportClerk,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let mut page = ImportPage::new(&state, layout, ImportForm::default()).await?;
    if let (Some(imported), Some(id)) = (query.imported, query.consultation) {
        let titles = consultations::titles(&state.db, vec![id])
            .await
            .map_err(|e| page.layout.fail(e))?;
        if let Some(title) = titles.get(&id) {
            page.done = Some(Done {
                imported,
                consultation_id: id.to_string(),
                consultation_title: title.clone(),
            });
            page.form.consultation_id = id.to_string();
        }
    }
    Ok(render(&page))
}

/// `POST /moderation/import` (`multipart/form-data`: `csrf_token`, `consultation_id`, `file`):
/// imports every row, or none and the list of lines to fix.
pub async fn import_file(
    State(state): State<AppState>,
    layout: Layout,
    ImportClerk(clerk): ImportClerk,
    request: Request,
) -> Result<Response, PageError> {
    let sent = read_form(&state, &layout, request).await?;
    let form: ImportForm = sent.fields().map_err(|e| layout.fail(e))?;
    let page = ImportPage::new(&state, layout.clone(), form.clone()).await?;
    let t = layout.t;
    let mut errors = FormErrors::default();
    let consultation = Uuid::parse_str(form.consultation_id.trim()).ok();
    if consultation.is_none() {
        errors.push("consultation_id", t.get("field.consultation_id.required"));
    }
    let files = sent.files_of("file");
    let file = match files.as_slice() {
        [] => {
            errors.push("file", t.get("field.file.required"));
            None
        }
        [file] => {
            let format = Format::from_path(Path::new(&file.file_name)).or_else(|| {
                file.content_type
                    .as_deref()
                    .and_then(Format::from_content_type)
            });
            match format {
                Some(format) => Some((format, file)),
                None => {
                    errors.push("file", t.get("field.file.import_format"));
                    None
                }
            }
        }
        _ => {
            errors.push("file", t.get("field.file.one_file"));
            None
        }
    };
    let (Some(id), Some((format, file))) = (consultation, file) else {
        return Ok(refused(page, errors, Vec::new()));
    };
    let clerk_id = clerk.user.id;
    match import::import_comments(&state.db, id, Some(clerk_id), format, &file.bytes).await {
        Ok(report) => Ok(see_other(&format!(
            "/moderation/import?imported={}&consultation={id}",
            report.imported
        ))),
        Err(Error::Invalid(fields)) => {
            let rows = rows_to_fix(&fields);
            errors.push("file", t.get("import.refused_summary"));
            Ok(refused(page, errors, rows))
        }
        Err(Error::NotFound(_)) => {
            errors.push("consultation_id", t.get("field.consultation_id.required"));
            Ok(refused(page, errors, Vec::new()))
        }
        Err(e) => Err(layout.fail(e)),
    }
}

/// `(line, message)` for each problem the import found; the line is empty for problems with
/// the file as a whole (its encoding, its header).
fn rows_to_fix(fields: &FieldErrors) -> Vec<(String, String)> {
    fields
        .0
        .iter()
        .map(|f| {
            let line = f
                .field
                .strip_prefix("rows[")
                .and_then(|rest| rest.split_once(']'))
                .map(|(line, _)| line.to_owned())
                .unwrap_or_default();
            (line, f.message.clone())
        })
        .collect()
}

/// The form sent back (422) with its errors and the rows to fix.
fn refused(mut page: ImportPage, errors: FormErrors, rows: Vec<(String, String)>) -> Response {
    let t = page.layout.t;
    page.layout = page.layout.clone().titled_form(t.get("import.title"), true);
    page.errors = errors;
    page.rows = rows;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// `GET /moderation/import/example.csv`: an example file with every column.
pub async fn download_example(_clerk: ImportClerk) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"gopy-import-example.csv\"",
            ),
        ],
        EXAMPLE_CSV,
    )
        .into_response()
}
