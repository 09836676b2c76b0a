//! Page forms that carry files (`multipart/form-data`): the comment form with its photos and
//! scans, and the moderators' import form. The CSRF token is checked as for `CsrfForm`, and
//! before any file is read: it must be the form's first field, as the browser sends fields in
//! the order of the page. A form sent as `application/x-www-form-urlencoded` (no file chosen,
//! or a client without multipart) is read the same way, without files.

use axum::extract::multipart::Multipart;
use axum::extract::{FromRequest, Request};
use http::header;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::http::auth::constant_time_eq;
use crate::http::csrf::{CSRF_COOKIE, CSRF_FIELD};
use crate::http::pages::{Layout, cookie};
use crate::http::problem::PageError;
use crate::services::attachments::Upload;
use crate::state::AppState;

/// Most bytes of all the text fields of one form together (the comment text is at most
/// 5,000 characters, up to 20 KB in UTF-8).
const MAX_TEXT_BYTES: usize = 256 * 1024;

/// A form as sent: its text fields and the files chosen, in the order sent. File fields left
/// empty (no file chosen) are not kept.
#[derive(Debug, Default)]
pub struct FilledForm {
    /// `(name, value)` of every text field.
    pub pairs: Vec<(String, String)>,
    /// `(field name, file)` of every file chosen.
    pub files: Vec<(String, Upload)>,
}

impl FilledForm {
    /// The text fields as a form struct (unknown fields are ignored unless `T` refuses them).
    pub fn fields<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let encoded = serde_urlencoded::to_string(&self.pairs).unwrap_or_default();
        serde_urlencoded::from_str(&encoded).map_err(|e| {
            Error::bad_request("malformed_form", format!("The form is malformed: {e}"))
        })
    }

    /// The files of one field.
    pub fn files_of(&self, field: &str) -> Vec<Upload> {
        self.files
            .iter()
            .filter(|(name, _)| name == field)
            .map(|(_, upload)| upload.clone())
            .collect()
    }
}

/// Reads a page form that may carry files. A missing or wrong CSRF token is the 403 page; the
/// request body limit bounds what is read.
pub async fn read_form(
    state: &AppState,
    layout: &Layout,
    request: Request,
) -> Result<FilledForm, PageError> {
    let expected = cookie(request.headers(), CSRF_COOKIE).unwrap_or_default();
    let csrf_ok =
        |sent: &str| !expected.is_empty() && constant_time_eq(sent.as_bytes(), expected.as_bytes());
    let unreadable = || {
        layout.fail(Error::bad_request(
            "malformed_multipart",
            "The form could not be read.",
        ))
    };
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if !multipart {
        let bytes = axum::body::to_bytes(request.into_body(), MAX_TEXT_BYTES)
            .await
            .map_err(|_| unreadable())?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| unreadable())?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map_or("", |(_, v)| v.as_str());
        if !csrf_ok(sent) {
            return Err(layout.fail(Error::CsrfRejected));
        }
        return Ok(FilledForm {
            pairs,
            files: Vec::new(),
        });
    }
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| unreadable())?;
    // The CSRF field comes first, so nothing else is read for a forged form.
    let sent = match multipart.next_field().await.ok().flatten() {
        Some(field) if field.name() == Some(CSRF_FIELD) => field.text().await.unwrap_or_default(),
        _ => String::new(),
    };
    if !csrf_ok(&sent) {
        return Err(layout.fail(Error::CsrfRejected));
    }
    let mut form = FilledForm::default();
    let mut text_bytes = 0usize;
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(ToOwned::to_owned) {
            Some(file_name) => {
                let content_type = field.content_type().map(ToOwned::to_owned);
                let bytes = field.bytes().await.map_err(|_| unreadable())?;
                // A file input left empty is sent as a part with no name and no bytes.
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                form.files.push((
                    name,
                    Upload {
                        file_name,
                        content_type,
                        bytes: bytes.to_vec(),
                    },
                ));
            }
            None => {
                let value = field.text().await.map_err(|_| unreadable())?;
                text_bytes = text_bytes.saturating_add(value.len());
                if text_bytes > MAX_TEXT_BYTES {
                    return Err(unreadable());
                }
                form.pairs.push((name, value));
            }
        }
    }
    Ok(form)
}
