//! RRULE mapping tests: every rule shape Exchange can express, every refusal, UNTIL spellings,
//! canonical output, and occurrence ids.

use chrono::{NaiveDate, NaiveDateTime, Weekday};

use super::*;
use crate::appointment::When;
use crate::recurrence::{Pattern, Range, Recurrence, WeekIndex, WeekdaySet};
use crate::zone::{TimeZoneName, ZonedDateTime};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(h, min, 0).expect("valid time")
}

fn berlin() -> TimeZoneName {
    TimeZoneName::new("Europe/Berlin").expect("known")
}

/// A one-hour series start at `h:00` Berlin time.
fn timed(y: i32, m: u32, d: u32, h: u32) -> When {
    When::Timed {
        start: ZonedDateTime::new(at(y, m, d, h, 0), berlin()),
        end: ZonedDateTime::new(at(y, m, d, h + 1, 0), berlin()),
    }
}

fn all_day(y: i32, m: u32, d: u32) -> When {
    When::AllDay {
        start: date(y, m, d),
        end: date(y, m, d).succ_opt().expect("date"),
    }
}

fn days(list: &[Weekday]) -> WeekdaySet {
    list.iter().copied().collect()
}

fn pattern(rule: &str, start: &When) -> Pattern {
    match Recurrence::from_rrule(rule, start) {
        Ok(r) => r.pattern,
        Err(e) => panic!("{rule}: {e}"),
    }
}

fn refused(rule: &str, start: &When) -> UnsupportedRecurrence {
    match Recurrence::from_rrule(rule, start) {
        Ok(r) => panic!("{rule} was accepted as {r:?}"),
        Err(e) => e,
    }
}

#[test]
fn daily_and_weekly_rules() {
    let wed = timed(2026, 3, 4, 9);
    assert_eq!(pattern("FREQ=DAILY", &wed), Pattern::Daily { interval: 1 });
    assert_eq!(
        pattern("RRULE:FREQ=DAILY;INTERVAL=3", &wed),
        Pattern::Daily { interval: 3 }
    );
    let workdays = Pattern::Weekly {
        interval: 1,
        days: WeekdaySet::WORKDAYS,
        first_day_of_week: Weekday::Mon,
    };
    assert_eq!(pattern("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", &wed), workdays);
    assert_eq!(pattern("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", &wed), workdays);
    assert_eq!(
        pattern("freq=weekly;interval=2;byday=mo,we,fr;wkst=su", &wed),
        Pattern::Weekly {
            interval: 2,
            days: days(&[Weekday::Mon, Weekday::Wed, Weekday::Fri]),
            first_day_of_week: Weekday::Sun,
        }
    );
    assert_eq!(
        pattern("FREQ=WEEKLY", &wed),
        Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::single(Weekday::Wed),
            first_day_of_week: Weekday::Mon,
        }
    );
}

#[test]
fn monthly_rules() {
    let tue = timed(2026, 3, 10, 9);
    let relative = |days, index| Pattern::RelativeMonthly {
        interval: 1,
        days,
        index,
    };
    let tuesday = WeekdaySet::single(Weekday::Tue);
    assert_eq!(
        pattern("FREQ=MONTHLY;BYDAY=2TU", &tue),
        relative(tuesday, WeekIndex::Second)
    );
    assert_eq!(
        pattern("FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2", &tue),
        relative(tuesday, WeekIndex::Second)
    );
    assert_eq!(
        pattern("FREQ=MONTHLY;BYMONTHDAY=10;INTERVAL=3", &tue),
        Pattern::AbsoluteMonthly {
            interval: 3,
            day_of_month: 10
        }
    );
    assert_eq!(
        pattern("FREQ=MONTHLY", &tue),
        Pattern::AbsoluteMonthly {
            interval: 1,
            day_of_month: 10
        }
    );
    let last_friday = timed(2026, 3, 27, 9);
    assert_eq!(
        pattern("FREQ=MONTHLY;BYDAY=-1FR", &last_friday),
        relative(WeekdaySet::single(Weekday::Fri), WeekIndex::Last)
    );
    let first_weekday = timed(2026, 3, 2, 9);
    assert_eq!(
        pattern(
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
            &first_weekday
        ),
        relative(WeekdaySet::WORKDAYS, WeekIndex::First)
    );
    let last_day = timed(2026, 3, 31, 9);
    assert_eq!(
        pattern(
            "FREQ=MONTHLY;BYDAY=SU,MO,TU,WE,TH,FR,SA;BYSETPOS=-1",
            &last_day
        ),
        relative(WeekdaySet::ALL, WeekIndex::Last)
    );
    // "Last day" as a day of the month is Exchange's day 31 (Outlook imports it so).
    let day_31 = Pattern::AbsoluteMonthly {
        interval: 1,
        day_of_month: 31,
    };
    assert_eq!(pattern("FREQ=MONTHLY;BYMONTHDAY=-1", &last_day), day_31);
    assert_eq!(pattern("FREQ=MONTHLY;BYMONTHDAY=31", &last_day), day_31);
}

