//! Vietnam's working-day calendar: weekends, public holidays (solar and
//! lunar), compensatory days off and the days administrators add or remove,
//! for deadlines counted in working days.
//!
//! - [`lunar`] converts between solar dates and the Vietnamese lunar calendar
//!   (UTC+7) and finds Tết;
//! - [`statutory_holidays`] lists a year's public holidays under the Labour
//!   Code 2019 with their compensatory days;
//! - [`WorkingCalendar`] applies administrators' overrides and counts
//!   working days: due dates, elapsed working days, reminders.
//!
//! Public offices work Monday to Friday; Saturday and Sunday are days off
//! unless an administrator marks one as a make-up working day.
//!
//! ```
//! # use std::collections::BTreeSet;
//! # use chrono::NaiveDate;
//! # use gopy::domain::calendar::WorkingCalendar;
//! let calendar = WorkingCalendar::default();
//! let friday = NaiveDate::from_ymd_opt(2026, 2, 13).unwrap();
//! // Tết 2026 (17 February) closes offices from Monday 16 to Friday 20.
//! let due = calendar.add_working_days(friday, 1);
//! assert_eq!(due, NaiveDate::from_ymd_opt(2026, 2, 23).unwrap());
//! ```

mod holidays;
pub mod lunar;
mod working;

#[cfg(test)]
mod holiday_tests;
#[cfg(test)]
mod lunar_tests;
#[cfg(test)]
mod working_tests;

pub use holidays::{Holiday, HolidayKind, is_weekend, statutory_holidays};
pub use lunar::{LunarDate, from_lunar, tet, to_lunar};
pub use working::WorkingCalendar;
