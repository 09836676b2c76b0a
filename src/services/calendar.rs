//! The working-day calendar in force: Vietnam's statutory holidays (computed, see
//! [`crate::domain::calendar`]) plus the exceptions admins enter each year (`calendar_days`).

use chrono::NaiveDate;
use entity::calendar_days;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set};
use uuid::Uuid;

use crate::domain::calendar::WorkingCalendar;
use crate::error::{Error, FieldErrors, Result};
use crate::services::now;

/// The calendar with every exception entered by admins.
pub async fn load<C: ConnectionTrait>(db: &C) -> Result<WorkingCalendar> {
    let mut off = std::collections::BTreeSet::new();
    let mut worked = std::collections::BTreeSet::new();
    for day in calendar_days::Entity::find().all(db).await? {
        if day.is_working_day {
            worked.insert(day.day);
        } else {
            off.insert(day.day);
        }
    }
    Ok(WorkingCalendar::new(off, worked))
}

/// Every exception, in date order.
pub async fn exceptions<C: ConnectionTrait>(db: &C) -> Result<Vec<calendar_days::Model>> {
    Ok(calendar_days::Entity::find()
        .order_by_asc(calendar_days::Column::Day)
        .all(db)
        .await?)
}

/// Enters (or replaces) the exception of one day: worked (`true`) or off (`false`).
pub async fn set_exception<C: ConnectionTrait>(
    db: &C,
    day: NaiveDate,
    is_working_day: bool,
    note: &str,
    admin_id: Uuid,
) -> Result<calendar_days::Model> {
    let note = crate::domain::text::normalize(note);
    if note.is_empty() || note.chars().count() > 300 {
        let mut errors = FieldErrors::default();
        errors.push(
            "note",
            "required",
            "Ghi lý do (ví dụ số văn bản thông báo), tối đa 300 ký tự",
        );
        return Err(Error::Invalid(errors));
    }
    calendar_days::Entity::delete_by_id(day).exec(db).await?;
    Ok(calendar_days::ActiveModel {
        day: Set(day),
        is_working_day: Set(is_working_day),
        note: Set(note),
        created_by: Set(Some(admin_id)),
        created_at: Set(now()),
    }
    .insert(db)
    .await?)
}

/// Removes the exception of one day; `NotFound` when there is none.
pub async fn remove_exception<C: ConnectionTrait>(db: &C, day: NaiveDate) -> Result<()> {
    let deleted = calendar_days::Entity::delete_by_id(day).exec(db).await?;
    if deleted.rows_affected == 0 {
        return Err(Error::NotFound("calendar exception"));
    }
    Ok(())
}

/// One year of the calendar as admins and the public read it.
#[derive(Debug, Clone)]
pub struct CalendarYear {
    /// The year.
    pub year: i32,
    /// The statutory holidays and compensatory days of the year, in date order.
    pub holidays: Vec<crate::domain::calendar::Holiday>,
    /// The admins' exceptions falling in the year, in date order.
    pub exceptions: Vec<calendar_days::Model>,
    /// The days off once the exceptions apply: holidays no make-up day cancels, and extra
    /// days off (ordinary weekends are not listed).
    pub days_off: Vec<crate::domain::calendar::Holiday>,
}

/// First and last years the calendar can be shown for (the lunar calendar's range).
pub const YEARS: std::ops::RangeInclusive<i32> = 1901..=2099;

/// The holidays, exceptions and days off of one year; `Invalid` outside [`YEARS`].
pub async fn year<C: ConnectionTrait>(db: &C, year: i32) -> Result<CalendarYear> {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1).filter(|_| YEARS.contains(&year)),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        let mut errors = FieldErrors::default();
        errors.push("year", "out_of_range", "Chọn một năm từ 1901 đến 2099");
        return Err(Error::Invalid(errors));
    };
    let calendar = load(db).await?;
    let exceptions = exceptions(db)
        .await?
        .into_iter()
        .filter(|day| first <= day.day && day.day <= last)
        .collect();
    Ok(CalendarYear {
        year,
        holidays: crate::domain::calendar::statutory_holidays(year),
        exceptions,
        days_off: calendar.holidays_between(first, last),
    })
}

/// Parses a `YYYY-MM-DD` date within [`YEARS`].
pub fn parse_day(value: &str) -> Option<NaiveDate> {
    use chrono::Datelike;
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
}
