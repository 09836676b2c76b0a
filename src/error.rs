//! The one error type of gopy, and what each variant means to a client.
//!
//! Services return [`Error`]; the HTTP layer renders it as RFC 9457 problem JSON for the API and as
//! an error page for HTML routes. Causes of server errors are logged once and never sent.

use serde::Serialize;

/// A problem with one input field, in terms a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field's name as sent by the client (`body`, `consent`, `query.page` ...).
    pub field: String,
    /// Stable machine-readable code (`required`, `too_long`, `invalid_format` ...).
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

/// Collects field errors while parsing a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// Adds one field error.
    pub fn push(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        });
    }

    /// The messages, one after the other: what a page shows above a refused form.
    pub fn messages(&self) -> String {
        self.0
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Returns `Err(Error::Invalid)` when any error was collected.
    pub fn into_result(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self))
        }
    }
}

/// Everything that can go wrong while serving a request or running a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The named resource does not exist (or the caller may not know it exists).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The input is well-formed but breaks a rule; see the field errors.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The request cannot be understood (malformed JSON, bad query string ...).
    #[error("{detail}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// The request conflicts with the current state.
    #[error("{detail}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// The caller must sign in.
    #[error("authentication required")]
    Unauthenticated,
    /// Email and password do not match an active account (the same answer whichever is wrong).
    #[error("the email or the password is not right")]
    InvalidCredentials,
    /// A state-changing request with a session cookie lacks the session's CSRF token.
    #[error("missing or wrong CSRF token")]
    CsrfRejected,
    /// The caller is signed in but may not do this.
    #[error("forbidden")]
    Forbidden,
    /// Too many requests; try again after the given number of seconds.
    #[error("too many requests")]
    RateLimited {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// A database failure.
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// A search index failure.
    #[error("search error: {0}")]
    Search(String),
    /// Anything else that is our fault.
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

/// Result alias used across gopy.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// HTTP status code for this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound(_) => 404,
            Self::Invalid(_) => 422,
            Self::BadRequest { .. } => 400,
            Self::Conflict { .. } => 409,
            Self::Unauthenticated | Self::InvalidCredentials => 401,
            Self::CsrfRejected => 403,
            Self::Forbidden => 403,
            Self::RateLimited { .. } => 429,
            Self::Db(_) | Self::Search(_) | Self::Internal(_) => 500,
        }
    }

    /// Stable machine-readable code clients can rely on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::Invalid(_) => "validation_failed",
            Self::BadRequest { code, .. } | Self::Conflict { code, .. } => code,
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::CsrfRejected => "csrf_rejected",
            Self::Forbidden => "forbidden",
            Self::RateLimited { .. } => "rate_limited",
            Self::Db(_) | Self::Search(_) | Self::Internal(_) => "internal_error",
        }
    }

    /// Shorthand for a bad request.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    /// Whether this is a server-side failure (logged, never described to the client).
    pub fn is_server_error(&self) -> bool {
        self.status() >= 500
    }

    /// Whether a database error is a unique-constraint violation (works on SQLite and PostgreSQL).
    pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
        matches!(
            err.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        )
    }
}
