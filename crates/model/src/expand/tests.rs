//! Occurrence tests; every expected date is written out and was checked against a printed
//! calendar. Helpers live here, the tests in `patterns` (one per pattern) and `series`
//! (windows, exceptions, ranges, bounds).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

use super::*;
use crate::recurrence::{Pattern, WeekIndex, WeekdaySet};

mod patterns;
mod series;

fn zone(name: &str) -> TimeZoneName {
    TimeZoneName::new(name).expect("known zone")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(h, min, 0).expect("valid time")
}

fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("valid instant")
}

fn timed(start: NaiveDateTime, end: NaiveDateTime, zone_name: &str) -> When {
    When::Timed {
        start: ZonedDateTime::new(start, zone(zone_name)),
        end: ZonedDateTime::new(end, zone(zone_name)),
    }
}

fn series(pattern: Pattern, range: Range) -> Series {
    Series::new(Recurrence {
        pattern,
        range,
        time_zone: None,
    })
}

fn starts(
    start: &When,
    series: &Series,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<NaiveDateTime> {
    occurrences(start, series, from, to)
        .expect("expands")
        .into_iter()
        .map(|o| o.original_start)
        .collect()
}

fn days_of(
    start: &When,
    series: &Series,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<NaiveDate> {
    starts(start, series, from, to)
        .into_iter()
        .map(|k| k.date())
        .collect()
}
