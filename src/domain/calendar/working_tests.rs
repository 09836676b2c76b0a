//! Tests of the working-day calendar: overrides, due dates, elapsed working
//! days and reminders.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};

use super::{HolidayKind, WorkingCalendar};

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn set(dates: &[NaiveDate]) -> BTreeSet<NaiveDate> {
    dates.iter().copied().collect()
}

/// The published 2025 schedule: Tết 27/1 to 31/1 instead of 28/1 to 1/2
/// (so 3/2 is worked), and 2/5 off in exchange for Saturday 26/4.
fn calendar_2025() -> WorkingCalendar {
    WorkingCalendar::new(
        set(&[ymd(2025, 1, 27), ymd(2025, 5, 2)]),
        set(&[ymd(2025, 2, 3), ymd(2025, 4, 26)]),
    )
}

#[test]
fn weekdays_work_and_weekends_rest() {
    let calendar = WorkingCalendar::default();
    assert!(calendar.is_working_day(ymd(2026, 3, 2))); // Monday
    assert!(calendar.is_working_day(ymd(2026, 3, 6))); // Friday
    assert!(!calendar.is_working_day(ymd(2026, 3, 7))); // Saturday
    assert!(!calendar.is_working_day(ymd(2026, 3, 8))); // Sunday
}

#[test]
fn the_tet_2026_break_runs_from_14_to_22_february() {
    let calendar = WorkingCalendar::default();
    assert!(calendar.is_working_day(ymd(2026, 2, 13)));
    for day in 14..=22 {
        assert!(
            !calendar.is_working_day(ymd(2026, 2, day)),
            "{day} February"
        );
    }
    assert!(calendar.is_working_day(ymd(2026, 2, 23)));
    let holidays = calendar.holidays_between(ymd(2026, 2, 14), ymd(2026, 2, 22));
    let dates: Vec<_> = holidays.iter().map(|holiday| holiday.date).collect();
    assert_eq!(
        dates,
        (16..=20).map(|day| ymd(2026, 2, day)).collect::<Vec<_>>()
    );
}

#[test]
fn overrides_reproduce_the_published_tet_2025_schedule() {
    let calendar = calendar_2025();
    assert!(calendar.is_working_day(ymd(2025, 1, 24)));
    for date in ymd(2025, 1, 25).iter_days().take(9) {
        assert!(!calendar.is_working_day(date), "{date}");
    }
    assert!(calendar.is_working_day(ymd(2025, 2, 3)));
    let added = calendar.holiday(ymd(2025, 1, 27)).unwrap();
    assert_eq!(added.kind, HolidayKind::Additional);
    assert_eq!(calendar.holiday(ymd(2025, 2, 3)), None);
    // Without overrides, Monday 27/1 is worked and Monday 3/2 is off.
    let plain = WorkingCalendar::default();
    assert!(plain.is_working_day(ymd(2025, 1, 27)));
    assert!(!plain.is_working_day(ymd(2025, 2, 3)));
}

#[test]
fn a_make_up_saturday_is_a_working_day() {
    let calendar = calendar_2025();
    assert!(calendar.is_working_day(ymd(2025, 4, 26)));
    // Given on Friday 25/4 with 1 working day: due on the make-up Saturday.
    assert_eq!(
        calendar.add_working_days(ymd(2025, 4, 25), 1),
        ymd(2025, 4, 26)
    );
    // 30/4 to 4/5 off: given Tuesday 29/4 with 1 working day, due Monday 5/5.
    assert_eq!(
        calendar.add_working_days(ymd(2025, 4, 29), 1),
        ymd(2025, 5, 5)
    );
    assert_eq!(
        calendar.working_days_between(ymd(2025, 4, 25), ymd(2025, 4, 28)),
        2
    );
}

#[test]
fn holidays_between_applies_the_overrides() {
    let calendar = calendar_2025();
    let holidays = calendar.holidays_between(ymd(2025, 4, 26), ymd(2025, 5, 4));
    let found: Vec<_> = holidays.iter().map(|h| (h.date, h.kind)).collect();
    assert_eq!(
        found,
        [
            (ymd(2025, 4, 30), HolidayKind::Statutory),
            (ymd(2025, 5, 1), HolidayKind::Statutory),
            (ymd(2025, 5, 2), HolidayKind::Additional),
        ]
    );
    let tet = calendar.holidays_between(ymd(2025, 1, 1), ymd(2025, 2, 28));
    let dates: Vec<_> = tet.iter().map(|h| h.date).collect();
    assert!(dates.contains(&ymd(2025, 1, 27)));
    assert!(!dates.contains(&ymd(2025, 2, 3)));
    assert!(
        calendar
            .holidays_between(ymd(2025, 5, 4), ymd(2025, 4, 26))
            .is_empty()
    );
}

#[test]
fn holidays_between_spans_years() {
    let calendar = WorkingCalendar::default();
    let holidays = calendar.holidays_between(ymd(2025, 12, 31), ymd(2026, 1, 1));
    assert_eq!(holidays.len(), 1);
    assert_eq!(holidays[0].name_en, "New Year's Day");
}

#[test]
fn an_extra_working_day_wins_over_an_extra_day_off() {
    let day = ymd(2026, 3, 10);
    let calendar = WorkingCalendar::new(set(&[day]), set(&[day]));
    assert!(calendar.is_working_day(day));
    assert!(calendar.holidays_between(day, day).is_empty());
}

