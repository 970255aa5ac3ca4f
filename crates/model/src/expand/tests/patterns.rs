//! One test per pattern type, with the expected dates written out.

use super::*;

#[test]
fn weekly_interval_two_keeps_wall_clock_across_both_dst_switches() {
    let start = timed(at(2026, 3, 4, 9, 0), at(2026, 3, 4, 10, 0), "Europe/Berlin");
    let weekly = series(
        Pattern::Weekly {
            interval: 2,
            days: [Weekday::Mon, Weekday::Wed, Weekday::Fri]
                .into_iter()
                .collect(),
            first_day_of_week: Weekday::Mon,
        },
        Range::NoEnd,
    );
    let found = occurrences(&start, &weekly, utc(2026, 3, 1, 0), utc(2026, 4, 5, 0)).expect("ok");
    let got: Vec<_> = found.iter().map(|o| o.original_start.date()).collect();
    // Weeks of 2 Mar, 16 Mar, 30 Mar are active; 4 Mar is a Wednesday.
    let expected = [
        date(2026, 3, 4),
        date(2026, 3, 6),
        date(2026, 3, 16),
        date(2026, 3, 18),
        date(2026, 3, 20),
        date(2026, 3, 30),
        date(2026, 4, 1),
        date(2026, 4, 3),
    ];
    assert_eq!(got, expected);
    // 09:00 Berlin is 08:00 UTC before 29 March and 07:00 UTC after it.
    let utc_of = |o: &Occurrence| match &o.when {
        When::Timed { start, end } => (start.to_utc().expect("zone"), end.to_utc().expect("zone")),
        When::AllDay { .. } => panic!("timed series"),
    };
    assert_eq!(
        utc_of(&found[4]),
        (utc(2026, 3, 20, 8), utc(2026, 3, 20, 9))
    );
    assert_eq!(
        utc_of(&found[5]),
        (utc(2026, 3, 30, 7), utc(2026, 3, 30, 8))
    );

    // October: 2 Mar + 32 weeks = 12 Oct and + 34 weeks = 26 Oct are active; the switch back
    // to winter time is on 25 October.
    let autumn =
        occurrences(&start, &weekly, utc(2026, 10, 5, 0), utc(2026, 11, 1, 0)).expect("ok");
    let days: Vec<_> = autumn.iter().map(|o| o.original_start.date()).collect();
    assert_eq!(
        days,
        [
            date(2026, 10, 12),
            date(2026, 10, 14),
            date(2026, 10, 16),
            date(2026, 10, 26),
            date(2026, 10, 28),
            date(2026, 10, 30)
        ]
    );
    assert_eq!(utc_of(&autumn[2]).0, utc(2026, 10, 16, 7));
    assert_eq!(utc_of(&autumn[3]).0, utc(2026, 10, 26, 8));
    assert!(
        autumn
            .iter()
            .all(|o| o.original_start.time() == at(2026, 1, 1, 9, 0).time())
    );
}

#[test]
fn first_day_of_week_decides_which_weeks_are_active() {
    let start = timed(at(2026, 3, 1, 9, 0), at(2026, 3, 1, 10, 0), "Europe/Berlin");
    let pattern = |first_day_of_week| Pattern::Weekly {
        interval: 2,
        days: [Weekday::Sun, Weekday::Mon].into_iter().collect(),
        first_day_of_week,
    };
    let monday = series(pattern(Weekday::Mon), Range::NoEnd);
    assert_eq!(
        days_of(&start, &monday, utc(2026, 2, 20, 0), utc(2026, 3, 31, 0)),
        [
            date(2026, 3, 1),
            date(2026, 3, 9),
            date(2026, 3, 15),
            date(2026, 3, 23),
            date(2026, 3, 29)
        ]
    );
    let sunday = series(pattern(Weekday::Sun), Range::NoEnd);
    assert_eq!(
        days_of(&start, &sunday, utc(2026, 2, 20, 0), utc(2026, 3, 31, 0)),
        [
            date(2026, 3, 1),
            date(2026, 3, 2),
            date(2026, 3, 15),
            date(2026, 3, 16),
            date(2026, 3, 29),
            date(2026, 3, 30)
        ]
    );
}

#[test]
fn daily_interval_with_count_counts_from_the_start() {
    let start = timed(at(2026, 1, 30, 8, 0), at(2026, 1, 30, 8, 30), "UTC");
    let daily = series(Pattern::Daily { interval: 3 }, Range::Numbered { count: 4 });
    assert_eq!(
        days_of(&start, &daily, utc(2026, 1, 1, 0), utc(2026, 12, 31, 0)),
        [
            date(2026, 1, 30),
            date(2026, 2, 2),
            date(2026, 2, 5),
            date(2026, 2, 8)
        ]
    );
    // A window after the first two still sees only the 3rd and 4th.
    assert_eq!(
        days_of(&start, &daily, utc(2026, 2, 3, 0), utc(2026, 12, 31, 0)),
        [date(2026, 2, 5), date(2026, 2, 8)]
    );
}

