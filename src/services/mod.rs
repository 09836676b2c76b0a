//! Use cases as plain async functions, one module per aggregate.

pub mod acceptance;
pub mod accounts;
pub mod admin;
pub mod api_tokens;
pub mod assignments;
pub mod attachments;
pub mod audit;
pub mod authoring;
pub mod calendar;
pub mod comment_reading;
pub mod comments;
pub mod consultations;
pub mod critiques;
pub mod demo_history;
pub mod first_run;
pub mod import;
pub mod limits;
pub mod moderation;
pub mod notifications;
pub mod open311;
pub mod open_data;
pub mod outbox;
pub mod passwords;
pub mod routing;
pub mod routing_rules;
pub mod screening;
pub mod search;
pub mod sessions;
pub mod supervision;
pub mod synthesis;
pub mod units;
pub mod users;

/// The current time in UTC, truncated to microseconds so it round-trips through both databases.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// A fresh time-ordered id (UUID v7).
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
