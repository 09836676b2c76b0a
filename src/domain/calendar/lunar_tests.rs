//! Tests of the lunar calendar against published Vietnamese dates.

use chrono::{Datelike, NaiveDate};

use super::lunar::{LunarDate, from_lunar, leap_month, tet, to_lunar};

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn lunar(year: i32, month: u32, day: u32, leap: bool) -> LunarDate {
    LunarDate {
        year,
        month,
        day,
        leap,
    }
}

#[test]
fn tet_falls_on_the_published_dates() {
    let known = [
        (2000, 2, 5),
        (2001, 1, 24),
        (2002, 2, 12),
        (2003, 2, 1),
        (2004, 1, 22),
        (2005, 2, 9),
        (2006, 1, 29),
        (2007, 2, 17),
        (2008, 2, 7),
        (2009, 1, 26),
        (2010, 2, 14),
        (2011, 2, 3),
        (2012, 1, 23),
        (2013, 2, 10),
        (2014, 1, 31),
        (2015, 2, 19),
        (2016, 2, 8),
        (2017, 1, 28),
        (2018, 2, 16),
        (2019, 2, 5),
        (2020, 1, 25),
        (2021, 2, 12),
        (2022, 2, 1),
        (2023, 1, 22),
        (2024, 2, 10),
        (2025, 1, 29),
        (2026, 2, 17),
        (2027, 2, 6),
        (2028, 1, 26),
        (2029, 2, 13),
        // China (UTC+8) celebrates on 3 February 2030: the new moon comes
        // just after 23:00 in Hà Nội, just after midnight in Beijing.
        (2030, 2, 2),
    ];
    for (year, month, day) in known {
        assert_eq!(tet(year), ymd(year, month, day), "Tết {year}");
        assert_eq!(to_lunar(ymd(year, month, day)), lunar(year, 1, 1, false));
    }
}

#[test]
fn tet_follows_vietnam_time_not_china_time() {
    // China (UTC+8) celebrated on 20 February 1985 and 18 February 2007.
    assert_eq!(tet(1985), ymd(1985, 1, 21));
    assert_eq!(tet(2007), ymd(2007, 2, 17));
    assert_eq!(to_lunar(ymd(1985, 2, 20)), lunar(1985, 2, 1, false));
}

#[test]
fn tet_stays_between_21_january_and_20_february() {
    for year in 1900..=2100 {
        let date = tet(year);
        assert_eq!(date.year(), year);
        assert!(
            ymd(year, 1, 21) <= date && date <= ymd(year, 2, 20),
            "Tết {year} on {date}"
        );
    }
}

#[test]
fn hung_kings_day_is_the_10th_of_the_3rd_month() {
    assert_eq!(from_lunar(2023, 3, 10, false), Some(ymd(2023, 4, 29)));
    assert_eq!(from_lunar(2024, 3, 10, false), Some(ymd(2024, 4, 18)));
    assert_eq!(from_lunar(2025, 3, 10, false), Some(ymd(2025, 4, 7)));
    assert_eq!(from_lunar(2026, 3, 10, false), Some(ymd(2026, 4, 26)));
}

#[test]
fn leap_months_are_found() {
    assert_eq!(leap_month(2014), Some(9));
    assert_eq!(leap_month(2017), Some(6));
    assert_eq!(leap_month(2020), Some(4));
    assert_eq!(leap_month(2023), Some(2));
    assert_eq!(leap_month(2025), Some(6));
    assert_eq!(leap_month(2033), Some(11));
    assert_eq!(leap_month(2024), None);
    assert_eq!(leap_month(2026), None);
}

