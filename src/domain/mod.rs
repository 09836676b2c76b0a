//! Domain types that parse input into values that are valid by construction.

pub mod account;
pub mod attachments;
pub mod audit;
pub mod calendar;
pub mod clauses;
pub mod comment;
pub mod screening;
pub mod text;
pub mod time;
pub mod tracking;