#[test]
fn the_start_day_never_counts() {
    let calendar = WorkingCalendar::default();
    let monday = ymd(2026, 3, 2);
    assert_eq!(calendar.add_working_days(monday, 1), ymd(2026, 3, 3));
    assert_eq!(calendar.add_working_days(monday, 5), ymd(2026, 3, 9));
    assert_eq!(
        calendar.add_working_days(ymd(2026, 3, 6), 1),
        ymd(2026, 3, 9)
    );
    assert_eq!(
        calendar.add_working_days(ymd(2026, 3, 7), 1),
        ymd(2026, 3, 9)
    );
    assert_eq!(
        calendar.add_working_days(ymd(2026, 3, 8), 1),
        ymd(2026, 3, 9)
    );
    assert_eq!(
        calendar.add_working_days(ymd(2026, 3, 7), 2),
        ymd(2026, 3, 10)
    );
}

#[test]
fn zero_working_days_is_the_next_working_day_on_or_after() {
    let calendar = WorkingCalendar::default();
    assert_eq!(
        calendar.add_working_days(ymd(2026, 3, 2), 0),
        ymd(2026, 3, 2)
    );
    assert_eq!(
        calendar.add_working_days(ymd(2026, 3, 7), 0),
        ymd(2026, 3, 9)
    );
    assert_eq!(
        calendar.add_working_days(ymd(2026, 2, 17), 0),
        ymd(2026, 2, 23)
    );
    assert_eq!(
        calendar.previous_working_day(ymd(2026, 3, 2), 0),
        ymd(2026, 3, 2)
    );
    assert_eq!(
        calendar.previous_working_day(ymd(2026, 3, 8), 0),
        ymd(2026, 3, 6)
    );
}

#[test]
fn due_dates_skip_the_tet_break() {
    let calendar = WorkingCalendar::default();
    assert_eq!(
        calendar.add_working_days(ymd(2026, 2, 13), 1),
        ymd(2026, 2, 23)
    );
    assert_eq!(
        calendar.add_working_days(ymd(2026, 2, 12), 3),
        ymd(2026, 2, 24)
    );
    assert_eq!(
        calendar.add_working_days(ymd(2026, 2, 17), 1),
        ymd(2026, 2, 23)
    );
    // 15 working days from 2 February 2026: 9 in February before Tết, 6 after.
    assert_eq!(
        calendar.add_working_days(ymd(2026, 2, 2), 15),
        ymd(2026, 3, 2)
    );
}

#[test]
fn working_days_between_counts_after_the_start_and_is_signed() {
    let calendar = WorkingCalendar::default();
    let monday = ymd(2026, 3, 2);
    assert_eq!(calendar.working_days_between(monday, monday), 0);
    assert_eq!(calendar.working_days_between(monday, ymd(2026, 3, 3)), 1);
    assert_eq!(
        calendar.working_days_between(ymd(2026, 3, 6), ymd(2026, 3, 7)),
        0
    );
    assert_eq!(
        calendar.working_days_between(ymd(2026, 3, 6), ymd(2026, 3, 9)),
        1
    );
    assert_eq!(
        calendar.working_days_between(ymd(2026, 2, 13), ymd(2026, 2, 23)),
        1
    );
    assert_eq!(
        calendar.working_days_between(ymd(2026, 2, 23), ymd(2026, 2, 13)),
        -1
    );
    // 2026: 261 weekdays, 10 of them holidays and one a compensatory day.
    assert_eq!(
        calendar.working_days_between(ymd(2025, 12, 31), ymd(2026, 12, 31)),
        250
    );
}

#[test]
fn reminders_count_back_from_the_due_date() {
    let calendar = WorkingCalendar::default();
    // Due Monday 23 February 2026: two working days before is Thursday 12th.
    assert_eq!(
        calendar.previous_working_day(ymd(2026, 2, 23), 1),
        ymd(2026, 2, 13)
    );
    assert_eq!(
        calendar.previous_working_day(ymd(2026, 2, 23), 2),
        ymd(2026, 2, 12)
    );
    assert_eq!(
        calendar.previous_working_day(ymd(2026, 3, 3), 1),
        ymd(2026, 3, 2)
    );
    assert_eq!(
        calendar.previous_working_day(ymd(2026, 3, 3), 2),
        ymd(2026, 2, 27)
    );
}

#[test]
fn adding_and_counting_agree() {
    let calendar = calendar_2025();
    for start in ymd(2024, 12, 1).iter_days().take(500) {
        for n in [1, 2, 3, 5, 10, 15, 30] {
            let due = calendar.add_working_days(start, n);
            assert_eq!(calendar.working_days_between(start, due), i64::from(n));
            assert!(calendar.is_working_day(due));
            if calendar.is_working_day(start) {
                assert_eq!(calendar.previous_working_day(due, n), start);
            }
        }
    }
}

#[test]
fn ten_thousand_due_dates_are_cheap() {
    let calendar = WorkingCalendar::default();
    let first = ymd(2026, 1, 1);
    let mut latest = first;
    for i in 0..10_000u64 {
        let start = first.checked_add_days(Days::new(i % 730)).unwrap();
        latest = latest.max(calendar.add_working_days(start, 15));
    }
    assert!(latest > ymd(2027, 12, 31));
}

#[test]
fn clones_share_nothing_but_answer_the_same() {
    let calendar = calendar_2025();
    assert!(!calendar.is_working_day(ymd(2025, 5, 2)));
    let copy = calendar.clone();
    assert_eq!(copy.extra_days_off(), calendar.extra_days_off());
    assert_eq!(copy.extra_working_days(), calendar.extra_working_days());
    assert!(!copy.is_working_day(ymd(2025, 5, 2)));
}

#[test]
fn the_calendar_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<WorkingCalendar>();
}