#[test]
fn day_31_falls_on_the_last_day_of_shorter_months() {
    let start = timed(
        at(2026, 1, 31, 9, 0),
        at(2026, 1, 31, 9, 15),
        "Europe/Berlin",
    );
    let monthly = series(
        Pattern::AbsoluteMonthly {
            interval: 1,
            day_of_month: 31,
        },
        Range::NoEnd,
    );
    assert_eq!(
        days_of(&start, &monthly, utc(2026, 1, 1, 0), utc(2026, 6, 1, 0)),
        [
            date(2026, 1, 31),
            date(2026, 2, 28),
            date(2026, 3, 31),
            date(2026, 4, 30),
            date(2026, 5, 31)
        ]
    );
    assert_eq!(
        days_of(&start, &monthly, utc(2028, 2, 1, 0), utc(2028, 3, 1, 0)),
        [date(2028, 2, 29)]
    );
}

#[test]
fn relative_monthly_day_sets() {
    let all_day = |d: NaiveDate| When::AllDay {
        start: d,
        end: d.succ_opt().expect("date"),
    };
    let relative = |days, index| {
        series(
            Pattern::RelativeMonthly {
                interval: 1,
                days,
                index,
            },
            Range::NoEnd,
        )
    };
    let window = (utc(2026, 1, 1, 0), utc(2026, 7, 1, 0));
    let last_friday = relative(WeekdaySet::single(Weekday::Fri), WeekIndex::Last);
    assert_eq!(
        days_of(
            &all_day(date(2026, 1, 30)),
            &last_friday,
            window.0,
            window.1
        ),
        [
            date(2026, 1, 30),
            date(2026, 2, 27),
            date(2026, 3, 27),
            date(2026, 4, 24),
            date(2026, 5, 29),
            date(2026, 6, 26)
        ]
    );
    let first_weekday = relative(WeekdaySet::WORKDAYS, WeekIndex::First);
    assert_eq!(
        days_of(
            &all_day(date(2026, 1, 1)),
            &first_weekday,
            window.0,
            window.1
        ),
        [
            date(2026, 1, 1),
            date(2026, 2, 2),
            date(2026, 3, 2),
            date(2026, 4, 1),
            date(2026, 5, 1),
            date(2026, 6, 1)
        ]
    );
    let weekend: WeekdaySet = [Weekday::Sat, Weekday::Sun].into_iter().collect();
    let second_weekend_day = relative(weekend, WeekIndex::Second);
    assert_eq!(
        days_of(
            &all_day(date(2026, 1, 4)),
            &second_weekend_day,
            window.0,
            window.1
        ),
        [
            date(2026, 1, 4),
            date(2026, 2, 7),
            date(2026, 3, 7),
            date(2026, 4, 5),
            date(2026, 5, 3),
            date(2026, 6, 7)
        ]
    );
    let last_day = relative(WeekdaySet::ALL, WeekIndex::Last);
    assert_eq!(
        days_of(
            &all_day(date(2026, 1, 31)),
            &last_day,
            window.0,
            utc(2026, 4, 1, 0)
        ),
        [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]
    );
    let second_tuesday = series(
        Pattern::RelativeMonthly {
            interval: 2,
            days: WeekdaySet::single(Weekday::Tue),
            index: WeekIndex::Second,
        },
        Range::NoEnd,
    );
    assert_eq!(
        days_of(
            &all_day(date(2026, 1, 13)),
            &second_tuesday,
            window.0,
            window.1
        ),
        [date(2026, 1, 13), date(2026, 3, 10), date(2026, 5, 12)]
    );
}

#[test]
fn yearly_patterns() {
    let thanksgiving = series(
        Pattern::RelativeYearly {
            interval: 1,
            month: 11,
            days: WeekdaySet::single(Weekday::Thu),
            index: WeekIndex::Fourth,
        },
        Range::NoEnd,
    );
    let start = timed(
        at(2026, 11, 26, 12, 0),
        at(2026, 11, 26, 18, 0),
        "America/New_York",
    );
    assert_eq!(
        days_of(
            &start,
            &thanksgiving,
            utc(2026, 1, 1, 0),
            utc(2030, 1, 1, 0)
        ),
        [
            date(2026, 11, 26),
            date(2027, 11, 25),
            date(2028, 11, 23),
            date(2029, 11, 22)
        ]
    );
    let leap_birthday = series(
        Pattern::AbsoluteYearly {
            interval: 1,
            month: 2,
            day_of_month: 29,
        },
        Range::NoEnd,
    );
    let born = When::AllDay {
        start: date(2028, 2, 29),
        end: date(2028, 3, 1),
    };
    let found = occurrences(
        &born,
        &leap_birthday,
        utc(2028, 1, 1, 0),
        utc(2033, 1, 1, 0),
    )
    .expect("ok");
    let whens: Vec<_> = found.iter().map(|o| o.when.clone()).collect();
    let day = |y, m, d| When::AllDay {
        start: date(y, m, d),
        end: date(y, m, d).succ_opt().expect("date"),
    };
    assert_eq!(
        whens,
        [
            day(2028, 2, 29),
            day(2029, 2, 28),
            day(2030, 2, 28),
            day(2031, 2, 28),
            day(2032, 2, 29)
        ]
    );
}