#[test]
fn yearly_rules() {
    let thanksgiving = timed(2026, 11, 26, 12);
    assert_eq!(
        pattern("FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", &thanksgiving),
        Pattern::RelativeYearly {
            interval: 1,
            month: 11,
            days: WeekdaySet::single(Weekday::Thu),
            index: WeekIndex::Fourth,
        }
    );
    let birthday = all_day(2026, 5, 4);
    let may_4 = Pattern::AbsoluteYearly {
        interval: 1,
        month: 5,
        day_of_month: 4,
    };
    assert_eq!(pattern("FREQ=YEARLY", &birthday), may_4);
    assert_eq!(
        pattern("FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=4", &birthday),
        may_4
    );
    assert_eq!(pattern("FREQ=YEARLY;BYMONTH=5", &birthday), may_4);
    let leap = all_day(2028, 2, 29);
    assert_eq!(
        pattern("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;INTERVAL=4", &leap),
        Pattern::AbsoluteYearly {
            interval: 4,
            month: 2,
            day_of_month: 29,
        }
    );
}

#[test]
fn unsupported_rules_name_the_part() {
    let mon = timed(2026, 3, 2, 9);
    let cases = [
        ("FREQ=HOURLY", "FREQ=HOURLY"),
        ("FREQ=MINUTELY;INTERVAL=15", "FREQ=MINUTELY"),
        ("FREQ=SECONDLY", "FREQ=SECONDLY"),
        ("FREQ=DAILY;BYHOUR=9,15", "BYHOUR=9,15"),
        ("FREQ=DAILY;BYMINUTE=30", "BYMINUTE=30"),
        ("FREQ=YEARLY;BYWEEKNO=10;BYDAY=MO", "BYWEEKNO=10"),
        ("FREQ=YEARLY;BYYEARDAY=61", "BYYEARDAY=61"),
        ("FREQ=YEARLY;BYMONTH=3,9;BYDAY=1MO", "BYMONTH=3,9"),
        ("FREQ=MONTHLY;BYMONTHDAY=2,16", "BYMONTHDAY=2,16"),
        ("FREQ=MONTHLY;BYMONTHDAY=-2", "BYMONTHDAY=-2"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1,-1", "BYSETPOS=1,-1"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5", "BYSETPOS=5"),
        ("FREQ=MONTHLY;BYDAY=MO,WE;BYSETPOS=2", "BYDAY=MO,WE"),
        ("FREQ=MONTHLY;BYDAY=MO", "BYDAY=MO"),
        ("FREQ=MONTHLY;BYDAY=1MO,3MO", "BYDAY=1MO,3MO"),
        ("FREQ=MONTHLY;BYDAY=1MO,1TU", "BYDAY=1MO,1TU"),
        ("FREQ=MONTHLY;BYDAY=5MO", "BYDAY=5MO"),
        ("FREQ=MONTHLY;BYDAY=-2FR", "BYDAY=-2FR"),
        ("FREQ=MONTHLY;BYDAY=1MO;BYSETPOS=1", "BYSETPOS=1"),
        ("FREQ=MONTHLY;BYMONTHDAY=2;BYDAY=MO", "BYDAY=MO"),
        ("FREQ=MONTHLY;BYMONTH=3;BYDAY=1MO", "BYMONTH=3"),
        ("FREQ=WEEKLY;BYDAY=1MO", "BYDAY=1MO"),
        ("FREQ=WEEKLY;BYMONTHDAY=2", "BYMONTHDAY=2"),
        ("FREQ=DAILY;INTERVAL=2;BYDAY=MO,WE", "INTERVAL=2"),
        (
            "FREQ=DAILY;COUNT=5;UNTIL=20261231T000000Z",
            "UNTIL=20261231T000000Z",
        ),
        ("FREQ=DAILY;X-NAME=1", "X-NAME=1"),
        ("FREQ=DAILY;RSCALE=GREGORIAN", "RSCALE=GREGORIAN"),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ=WEEKLY"),
        ("FREQ=DAILY;COUNT=0", "COUNT=0"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0"),
        (
            "FREQ=DAILY;UNTIL=20260301T000000Z",
            "UNTIL=20260301T000000Z",
        ),
        ("FREQ=DAILY;UNTIL=tomorrow", "UNTIL=tomorrow"),
        ("FREQ=YEARLY;BYDAY=20MO", "BYDAY=20MO"),
        ("FREQ=YEARLY;BYMONTHDAY=2", "BYMONTHDAY=2"),
        ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31", "BYMONTHDAY=31"),
        ("FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY"),
        ("INTERVAL=2", "FREQ"),
        ("FREQ", "FREQ"),
    ];
    for (rule, part) in cases {
        let err = refused(rule, &mon);
        assert_eq!(err.part, part, "{rule}: {err}");
        assert_eq!(err.rule, rule.trim_start_matches("RRULE:"));
        assert!(err.to_string().contains(part), "{err}");
    }
    assert_eq!(
        refused("FREQ=HOURLY", &mon).to_string(),
        r#"RRULE "FREQ=HOURLY": FREQ=HOURLY cannot be expressed in Exchange (it repeats daily at most)"#
    );
    let all_day_time = refused("FREQ=DAILY;BYHOUR=9", &all_day(2026, 3, 2));
    assert_eq!(all_day_time.part, "BYHOUR=9");
}

#[test]
fn redundant_times_of_day_are_accepted() {
    let nine = timed(2026, 3, 2, 9);
    assert_eq!(
        pattern(
            "FREQ=MONTHLY;BYMONTHDAY=2;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
            &nine
        ),
        Pattern::AbsoluteMonthly {
            interval: 1,
            day_of_month: 2
        }
    );
}

#[test]
fn a_start_that_is_no_occurrence_is_refused_with_the_fix() {
    let tuesday = timed(2026, 3, 3, 9);
    let err = refused("FREQ=WEEKLY;BYDAY=MO,WE", &tuesday);
    assert_eq!(err.part, "DTSTART");
    assert!(err.reason.contains("2026-03-03"), "{err}");
    assert!(err.reason.contains("move DTSTART to 2026-03-04"), "{err}");
    let err = refused("FREQ=MONTHLY;BYDAY=-1FR", &tuesday);
    assert!(err.reason.contains("move DTSTART to 2026-03-27"), "{err}");
}

#[test]
fn until_becomes_the_inclusive_end_date_in_the_series_zone() {
    let nine = timed(2026, 3, 2, 9);
    let end = |rule: &str| match Recurrence::from_rrule(rule, &nine) {
        Ok(r) => r.range,
        Err(e) => panic!("{e}"),
    };
    let until = |d| Range::EndDate { end: d };
    // 2026-12-31 22:59:59Z is 23:59:59 in Berlin: the 31st is included.
    assert_eq!(
        end("FREQ=DAILY;UNTIL=20261231T225959Z"),
        until(date(2026, 12, 31))
    );
    // 08:00 UTC on 15 December is 09:00 Berlin: that day's occurrence is included ...
    assert_eq!(
        end("FREQ=DAILY;UNTIL=20261215T080000Z"),
        until(date(2026, 12, 15))
    );
    // ... at 07:59 UTC it is not.
    assert_eq!(
        end("FREQ=DAILY;UNTIL=20261215T075900Z"),
        until(date(2026, 12, 14))
    );
    assert_eq!(
        end("FREQ=DAILY;UNTIL=20261215T090000"),
        until(date(2026, 12, 15))
    );
    assert_eq!(
        end("FREQ=DAILY;UNTIL=20261215T085959"),
        until(date(2026, 12, 14))
    );
    assert_eq!(end("FREQ=DAILY;UNTIL=20261215"), until(date(2026, 12, 15)));
    assert_eq!(end("FREQ=DAILY;COUNT=7"), Range::Numbered { count: 7 });
    assert_eq!(end("FREQ=DAILY"), Range::NoEnd);

    let day = all_day(2026, 3, 2);
    let all_day_end = |rule: &str| Recurrence::from_rrule(rule, &day).map(|r| r.range);
    assert_eq!(
        all_day_end("FREQ=DAILY;UNTIL=20260310"),
        Ok(until(date(2026, 3, 10)))
    );
    // Exchange's UTC midnight of a Berlin date, and RFC-style ends of day.
    assert_eq!(
        all_day_end("FREQ=DAILY;UNTIL=20260309T230000Z"),
        Ok(until(date(2026, 3, 10)))
    );
    assert_eq!(
        all_day_end("FREQ=DAILY;UNTIL=20260310T000000Z"),
        Ok(until(date(2026, 3, 10)))
    );
    assert_eq!(
        all_day_end("FREQ=DAILY;UNTIL=20260310T235959Z"),
        Ok(until(date(2026, 3, 10)))
    );
}

#[test]
fn canonical_rules() {
    let cases = [
        (
            timed(2026, 3, 4, 9),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR;WKST=MO",
        ),
        (
            timed(2026, 3, 2, 9),
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;WKST=MO",
        ),
        (timed(2026, 3, 27, 9), "FREQ=MONTHLY;BYDAY=-1FR"),
        (
            timed(2026, 3, 2, 9),
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
        ),
        (
            timed(2026, 3, 31, 9),
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=-1",
        ),
        (timed(2026, 3, 31, 9), "FREQ=MONTHLY;BYMONTHDAY=-1"),
        (timed(2026, 11, 26, 9), "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH"),
        (all_day(2026, 5, 4), "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=4"),
        (timed(2026, 3, 2, 9), "FREQ=DAILY;COUNT=10;INTERVAL=2"),
        (timed(2026, 3, 2, 9), "FREQ=DAILY;UNTIL=20261231T225959Z"),
        (all_day(2026, 3, 2), "FREQ=DAILY;UNTIL=20261231"),
    ];
    for (start, rule) in cases {
        let recurrence = Recurrence::from_rrule(rule, &start).expect(rule);
        assert_eq!(recurrence.to_rrule(&start), rule);
    }
    let outlook = Recurrence::from_rrule(
        "FREQ=WEEKLY;UNTIL=20261231T080000Z;INTERVAL=2;BYDAY=MO,WE,FR;WKST=MO",
        &timed(2026, 3, 4, 9),
    )
    .expect("outlook rule");
    assert_eq!(
        outlook.to_rrule(&timed(2026, 3, 4, 9)),
        "FREQ=WEEKLY;UNTIL=20261231T225959Z;INTERVAL=2;BYDAY=MO,WE,FR;WKST=MO"
    );
}

#[test]
fn ical_times_parse_and_print() {
    let zone = berlin();
    assert_eq!(
        IcalTime::parse("20260504", None),
        Ok(IcalTime::Date(date(2026, 5, 4)))
    );
    assert_eq!(
        IcalTime::parse("20260504T090000", None),
        Ok(IcalTime::Floating(at(2026, 5, 4, 9, 0)))
    );
    assert_eq!(
        IcalTime::parse("20260504T070000Z", Some(&zone)),
        Ok(IcalTime::Utc(at(2026, 5, 4, 7, 0)))
    );
    let zoned = IcalTime::parse("20260504T090000", Some(&zone)).expect("valid");
    assert_eq!(zoned.to_string(), "TZID=Europe/Berlin:20260504T090000");
    assert_eq!(zoned.value(), "20260504T090000");
    assert!(IcalTime::parse("2026-05-04", None).is_err());
    assert!(IcalTime::parse("20261304", None).is_err());
    assert!(IcalTime::parse("20260504T250000", None).is_err());
}

#[test]
fn occurrence_keys_from_every_spelling() {
    let start = timed(2026, 3, 2, 9);
    let recurrence = Recurrence::from_rrule("FREQ=DAILY", &start).expect("daily");
    let key = |value: IcalTime| occurrence_key(&value, &start, &recurrence).expect("key");
    let want = at(2026, 7, 1, 9, 0);
    assert_eq!(key(IcalTime::Utc(at(2026, 7, 1, 7, 0))), want);
    assert_eq!(key(IcalTime::Floating(want)), want);
    assert_eq!(key(IcalTime::Date(date(2026, 7, 1))), want);
    let ny = TimeZoneName::new("America/New_York").expect("known");
    assert_eq!(
        key(IcalTime::Zoned(ZonedDateTime::new(
            at(2026, 7, 1, 3, 0),
            ny
        ))),
        want
    );
    let windows = TimeZoneName::new("W. Europe Standard Time").expect("known");
    assert_eq!(
        key(IcalTime::Zoned(ZonedDateTime::new(want, windows))),
        want
    );
    assert_eq!(
        occurrence_id(want, &start, &recurrence),
        Ok(IcalTime::Zoned(ZonedDateTime::new(want, berlin())))
    );

    let day = all_day(2026, 5, 4);
    let yearly = Recurrence::from_rrule("FREQ=YEARLY", &day).expect("yearly");
    let day_key = |value: IcalTime| occurrence_key(&value, &day, &yearly).expect("key");
    let may_4 = at(2027, 5, 4, 0, 0);
    assert_eq!(day_key(IcalTime::Date(date(2027, 5, 4))), may_4);
    // Exchange's all-day trap: UTC midnight of Berlin, or of New York.
    assert_eq!(day_key(IcalTime::Utc(at(2027, 5, 3, 22, 0))), may_4);
    assert_eq!(day_key(IcalTime::Utc(at(2027, 5, 4, 4, 0))), may_4);
    assert_eq!(day_key(IcalTime::Floating(may_4)), may_4);
    assert_eq!(
        occurrence_id(may_4, &day, &yearly),
        Ok(IcalTime::Date(date(2027, 5, 4)))
    );
    // With the zone known, the conversion is exact.
    let mut zoned = yearly.clone();
    zoned.time_zone = Some(berlin());
    assert_eq!(
        occurrence_key(&IcalTime::Utc(at(2027, 5, 3, 22, 0)), &day, &zoned),
        Ok(may_4)
    );

    let utc_start = When::Timed {
        start: ZonedDateTime::new(at(2026, 3, 2, 8, 0), TimeZoneName::utc()),
        end: ZonedDateTime::new(at(2026, 3, 2, 9, 0), TimeZoneName::utc()),
    };
    let utc_daily = Recurrence::from_rrule("FREQ=DAILY", &utc_start).expect("daily");
    assert_eq!(
        occurrence_id(at(2026, 3, 5, 8, 0), &utc_start, &utc_daily),
        Ok(IcalTime::Utc(at(2026, 3, 5, 8, 0)))
    );
}
