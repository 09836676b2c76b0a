//! Domain types that parse input into values that are valid by construction.

pub mod account;
pub mod text;
