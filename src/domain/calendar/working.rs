//! The working-day calendar with administrators' overrides, and the
//! counting of working days for deadlines.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, PoisonError, RwLock};

use chrono::{Datelike, NaiveDate};

use super::holidays::{
    ADDITIONAL_EN, ADDITIONAL_VI, Holiday, HolidayKind, is_weekend, statutory_holidays,
};

/// Vietnam's working days: Monday to Friday, except public holidays and
/// their compensatory days, adjusted by the days administrators add or
/// remove.
///
/// A date is a working day when, in this order of precedence:
///
/// 1. it is in `extra_working_days` (a make-up Saturday, or a holiday the
///    government moved): working, whatever else holds;
/// 2. it is in `extra_days_off` (an extra day off announced for the year):
///    not working;
/// 3. it is a Saturday or a Sunday: not working;
/// 4. it is a day of [`statutory_holidays`] (holiday or compensatory day):
///    not working;
/// 5. otherwise: working.
///
/// Holidays are computed once per year and kept, so the calendar is cheap
/// to query many times; it may be shared between threads (`Send + Sync`).
/// Build one from the stored overrides and reuse it.
#[derive(Debug, Default)]
pub struct WorkingCalendar {
    extra_days_off: BTreeSet<NaiveDate>,
    extra_working_days: BTreeSet<NaiveDate>,
    /// Statutory holidays by solar year, sorted by date.
    cache: RwLock<HashMap<i32, Arc<[Holiday]>>>,
}

impl Clone for WorkingCalendar {
    fn clone(&self) -> Self {
        let cache = self
            .cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        Self {
            extra_days_off: self.extra_days_off.clone(),
            extra_working_days: self.extra_working_days.clone(),
            cache: RwLock::new(cache),
        }
    }
}

impl WorkingCalendar {
    /// Creates a calendar with administrators' overrides: days off on top of
    /// the statutory ones, and working days that would otherwise be off. A
    /// date in both sets is a working day.
    pub fn new(
        extra_days_off: BTreeSet<NaiveDate>,
        extra_working_days: BTreeSet<NaiveDate>,
    ) -> Self {
        Self {
            extra_days_off,
            extra_working_days,
            cache: RwLock::default(),
        }
    }

    /// Returns the days off added by administrators.
    pub fn extra_days_off(&self) -> &BTreeSet<NaiveDate> {
        &self.extra_days_off
    }

    /// Returns the working days added by administrators.
    pub fn extra_working_days(&self) -> &BTreeSet<NaiveDate> {
        &self.extra_working_days
    }

    /// Tells whether public offices work on `date`.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.extra_working_days.contains(&date) {
            return true;
        }
        if self.extra_days_off.contains(&date) || is_weekend(date) {
            return false;
        }
        self.statutory_on(date).is_none()
    }

    /// Returns the holiday on `date`, if there is one once overrides are
    /// applied: a statutory or compensatory day that no extra working day
    /// cancels, or an extra day off. Ordinary weekends are not holidays.
    pub fn holiday(&self, date: NaiveDate) -> Option<Holiday> {
        if self.extra_working_days.contains(&date) {
            return None;
        }
        if let Some(holiday) = self.statutory_on(date) {
            return Some(holiday);
        }
        self.extra_days_off
            .contains(&date)
            .then(|| additional_day_off(date))
    }

    /// Returns the holidays from `from` to `to`, both included, in date
    /// order, as [`holiday`](Self::holiday) sees each day. Empty when `to` is
    /// before `from`.
    pub fn holidays_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<Holiday> {
        let mut found = Vec::new();
        if to < from {
            return found;
        }
        for year in from.year()..=to.year() {
            for holiday in self.year_holidays(year).iter() {
                let in_range = from <= holiday.date && holiday.date <= to;
                if in_range && !self.extra_working_days.contains(&holiday.date) {
                    found.push(*holiday);
                }
            }
        }
        for &date in self.extra_days_off.range(from..=to) {
            let statutory = self.statutory_on(date).is_some();
            if !statutory && !self.extra_working_days.contains(&date) {
                found.push(additional_day_off(date));
            }
        }
        found.sort_by_key(|holiday| holiday.date);
        found
    }

    /// Returns the due date of a task given on `start` with `n` working days:
    /// the `n`-th working day after `start`.
    ///
    /// `start` itself never counts, whether or not it is a working day: a task
    /// given on Monday with 1 working day is due on Tuesday, one given on
    /// Friday, Saturday or Sunday is due on Monday. With `n = 0` the result is
    /// `start` if it is a working day, else the next working day.
    ///
    /// Inverse of [`working_days_between`](Self::working_days_between):
    /// `working_days_between(start, add_working_days(start, n)) == n` for
    /// every `n > 0`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        if n == 0 {
            while !self.is_working_day(day) {
                let Some(next) = day.succ_opt() else {
                    return day;
                };
                day = next;
            }
            return day;
        }
        let mut left = n;
        while left > 0 {
            let Some(next) = day.succ_opt() else {
                return day;
            };
            day = next;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Returns the `n`-th working day before `date`, for reminders such as
    /// "two working days before the due date".
    ///
    /// `date` itself never counts: with the due date on Tuesday, 1 gives
    /// Monday and 2 the Friday before. With `n = 0` the result is `date` if it
    /// is a working day, else the last working day before it.
    pub fn previous_working_day(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut day = date;
        if n == 0 {
            while !self.is_working_day(day) {
                let Some(previous) = day.pred_opt() else {
                    return day;
                };
                day = previous;
            }
            return day;
        }
        let mut left = n;
        while left > 0 {
            let Some(previous) = day.pred_opt() else {
                return day;
            };
            day = previous;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Counts the working days after `from` up to and including `to`: how
    /// many working days an answer given on `to` took for a request received
    /// on `from`.
    ///
    /// Received Monday, answered Tuesday: 1. Received Friday, answered the
    /// next Monday: 1. Answered the same day, or on the weekend after a
    /// Friday: 0. When `to` is before `from` the count is negative:
    /// `working_days_between(a, b) == -working_days_between(b, a)`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let mut count = 0;
        let mut day = from;
        while day < to {
            let Some(next) = day.succ_opt() else { break };
            day = next;
            if self.is_working_day(day) {
                count += 1;
            }
        }
        count
    }

    /// Returns the statutory or compensatory holiday on `date`, overrides
    /// aside.
    fn statutory_on(&self, date: NaiveDate) -> Option<Holiday> {
        let holidays = self.year_holidays(date.year());
        let index = holidays
            .binary_search_by_key(&date, |holiday| holiday.date)
            .ok()?;
        holidays.get(index).copied()
    }

    /// Returns the statutory holidays of `year`, computing them on first use.
    fn year_holidays(&self, year: i32) -> Arc<[Holiday]> {
        let cached = self
            .cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&year)
            .cloned();
        if let Some(holidays) = cached {
            return holidays;
        }
        let holidays: Arc<[Holiday]> = statutory_holidays(year).into();
        self.cache
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(year)
            .or_insert(holidays)
            .clone()
    }
}

/// Describes a day off that an administrator added.
fn additional_day_off(date: NaiveDate) -> Holiday {
    Holiday {
        date,
        name_vi: ADDITIONAL_VI,
        name_en: ADDITIONAL_EN,
        kind: HolidayKind::Additional,
    }
}
