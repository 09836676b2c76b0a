//! The Vietnamese lunisolar calendar (âm lịch): conversion between solar
//! (Gregorian) dates and lunar dates.
//!
//! The computation is the astronomical one published by Hồ Ngọc Đức: a lunar
//! month starts on the local day of a new moon, month 11 is the month that
//! holds the winter solstice, and a year with 13 new moons between two
//! month-11s repeats (as a leap month, tháng nhuận) the first month that holds
//! no major solar term. New moons and the sun's longitude are reckoned in
//! Vietnam's time zone, UTC+7, which is why Vietnam's calendar sometimes
//! differs by a day or a month from China's (UTC+8): Tết 1985 fell on
//! 21 January in Vietnam and on 20 February in China.
//!
//! The supported range is 1900–2100: Tết is checked against published dates,
//! and every day of the range converts to a lunar date and back. The
//! results stay good for a few centuries either side; far from the present
//! the approximations of the moon's motion drift. The functions never panic.

use std::f64::consts::PI;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Vietnam's time zone, in hours east of UTC.
const TIME_ZONE: f64 = 7.0;

/// The Julian day number of 1 January 1 CE (proleptic Gregorian), minus one.
const JD_CE_OFFSET: i64 = 1_721_425;

/// The Julian day of the new moon of 1 January 1900 (new moon number 0).
const NEW_MOON_EPOCH: f64 = 2_415_021.076_998_695;

/// The mean length of a synodic month, in days.
const SYNODIC_MONTH: f64 = 29.530_588_853;

/// A date in the Vietnamese lunar calendar.
///
/// `year` is the solar year in which the lunar year begins (lunar year 2026
/// begins on Tết, 17 February 2026). `month` runs 1 to 12 (month 12 is tháng
/// Chạp), `day` 1 to 29 or 30. `leap` marks the repeated month of a leap year
/// (tháng nhuận), which follows the ordinary month of the same number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LunarDate {
    /// The lunar year, numbered as the solar year in which it begins.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u32,
    /// The day of the month, 1 to 30.
    pub day: u32,
    /// Whether the month is the leap (repeated) month of the year.
    pub leap: bool,
}

