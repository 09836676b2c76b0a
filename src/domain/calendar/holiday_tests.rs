//! Tests of the statutory holidays and their compensatory days, checked
//! against the schedules the government published for public offices.

use chrono::{Datelike, NaiveDate};

use super::holidays::{Holiday, HolidayKind, statutory_holidays};

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn dates_of(holidays: &[Holiday], kind: HolidayKind) -> Vec<NaiveDate> {
    holidays
        .iter()
        .filter(|holiday| holiday.kind == kind)
        .map(|holiday| holiday.date)
        .collect()
}

/// Returns the compensatory days of `year` that fall in `month`.
fn compensation_in(year: i32, month: u32) -> Vec<NaiveDate> {
    dates_of(&statutory_holidays(year), HolidayKind::Compensatory)
        .into_iter()
        .filter(|date| date.month() == month)
        .collect()
}

#[test]
fn the_2026_holidays_are_the_eleven_days_of_the_code() {
    let holidays = statutory_holidays(2026);
    let expected = [
        ymd(2026, 1, 1),
        ymd(2026, 2, 16),
        ymd(2026, 2, 17),
        ymd(2026, 2, 18),
        ymd(2026, 2, 19),
        ymd(2026, 2, 20),
        ymd(2026, 4, 26),
        ymd(2026, 4, 30),
        ymd(2026, 5, 1),
        ymd(2026, 9, 1),
        ymd(2026, 9, 2),
    ];
    assert_eq!(dates_of(&holidays, HolidayKind::Statutory), expected);
    // Giỗ Tổ falls on Sunday 26 April 2026: Monday 27 April is off instead.
    assert_eq!(
        dates_of(&holidays, HolidayKind::Compensatory),
        [ymd(2026, 4, 27)]
    );
    let tet = holidays
        .iter()
        .find(|h| h.date == ymd(2026, 2, 17))
        .unwrap();
    assert_eq!(tet.name_vi, "Tết Nguyên Đán (mùng 1)");
    let hung = holidays
        .iter()
        .find(|h| h.date == ymd(2026, 4, 26))
        .unwrap();
    assert_eq!(hung.name_vi, "Giỗ Tổ Hùng Vương");
    let monday = holidays
        .iter()
        .find(|h| h.date == ymd(2026, 4, 27))
        .unwrap();
    assert_eq!(monday.name_vi, "Nghỉ bù Giỗ Tổ Hùng Vương");
}

#[test]
fn holidays_come_in_date_order_without_duplicates() {
    for year in 1950..=2100 {
        let holidays = statutory_holidays(year);
        let statutory = dates_of(&holidays, HolidayKind::Statutory);
        assert!(statutory.len() == 11 || statutory.len() == 10, "{year}");
        assert!(
            holidays.windows(2).all(|pair| pair[0].date < pair[1].date),
            "{year}: {holidays:?}"
        );
        for date in dates_of(&holidays, HolidayKind::Compensatory) {
            assert!(!super::is_weekend(date), "{year}: compensation on {date}");
        }
    }
}

#[test]
fn new_year_on_a_sunday_gives_monday_off() {
    // 2023: published schedule 31/12/2022 to 2/1/2023.
    assert_eq!(compensation_in(2023, 1)[0], ymd(2023, 1, 2));
}

#[test]
fn reunification_and_labour_day_on_a_weekend_give_two_days() {
    // 2022: 30/4 Saturday, 1/5 Sunday; published schedule 30/4 to 3/5.
    assert_eq!(compensation_in(2022, 5), [ymd(2022, 5, 2), ymd(2022, 5, 3)]);
}

#[test]
fn compensation_skips_days_that_are_already_holidays() {
    // 2023: Giỗ Tổ on Saturday 29/4, 30/4 Sunday, 1/5 Monday; published
    // schedule 29/4 to 3/5, so Saturday and Sunday give Tuesday and Wednesday.
    assert_eq!(compensation_in(2023, 5), [ymd(2023, 5, 2), ymd(2023, 5, 3)]);
}

#[test]
fn national_day_and_its_adjacent_day_on_a_weekend_are_compensated() {
    // 2023: 1/9 Friday, 2/9 Saturday; published schedule 1/9 to 4/9.
    assert_eq!(compensation_in(2023, 9), [ymd(2023, 9, 4)]);
    // 2024: 1/9 Sunday, 2/9 Monday; published schedule 31/8 to 3/9.
    assert_eq!(compensation_in(2024, 9), [ymd(2024, 9, 3)]);
    // 2029: 1/9 Saturday, 2/9 Sunday: Monday and Tuesday off.
    assert_eq!(compensation_in(2029, 9), [ymd(2029, 9, 3), ymd(2029, 9, 4)]);
}

#[test]
fn tet_on_a_weekend_is_compensated_after_the_break() {
    // 2025: Tết eve Tuesday 28/1, mùng 4 Saturday 1/2: Monday 3/2 is off by
    // default (the government moved that day to Monday 27/1 instead).
    assert_eq!(compensation_in(2025, 2), [ymd(2025, 2, 3)]);
    // 2024: Tết on Saturday 10/2 and Sunday 11/2 gives Wednesday 14/2 and
    // Thursday 15/2 (the government chose 8/2 and 14/2).
    assert_eq!(
        compensation_in(2024, 2),
        [ymd(2024, 2, 14), ymd(2024, 2, 15)]
    );
}

#[test]
fn holidays_serialize_with_both_names() {
    let holiday = statutory_holidays(2026)[0];
    let json = serde_json::to_value(holiday).unwrap();
    assert_eq!(json["date"], "2026-01-01");
    assert_eq!(json["name_vi"], "Tết Dương lịch");
    assert_eq!(json["name_en"], "New Year's Day");
    assert_eq!(json["kind"], "statutory");
}
