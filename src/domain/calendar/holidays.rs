//! Vietnam's public holidays as the Labour Code 2019 (art. 112) sets them,
//! with the compensatory days off of art. 111(3).

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Serialize;

use super::lunar;

/// Why a day is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// A holiday of the Labour Code 2019, art. 112(1).
    Statutory,
    /// A weekday off because a holiday fell on a Saturday or Sunday.
    Compensatory,
    /// A day off that an administrator added (an extra day off announced for
    /// the year, or the other half of a swapped working day).
    Additional,
}

/// A day off, with its name in Vietnamese and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Holiday {
    /// The solar date of the day off.
    pub date: NaiveDate,
    /// The name of the day in Vietnamese ("Quốc khánh").
    pub name_vi: &'static str,
    /// The name of the day in English ("National Day").
    pub name_en: &'static str,
    /// Whether the day is a holiday of the Code, a compensatory day or one
    /// an administrator added.
    pub kind: HolidayKind,
}

/// The names of a holiday and of the compensatory day it may give.
struct Occasion {
    vi: &'static str,
    en: &'static str,
    compensation_vi: &'static str,
    compensation_en: &'static str,
}

const NEW_YEAR: Occasion = Occasion {
    vi: "Tết Dương lịch",
    en: "New Year's Day",
    compensation_vi: "Nghỉ bù Tết Dương lịch",
    compensation_en: "New Year's Day (compensatory day off)",
};
const TET_EVE: Occasion = Occasion {
    vi: "Tết Nguyên Đán (ngày cuối năm Âm lịch)",
    en: "Lunar New Year's Eve",
    compensation_vi: "Nghỉ bù Tết Nguyên Đán",
    compensation_en: "Lunar New Year (compensatory day off)",
};
const TET_DAYS: [Occasion; 4] = [
    Occasion {
        vi: "Tết Nguyên Đán (mùng 1)",
        en: "Lunar New Year (Tết), first day",
        compensation_vi: "Nghỉ bù Tết Nguyên Đán",
        compensation_en: "Lunar New Year (compensatory day off)",
    },
    Occasion {
        vi: "Tết Nguyên Đán (mùng 2)",
        en: "Lunar New Year (Tết), second day",
        compensation_vi: "Nghỉ bù Tết Nguyên Đán",
        compensation_en: "Lunar New Year (compensatory day off)",
    },
    Occasion {
        vi: "Tết Nguyên Đán (mùng 3)",
        en: "Lunar New Year (Tết), third day",
        compensation_vi: "Nghỉ bù Tết Nguyên Đán",
        compensation_en: "Lunar New Year (compensatory day off)",
    },
    Occasion {
        vi: "Tết Nguyên Đán (mùng 4)",
        en: "Lunar New Year (Tết), fourth day",
        compensation_vi: "Nghỉ bù Tết Nguyên Đán",
        compensation_en: "Lunar New Year (compensatory day off)",
    },
];
const HUNG_KINGS: Occasion = Occasion {
    vi: "Giỗ Tổ Hùng Vương",
    en: "Hùng Kings' Commemoration Day",
    compensation_vi: "Nghỉ bù Giỗ Tổ Hùng Vương",
    compensation_en: "Hùng Kings' Commemoration Day (compensatory day off)",
};
const REUNIFICATION: Occasion = Occasion {
    vi: "Ngày Giải phóng miền Nam, thống nhất đất nước",
    en: "Reunification Day",
    compensation_vi: "Nghỉ bù ngày Giải phóng miền Nam",
    compensation_en: "Reunification Day (compensatory day off)",
};
const LABOUR_DAY: Occasion = Occasion {
    vi: "Ngày Quốc tế Lao động",
    en: "International Labour Day",
    compensation_vi: "Nghỉ bù ngày Quốc tế Lao động",
    compensation_en: "International Labour Day (compensatory day off)",
};
const NATIONAL_DAY_EVE: Occasion = Occasion {
    vi: "Nghỉ Quốc khánh (ngày liền kề)",
    en: "National Day holiday (adjacent day)",
    compensation_vi: "Nghỉ bù Quốc khánh",
    compensation_en: "National Day (compensatory day off)",
};
const NATIONAL_DAY: Occasion = Occasion {
    vi: "Quốc khánh",
    en: "National Day",
    compensation_vi: "Nghỉ bù Quốc khánh",
    compensation_en: "National Day (compensatory day off)",
};