#[test]
fn the_leap_month_follows_the_ordinary_month() {
    // 2023: month 2 from 20 February, leap month 2 from 22 March.
    assert_eq!(from_lunar(2023, 2, 1, false), Some(ymd(2023, 2, 20)));
    assert_eq!(from_lunar(2023, 2, 1, true), Some(ymd(2023, 3, 22)));
    assert_eq!(from_lunar(2023, 3, 1, false), Some(ymd(2023, 4, 20)));
    assert_eq!(to_lunar(ymd(2023, 3, 22)), lunar(2023, 2, 1, true));
    assert_eq!(to_lunar(ymd(2023, 3, 21)), lunar(2023, 2, 30, false));
    // 2025: month 6 from 25 June, leap month 6 from 25 July.
    assert_eq!(from_lunar(2025, 6, 1, false), Some(ymd(2025, 6, 25)));
    assert_eq!(from_lunar(2025, 6, 1, true), Some(ymd(2025, 7, 25)));
    assert_eq!(to_lunar(ymd(2025, 8, 22)), lunar(2025, 6, 29, true));
    assert_eq!(to_lunar(ymd(2025, 8, 23)), lunar(2025, 7, 1, false));
}

#[test]
fn a_leap_eleventh_month_converts_both_ways() {
    let first = from_lunar(2033, 11, 1, true).unwrap();
    assert_eq!(to_lunar(first), lunar(2033, 11, 1, true));
    let before = to_lunar(first.pred_opt().unwrap());
    assert_eq!((before.year, before.month, before.leap), (2033, 11, false));
    let twelfth = from_lunar(2033, 12, 1, false).unwrap();
    assert!(first < twelfth && twelfth < tet(2034));
}

#[test]
fn dates_that_do_not_exist_are_rejected() {
    assert_eq!(from_lunar(2026, 0, 1, false), None);
    assert_eq!(from_lunar(2026, 13, 1, false), None);
    assert_eq!(from_lunar(2026, 1, 0, false), None);
    assert_eq!(from_lunar(2026, 1, 31, false), None);
    // 2026 has no leap month; 2023's leap month is 2, not 3.
    assert_eq!(from_lunar(2026, 4, 1, true), None);
    assert_eq!(from_lunar(2023, 3, 1, true), None);
    // Leap month 6 of 2025 has 29 days (25 July to 22 August).
    assert_eq!(from_lunar(2025, 6, 29, true), Some(ymd(2025, 8, 22)));
    assert_eq!(from_lunar(2025, 6, 30, true), None);
}

#[test]
fn the_last_day_of_the_lunar_year_is_the_eve_of_tet() {
    for year in 2000..=2040 {
        let eve = to_lunar(tet(year).pred_opt().unwrap());
        assert_eq!((eve.year, eve.month, eve.leap), (year - 1, 12, false));
        assert!(eve.day == 29 || eve.day == 30, "{eve:?}");
    }
}

#[test]
fn every_day_from_1900_to_2100_converts_both_ways() {
    let mut date = ymd(1900, 1, 1);
    let mut previous = to_lunar(date);
    let mut months_with_a_leap = 0;
    while date <= ymd(2100, 12, 31) {
        let day = to_lunar(date);
        let back = from_lunar(day.year, day.month, day.day, day.leap);
        assert_eq!(back, Some(date), "{date} → {day:?}");
        if date != ymd(1900, 1, 1) {
            let next_day = day.day == previous.day + 1 && day.month == previous.month;
            let new_month = day.day == 1 && (previous.day == 29 || previous.day == 30);
            assert!(next_day || new_month, "{previous:?} then {day:?}");
            if new_month {
                let leap_follows = day.leap && !previous.leap && day.month == previous.month;
                let next_month = !day.leap && day.month == previous.month % 12 + 1;
                assert!(leap_follows || next_month, "{previous:?} then {day:?}");
                let next_year = previous.year + i32::from(day.month == 1 && !day.leap);
                assert_eq!(day.year, next_year, "{previous:?} then {day:?}");
            } else {
                assert_eq!((day.year, day.leap), (previous.year, previous.leap));
            }
            if day.leap && day.day == 1 {
                months_with_a_leap += 1;
            }
        }
        previous = day;
        date = date.succ_opt().unwrap();
    }
    // Seven leap months every nineteen years.
    assert!(
        (72..=76).contains(&months_with_a_leap),
        "{months_with_a_leap}"
    );
}

#[test]
fn lunar_dates_serialize_as_plain_fields() {
    let json = serde_json::to_string(&lunar(2025, 6, 1, true)).unwrap();
    assert_eq!(json, r#"{"year":2025,"month":6,"day":1,"leap":true}"#);
}