/// Converts a solar date to the Vietnamese lunar calendar.
pub fn to_lunar(date: NaiveDate) -> LunarDate {
    let day_number = julian_day(date);
    // Start from the mean new moon, then step to the true one: the two can
    // be more than half a day apart (7 May 2054 would otherwise fall before
    // the start of its month).
    let mut k = ((day_number as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
    while new_moon_day(k + 1) <= day_number {
        k += 1;
    }
    while new_moon_day(k) > day_number {
        k -= 1;
    }
    let month_start = new_moon_day(k);
    let solar_year = date.year();
    let mut a11 = month_11(solar_year);
    let mut b11 = a11;
    let mut year = solar_year;
    if a11 >= month_start {
        a11 = month_11(solar_year - 1);
    } else {
        year = solar_year + 1;
        b11 = month_11(solar_year + 1);
    }
    let day = day_number - month_start + 1;
    let diff = (month_start - a11) / 29;
    let mut leap = false;
    let mut month = diff + 11;
    if b11 - a11 > 365 {
        let leap_offset = leap_month_offset(a11);
        if diff >= leap_offset {
            month = diff + 10;
            leap = diff == leap_offset;
        }
    }
    if month > 12 {
        month -= 12;
    }
    if month >= 11 && diff < 4 {
        year -= 1;
    }
    LunarDate {
        year,
        month: to_u32(month),
        day: to_u32(day),
        leap,
    }
}

/// Converts a lunar date to the solar calendar.
///
/// Returns `None` when the date does not exist: a month outside 1–12, a day
/// past the end of its month (day 30 of a 29-day month), a leap month that
/// the year does not have, or a date outside chrono's range.
pub fn from_lunar(year: i32, month: u32, day: u32, leap: bool) -> Option<NaiveDate> {
    if !(1..=12).contains(&month) || !(1..=30).contains(&day) {
        return None;
    }
    let (a11, b11) = if month < 11 {
        (month_11(year - 1), month_11(year))
    } else {
        (month_11(year), month_11(year + 1))
    };
    let k = (0.5 + (a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
    let mut offset = (i64::from(month) + 1) % 12; // month 11 is offset 0
    if b11 - a11 > 365 {
        let leap_offset = leap_month_offset(a11);
        if leap && i64::from(month) != month_of_offset(leap_offset - 1) {
            return None;
        }
        if leap || offset >= leap_offset {
            offset += 1;
        }
    } else if leap {
        return None;
    }
    let month_start = new_moon_day(k + offset);
    let next_month_start = new_moon_day(k + offset + 1);
    let day_number = month_start + i64::from(day) - 1;
    if day_number >= next_month_start {
        return None;
    }
    from_julian_day(day_number)
}

/// Returns the solar date of Tết Nguyên Đán (lunar 1/1) of `year`.
///
/// Tết falls between 21 January and 20 February. Outside the range the
/// calendar supports (see the module documentation) the result is
/// approximate, and it is 1 January of `year` if no date can be computed.
pub fn tet(year: i32) -> NaiveDate {
    from_lunar(year, 1, 1, false)
        .or_else(|| NaiveDate::from_ymd_opt(year, 1, 1))
        .unwrap_or(NaiveDate::MIN)
}

/// Returns the leap month of lunar `year`, if the year has one.
///
/// The leap month repeats the month of the same number: 2023 has a leap
/// month 2 (two months 2), 2025 a leap month 6.
pub fn leap_month(year: i32) -> Option<u32> {
    (1..=12).find(|&month| from_lunar(year, month, 1, true).is_some())
}

/// Returns the number of the month `offset` months after a month 11.
fn month_of_offset(offset: i64) -> i64 {
    (offset + 10).rem_euclid(12) + 1
}

/// Returns the Julian day number of a date (noon of that day, UT).
fn julian_day(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + JD_CE_OFFSET
}

/// Returns the date of a Julian day number, if chrono can represent it.
fn from_julian_day(day_number: i64) -> Option<NaiveDate> {
    let days = i32::try_from(day_number - JD_CE_OFFSET).ok()?;
    NaiveDate::from_num_days_from_ce_opt(days)
}

/// Returns the time of new moon number `k` (0 is the new moon of
/// 1 January 1900) as a Julian day, UT.
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    // The sun's mean anomaly, the moon's mean anomaly and the moon's argument of latitude.
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin()
        - 0.4068 * (mpr * dr).sin()
        + 0.0161 * (dr * 2.0 * mpr).sin()
        - 0.0004 * (dr * 3.0 * mpr).sin()
        + 0.0104 * (dr * 2.0 * f).sin()
        - 0.0051 * (dr * (m + mpr)).sin()
        - 0.0074 * (dr * (m - mpr)).sin()
        + 0.0004 * (dr * (2.0 * f + m)).sin()
        - 0.0004 * (dr * (2.0 * f - m)).sin()
        - 0.0006 * (dr * (2.0 * f + mpr)).sin()
        + 0.0010 * (dr * (2.0 * f - mpr)).sin()
        + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - delta_t
}

/// Returns the Julian day number of the local (UTC+7) day of new moon `k`.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k) + 0.5 + TIME_ZONE / 24.0).floor() as i64
}

/// Returns the sun's ecliptic longitude, in radians (0 to 2π), at a Julian day.
fn sun_longitude(jdn: f64) -> f64 {
    let t = (jdn - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl += (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - 2.0 * PI * (l / (2.0 * PI)).floor()
}

/// Returns which twelfth of the ecliptic (0 to 11, 30° each) the sun is in
/// at the start of the local day `day_number`.
fn sun_sector(day_number: i64) -> i64 {
    let longitude = sun_longitude(day_number as f64 - 0.5 - TIME_ZONE / 24.0);
    (longitude / PI * 6.0).floor() as i64
}

/// Returns the Julian day number on which month 11 of the lunar year that
/// contains the winter solstice of solar `year` begins.
fn month_11(year: i32) -> i64 {
    let Some(december_31) = NaiveDate::from_ymd_opt(year, 12, 31) else {
        return 0;
    };
    let offset = julian_day(december_31) - 2_415_021;
    let k = (offset as f64 / SYNODIC_MONTH).floor() as i64;
    let new_moon = new_moon_day(k);
    // A new moon after the sun passes 270° (sector 9) is after the solstice.
    if sun_sector(new_moon) >= 9 {
        return new_moon_day(k - 1);
    }
    new_moon
}

/// Returns how many months after the month 11 that starts on `a11` the
/// leap month falls: the first month in which the sun enters no new sector
/// (holds no major solar term).
fn leap_month_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            return i - 1;
        }
    }
}

/// Narrows a month or day number that the algorithm keeps small.
fn to_u32(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(0)
}
