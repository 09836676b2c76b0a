//! Extractors whose rejections are our own errors, so bad input gets the problem envelope.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{Error, FieldErrors};

/// JSON body extractor: malformed JSON, a wrong content type or a wrong field type is a 4xx
/// problem naming what is wrong.
pub struct ValidJson<T>(pub T);

impl<S, T> FromRequest<S> for ValidJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_error(rejection)),
        }
    }
}

fn json_error(rejection: JsonRejection) -> Error {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => Error::bad_request(
            "unsupported_media_type",
            "Send the body as JSON with `Content-Type: application/json`.",
        ),
        JsonRejection::JsonDataError(e) => {
            let mut errors = FieldErrors::default();
            errors.push("body", "invalid_value", e.body_text());
            Error::Invalid(errors)
        }
        JsonRejection::JsonSyntaxError(e) => Error::bad_request(
            "malformed_json",
            format!("The body is not valid JSON: {}", e.body_text()),
        ),
        JsonRejection::BytesRejection(e) => Error::bad_request(
            "unreadable_body",
            format!("The body could not be read: {}", e.body_text()),
        ),
        other => Error::bad_request("bad_request", other.body_text()),
    }
}

/// Query-string extractor: unknown parameters and wrong types are a 400 naming the parameter.
pub struct ValidQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ValidQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(Error::bad_request(
                "invalid_query",
                format!("Bad query string: {}", e.body_text()),
            )),
            Err(other) => Err(Error::bad_request("invalid_query", other.body_text())),
        }
    }
}

/// Path-parameter extractor: a malformed id is a 404 (nothing can live at that address).
pub struct ValidPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ValidPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => {
                Err(Error::NotFound("resource"))
            }
            Err(other) => Err(Error::bad_request("invalid_path", other.body_text())),
        }
    }
}
