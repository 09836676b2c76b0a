//! The integration tests of gopy: one binary, one fresh database per test.
//! Set `TEST_DATABASE_URL=postgres://...` to run every test on PostgreSQL instead of SQLite.

#![expect(
    clippy::unwrap_used,
    reason = "a failed unwrap is a failed test, with its location"
)]

mod helpers;

mod account_pages;
mod accounts_api;
mod attachments;
mod audit;
mod auth;
mod authoring;
mod authoring_pages;
mod authz;
mod cli;
mod comment_pages;
mod comments;
mod consultation_pages;
mod consultations;
mod errors;
mod first_run;
mod i18n;
mod import;
mod import_pages;
mod mail;
mod migrations;
mod moderation;
mod notifications;
mod open_data;
mod ops;
mod reports;
mod routing;
mod routing_admin;
mod schema;
mod search;