/// The name given to a day off that an administrator added.
pub(super) const ADDITIONAL_VI: &str = "Ngày nghỉ bổ sung";
/// The English name given to a day off that an administrator added.
pub(super) const ADDITIONAL_EN: &str = "Additional day off";

/// Returns the public holidays of solar `year`, in date order, with their
/// compensatory days off.
///
/// The days are those of the Labour Code 2019, art. 112(1), eleven in all
/// (ten in a year when Giỗ Tổ falls on 30 April):
///
/// - Tết Dương lịch: 1 January;
/// - Tết Âm lịch, five days: by default the last day of the lunar year
///   (29 or 30 tháng Chạp) and mùng 1 to mùng 4 of the new year;
/// - Giỗ Tổ Hùng Vương: 10th day of lunar month 3 (the ordinary month 3,
///   not a leap one);
/// - 30 April and 1 May;
/// - Quốc khánh: 2 September and one adjacent day, by default 1 September.
///
/// The Prime Minister fixes the Tết days and the day next to 2 September each
/// year (art. 112(3)); when the decision differs from these defaults,
/// administrators record the difference as overrides in a
/// [`WorkingCalendar`](super::WorkingCalendar).
///
/// Compensation follows art. 111(3) as applied to public offices, which work
/// Monday to Friday: each holiday that falls on a Saturday or a Sunday gives
/// one compensatory day off, the first weekday after it that is neither a
/// holiday nor already a compensatory day. Thus 1/9 on a Sunday and 2/9 on a
/// Monday give 3/9 off; 30/4 on a Saturday and 1/5 on a Sunday give 2/5 and
/// 3/5 off.
///
/// The same rules apply to every year, including years before the 2019 Code
/// took effect (1 January 2021); the function is meant for deadlines, not for
/// history.
pub fn statutory_holidays(year: i32) -> Vec<Holiday> {
    let mut days: Vec<(NaiveDate, &'static Occasion)> = Vec::with_capacity(11);
    let mut push_ymd = |month: u32, day: u32, occasion: &'static Occasion| {
        if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
            days.push((date, occasion));
        }
    };
    push_ymd(1, 1, &NEW_YEAR);
    push_ymd(4, 30, &REUNIFICATION);
    push_ymd(5, 1, &LABOUR_DAY);
    push_ymd(9, 1, &NATIONAL_DAY_EVE);
    push_ymd(9, 2, &NATIONAL_DAY);

    let tet = lunar::tet(year);
    if let Some(eve) = tet.pred_opt() {
        days.push((eve, &TET_EVE));
    }
    for (offset, occasion) in (0u64..).zip(TET_DAYS.iter()) {
        if let Some(date) = tet.checked_add_days(Days::new(offset)) {
            days.push((date, occasion));
        }
    }
    if let Some(date) = lunar::from_lunar(year, 3, 10, false) {
        days.push((date, &HUNG_KINGS));
    }
    days.sort_by_key(|&(date, _)| date);
    // Giỗ Tổ can fall on 30/4 (it did in 1947); a day off counts once.
    days.dedup_by_key(|&mut (date, _)| date);

    let mut holidays: Vec<Holiday> = days
        .iter()
        .map(|&(date, occasion)| Holiday {
            date,
            name_vi: occasion.vi,
            name_en: occasion.en,
            kind: HolidayKind::Statutory,
        })
        .collect();
    let mut taken: BTreeSet<NaiveDate> = days.iter().map(|&(date, _)| date).collect();
    for &(date, occasion) in &days {
        if !is_weekend(date) {
            continue;
        }
        let Some(compensation) = next_free_weekday(date, &taken) else {
            continue;
        };
        taken.insert(compensation);
        holidays.push(Holiday {
            date: compensation,
            name_vi: occasion.compensation_vi,
            name_en: occasion.compensation_en,
            kind: HolidayKind::Compensatory,
        });
    }
    holidays.sort_by_key(|holiday| holiday.date);
    holidays
}

/// Tells whether a date falls on a Saturday or a Sunday.
pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Returns the first weekday after `date` that is not in `taken`.
fn next_free_weekday(date: NaiveDate, taken: &BTreeSet<NaiveDate>) -> Option<NaiveDate> {
    let mut day = date.succ_opt()?;
    while is_weekend(day) || taken.contains(&day) {
        day = day.succ_opt()?;
    }
    Some(day)
}
