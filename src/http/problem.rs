//! Error rendering: RFC 9457 problem JSON for the API, error pages for HTML routes.
//!
//! Handlers return [`Error`]; responses produced by the framework itself (unknown routes, wrong
//! methods, oversized bodies, timeouts, panics) arrive without a body of ours and are given one
//! by [`fill_error_bodies`], so every error a client sees has the same shape.

use axum::Json;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::error::{Error, FieldError};
use crate::http::pages::{Layout, render_error_page};

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Problem type; `about:blank` means the HTTP status says it all.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary (the status phrase).
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Explanation of this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code.
    pub code: String,
    /// Problems with individual fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    fn new(
        status: StatusCode,
        code: &str,
        detail: Option<String>,
        errors: Vec<FieldError>,
    ) -> Self {
        Self {
            problem_type: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            errors,
        }
    }
}

fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(problem)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// The public detail of an error; server-side causes are logged here once and never sent.
pub fn public_detail(error: &Error) -> Option<String> {
    match error {
        Error::Db(_) | Error::Search(_) | Error::Internal(_) => {
            tracing::error!(error = %error, "request failed");
            None
        }
        Error::Invalid(_) => Some("Some fields are not valid; see `errors`.".to_owned()),
        Error::RateLimited { retry_after_secs } => Some(format!(
            "Too many requests; try again in {retry_after_secs} seconds."
        )),
        other => Some(other.to_string()),
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let code = self.code();
        let detail = public_detail(&self);
        let retry = match &self {
            Error::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let errors = match self {
            Error::Invalid(fields) => fields.0,
            _ => Vec::new(),
        };
        let mut response = problem_response(Problem::new(status, code, detail, errors));
        if let Some(value) = retry.and_then(|secs| HeaderValue::from_str(&secs.to_string()).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Stable code for an error status produced outside our handlers.
fn code_for_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        s if s.is_client_error() => "bad_request",
        _ => "internal_error",
    }
}

fn detail_for_status(status: StatusCode) -> Option<String> {
    let text = match status {
        StatusCode::NOT_FOUND => "There is nothing at this address.",
        StatusCode::METHOD_NOT_ALLOWED => {
            "This address does not accept this HTTP method; see the Allow header."
        }
        StatusCode::PAYLOAD_TOO_LARGE => "The request body is larger than this server accepts.",
        StatusCode::REQUEST_TIMEOUT => "The request took too long to answer.",
        _ => return None,
    };
    Some(text.to_owned())
}

/// Whether a response already carries a body of ours (JSON or HTML).
fn has_our_body(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/") || ct.starts_with("text/html"))
}

/// Whether the client asked for JSON rather than a page.
fn wants_json(request: &Request) -> bool {
    if request.uri().path().starts_with("/api/") {
        return true;
    }
    let accept = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    !accept.contains("text/html") && accept.contains("json")
}

/// Middleware giving framework-made error responses our problem JSON or error page.
pub async fn fill_error_bodies(request: Request, next: Next) -> Response {
    let json = wants_json(&request);
    let layout = Layout::from_request_head(&request);
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || has_our_body(&response) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let mut filled = if json {
        problem_response(Problem::new(
            status,
            code_for_status(status),
            detail_for_status(status),
            Vec::new(),
        ))
    } else {
        render_error_page(layout, status, None)
    };
    // Keep headers such as Allow (405) and Retry-After (429).
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.remove(&name) {
            filled.headers_mut().insert(name, value);
        }
    }
    *filled.status_mut() = status;
    filled
}

/// An error raised by an HTML page handler: rendered as an error page in the reader's language.
pub struct PageError {
    /// Layout of the page that failed.
    pub layout: Layout,
    /// What went wrong.
    pub error: Error,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        // Logs server-side causes; the page itself explains the status in the reader's language.
        let _ = public_detail(&self.error);
        render_error_page(self.layout, status, None)
    }
}
