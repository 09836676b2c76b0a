//! Static assets, compiled into the binary so a single file runs gopy.

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "gopy.css",
        "text/css; charset=utf-8",
        include_bytes!("../../frontend/static/gopy.css"),
    ),
    (
        "search.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../frontend/static/search.js"),
    ),
    (
        "queue.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../frontend/static/queue.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../frontend/static/favicon.svg"),
    ),
];

/// `GET /static/{file}`.
pub async fn get_asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
