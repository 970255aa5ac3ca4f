//! Property tests: every recurrence survives `to_rrule` -> `from_rrule`, and every occurrence
//! survives `occurrence_id` -> `occurrence_key`.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use proptest::prelude::*;

use super::*;
use crate::appointment::When;
use crate::expand::{days_in_month, recurrence_dates};
use crate::recurrence::{ALL_WEEKDAYS, Pattern, Range, Recurrence, WeekIndex, WeekdaySet};
use crate::zone::{TimeZoneName, ZonedDateTime};

const ZONES: [&str; 7] = [
    "Europe/Berlin",
    "W. Europe Standard Time",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "UTC",
];

fn zone(i: usize) -> TimeZoneName {
    TimeZoneName::new(ZONES[i % ZONES.len()]).expect("known zone")
}

fn weekday() -> impl Strategy<Value = Weekday> {
    (0usize..7).prop_map(|i| ALL_WEEKDAYS[i])
}

fn day_set() -> impl Strategy<Value = WeekdaySet> {
    (1u8..128).prop_map(|bits| {
        ALL_WEEKDAYS
            .into_iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, d)| d)
            .collect()
    })
}

/// The day sets relative patterns may use: one weekday, weekdays, weekend days, all days.
fn relative_days() -> impl Strategy<Value = WeekdaySet> {
    prop_oneof![
        weekday().prop_map(WeekdaySet::single),
        Just(WeekdaySet::WORKDAYS),
        Just([Weekday::Sat, Weekday::Sun].into_iter().collect()),
        Just(WeekdaySet::ALL),
    ]
}

fn index() -> impl Strategy<Value = WeekIndex> {
    prop_oneof![
        Just(WeekIndex::First),
        Just(WeekIndex::Second),
        Just(WeekIndex::Third),
        Just(WeekIndex::Fourth),
        Just(WeekIndex::Last),
    ]
}

/// A month with a day it has (in a leap year), or day 31 ("last day").
fn month_and_day() -> impl Strategy<Value = (u8, u8)> {
    (1u8..=12, 1u8..=31).prop_map(|(m, d)| {
        let max = u8::try_from(days_in_month(2000, u32::from(m))).unwrap_or(28);
        (m, if d > max { 31 } else { d })
    })
}

