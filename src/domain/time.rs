//! Time as people in Vietnam read it: UTC+7, dates written dd/mm/yyyy.

use chrono::{DateTime, FixedOffset, Utc};

/// Vietnam's time zone (UTC+7, no daylight saving).
pub const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+7 is a valid offset"),
};

/// Formats a time as dd/mm/yyyy in Vietnam time.
pub fn date_vn(at: DateTime<Utc>) -> String {
    at.with_timezone(&VIETNAM).format("%d/%m/%Y").to_string()
}

/// Formats a time as HH:MM dd/mm/yyyy in Vietnam time.
pub fn datetime_vn(at: DateTime<Utc>) -> String {
    at.with_timezone(&VIETNAM)
        .format("%H:%M %d/%m/%Y")
        .to_string()
}
