//! Background loops, all stopped by one cancellation token.

pub mod deadlines;
pub mod mail;