fn pattern() -> impl Strategy<Value = Pattern> {
    let interval = 1u32..=99;
    prop_oneof![
        interval
            .clone()
            .prop_map(|interval| Pattern::Daily { interval }),
        (interval.clone(), day_set(), weekday()).prop_map(|(interval, days, first_day_of_week)| {
            Pattern::Weekly {
                interval,
                days,
                first_day_of_week,
            }
        }),
        (interval.clone(), 1u8..=31).prop_map(|(interval, day_of_month)| {
            Pattern::AbsoluteMonthly {
                interval,
                day_of_month,
            }
        }),
        (interval.clone(), relative_days(), index()).prop_map(|(interval, days, index)| {
            Pattern::RelativeMonthly {
                interval,
                days,
                index,
            }
        }),
        (interval.clone(), month_and_day()).prop_map(|(interval, (month, day_of_month))| {
            Pattern::AbsoluteYearly {
                interval,
                month,
                day_of_month,
            }
        }),
        (interval, 1u8..=12, relative_days(), index()).prop_map(
            |(interval, month, days, index)| {
                Pattern::RelativeYearly {
                    interval,
                    month,
                    days,
                    index,
                }
            }
        ),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    recurrence: Recurrence,
    start: When,
}

/// A recurrence and a start that is its first occurrence (as Exchange requires).
fn case() -> impl Strategy<Value = Case> {
    (
        pattern(),
        0u32..3,
        1u32..=999,
        0i64..4000,
        (0i64..60_000, 0u32..24, 0u32..4),
        (0usize..ZONES.len(), 0usize..=ZONES.len()),
        (any::<bool>(), 1i64..3, 0i64..600),
    )
        .prop_map(
            |(
                pattern,
                range_kind,
                count,
                end_after,
                (day, hour, quarter),
                (z, rz),
                (all_day, days, minutes),
            )| {
                let base = NaiveDate::from_ymd_opt(1990, 1, 1).expect("date") + Duration::days(day);
                let probe = Recurrence {
                    pattern,
                    range: Range::NoEnd,
                    time_zone: None,
                };
                let first = recurrence_dates(base, &probe)
                    .ok()
                    .and_then(|mut dates| dates.next())
                    .unwrap_or(base);
                let range = match range_kind {
                    0 => Range::NoEnd,
                    1 => Range::Numbered { count },
                    _ => Range::EndDate {
                        end: first + Duration::days(end_after),
                    },
                };
                let time_zone = (rz < ZONES.len()).then(|| zone(rz));
                let start = if all_day {
                    When::AllDay {
                        start: first,
                        end: first + Duration::days(days),
                    }
                } else {
                    let time = NaiveTime::from_hms_opt(hour, quarter * 15, 0).expect("time");
                    let series_zone = time_zone.clone().unwrap_or_else(|| zone(z));
                    let local = ZonedDateTime::new(first.and_time(time), series_zone)
                        .in_zone(&zone(z))
                        .expect("zones");
                    let end = ZonedDateTime::new(local.local + Duration::minutes(minutes), zone(z));
                    When::Timed { start: local, end }
                };
                Case {
                    recurrence: Recurrence {
                        time_zone,
                        ..probe.clone()
                    }
                    .with_range(range),
                    start,
                }
            },
        )
}

impl Recurrence {
    fn with_range(mut self, range: Range) -> Self {
        self.range = range;
        self
    }
}

fn start_date(case: &Case) -> NaiveDate {
    match &case.start {
        When::AllDay { start, .. } => *start,
        When::Timed { start, .. } => match &case.recurrence.time_zone {
            Some(zone) => start.in_zone(zone).expect("zone").local.date(),
            None => start.local.date(),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_recurrence_survives_its_rrule(case in case()) {
        // A start in a DST gap moves; skip the rare cases where it moved off the pattern.
        prop_assume!(crate::expand::matches_pattern(&case.recurrence.pattern, start_date(&case), start_date(&case)));
        let rule = case.recurrence.to_rrule(&case.start);
        let back = Recurrence::from_rrule_in_zone(&rule, &case.start, case.recurrence.time_zone.clone());
        prop_assert_eq!(back, Ok(case.recurrence.clone()), "rule {}", rule);
    }

    #[test]
    fn occurrence_ids_name_their_occurrence(case in case(), nth in 0usize..40) {
        let dates: Vec<NaiveDate> = recurrence_dates(start_date(&case), &case.recurrence)
            .expect("valid")
            .take(40)
            .collect();
        // The start is an occurrence, so there is at least one date.
        prop_assert!(!dates.is_empty());
        let date = dates[nth % dates.len()];
        let key = match &case.start {
            When::AllDay { .. } => date.and_time(NaiveTime::MIN),
            When::Timed { start, .. } => {
                let zone = case.recurrence.time_zone.as_ref().unwrap_or(&start.zone);
                date.and_time(start.in_zone(zone).expect("zone").local.time())
            }
        };
        let id = occurrence_id(key, &case.start, &case.recurrence).expect("id");
        prop_assert_eq!(id.is_date(), case.start.is_all_day());
        let back = occurrence_key(&id, &case.start, &case.recurrence).expect("key");
        // A wall-clock time in a DST gap has no instant of its own: it is read with the offset
        // before the gap and comes back an hour later. Everything else must come back exactly.
        let in_gap = match &case.start {
            When::Timed { start, .. } => {
                let zone = case.recurrence.time_zone.as_ref().unwrap_or(&start.zone);
                let tz = zone.resolve().expect("zone");
                chrono::TimeZone::from_local_datetime(&tz, &key).single().is_none()
                    && chrono::TimeZone::from_local_datetime(&tz, &key).earliest().is_none()
            }
            When::AllDay { .. } => false,
        };
        if !in_gap {
            prop_assert_eq!(back, key);
        }
        prop_assert!(back.date().year() == key.date().year() || in_gap);
    }
}
