//! Property: whatever the Graph connector makes of a series master — every pattern (daily,
//! weekly, absolute/relative monthly, absolute/relative yearly), every range (no end, end date,
//! numbered), timed or all-day, in zones east and west of UTC, its start fitting its pattern or
//! not — is written to the business tables and read back by the business side's own reader,
//! with exactly the occurrences Exchange has. The only master the connector refuses is one
//! whose range holds no occurrence at all (Exchange refuses to save such a series); the only
//! series the business side refuses to store are relative patterns on day sets its `rrule`
//! column cannot say, and those are refused before anything is written (a reported
//! rejection), never stored unreadable.
//!
//! The master is the JSON the connector itself sends for the series (`new_event`, with
//! `range.startDate` the start's date), read back the way every pass reads a master
//! (`GraphEvent::to_appointment`); the business side is a real SQLite integration database.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use exsync_business::{BusinessDb, NewUser, Origin};
use exsync_graph::wire::event::{GraphEvent, new_event};
use exsync_model::{
    ALL_WEEKDAYS, Appointment, BusinessId, Occurrence, Pattern, Range, Recurrence, Series,
    TimeZoneName, WeekIndex, WeekdaySet, When, ZonedDateTime, first_occurrence, occurrences,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

const ZONES: [&str; 4] = [
    "Europe/Berlin",
    "America/New_York",
    "Pacific/Auckland",
    "UTC",
];

fn zone(index: usize) -> TimeZoneName {
    TimeZoneName::new(ZONES[index]).expect("a known zone")
}

fn weekday(index: usize) -> Weekday {
    ALL_WEEKDAYS[index % 7]
}

fn days() -> impl Strategy<Value = WeekdaySet> {
    (1u8..128).prop_map(|bits| {
        (0..7)
            .filter(|i| bits & (1 << i) != 0)
            .map(weekday)
            .collect()
    })
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

fn pattern() -> impl Strategy<Value = Pattern> {
    prop_oneof![
        (1u32..=5).prop_map(|interval| Pattern::Daily { interval }),
        (1u32..=3, days(), 0usize..7).prop_map(|(interval, days, first)| Pattern::Weekly {
            interval,
            days,
            first_day_of_week: weekday(first),
        }),
        (1u32..=3, 1u8..=31).prop_map(|(interval, day_of_month)| Pattern::AbsoluteMonthly {
            interval,
            day_of_month,
        }),
        (1u32..=3, days(), index()).prop_map(|(interval, days, index)| {
            Pattern::RelativeMonthly {
                interval,
                days,
                index,
            }
        }),
        (1u32..=2, 1u8..=12, 1u8..=31).prop_map(|(interval, month, day)| {
            Pattern::AbsoluteYearly {
                interval,
                month,
                // Exchange keeps a yearly date that exists (29 February falls on the 28th).
                day_of_month: day.min(days_in(month)),
            }
        }),
        (1u32..=2, 1u8..=12, days(), index()).prop_map(|(interval, month, days, index)| {
            Pattern::RelativeYearly {
                interval,
                month,
                days,
                index,
            }
        }),
    ]
}

fn days_in(month: u8) -> u8 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A range, its end date given as days after the start.
fn range(start: NaiveDate) -> impl Strategy<Value = Range> {
    prop_oneof![
        Just(Range::NoEnd),
        (0i64..=800).prop_map(move |days| Range::EndDate {
            end: start + Duration::days(days),
        }),
        (1u32..=25).prop_map(|count| Range::Numbered { count }),
    ]
}

/// A series as a user may leave it in Outlook: any start, any pattern and range.
fn series() -> impl Strategy<Value = Appointment> {
    let start = (0i64..1200)
        .prop_map(|d| NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date") + Duration::days(d));
    (
        start,
        any::<bool>(),
        0usize..4,
        0u32..48,
        15i64..=600,
        1i64..=3,
    )
        .prop_flat_map(|(date, all_day, zone_index, half_hours, minutes, days)| {
            (pattern(), range(date)).prop_map(move |(pattern, range)| {
                let mut item = if all_day {
                    Appointment::all_day("P", date, date + Duration::days(days))
                } else {
                    let time = NaiveTime::from_hms_opt(half_hours / 2, (half_hours % 2) * 30, 0)
                        .expect("a time");
                    let start = ZonedDateTime::new(date.and_time(time), zone(zone_index));
                    let end = ZonedDateTime::new(
                        start.local + Duration::minutes(minutes),
                        zone(zone_index),
                    );
                    Appointment::timed("P", start, end)
                };
                item.series = Some(Series::new(Recurrence {
                    pattern,
                    range,
                    time_zone: all_day.then(|| zone(zone_index)),
                }));
                item
            })
        })
}

/// False for the relative patterns on a set of days the `rrule` column does not take (two or
/// more days other than weekdays, weekend days or all days: Graph takes them, EWS and the
/// business side's RRULE reader do not, see docs/integration-schema.md).
fn rrule_can_say(pattern: &Pattern) -> bool {
    let weekend: WeekdaySet = [Weekday::Sat, Weekday::Sun].into_iter().collect();
    match pattern {
        Pattern::RelativeMonthly { days, .. } | Pattern::RelativeYearly { days, .. } => {
            days.len() == 1 || [WeekdaySet::WORKDAYS, weekend, WeekdaySet::ALL].contains(days)
        }
        _ => true,
    }
}

/// An occurrence as the time line sees it: its key, and its instants (dates for all-day).
fn shape(occurrence: &Occurrence) -> (String, String) {
    let when = match &occurrence.when {
        When::Timed { start, end } => format!(
            "{:?}..{:?}",
            start.to_utc().expect("known zone"),
            end.to_utc().expect("known zone")
        ),
        When::AllDay { start, end } => format!("{start}..{end}"),
    };
    (occurrence.original_start.to_string(), when)
}

fn shapes(item: &Appointment) -> Vec<(String, String)> {
    let series = item.series.as_ref().expect("a series");
    let from = DateTime::parse_from_rfc3339("2025-12-01T00:00:00Z")
        .expect("a time")
        .with_timezone(&Utc);
    let to = from + Duration::days(4 * 366);
    occurrences(&item.when, series, from, to)
        .expect("expands")
        .iter()
        .map(shape)
        .collect()
}

async fn business() -> (BusinessDb, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("business.db").display());
    let db = BusinessDb::connect(&url).await.expect("business db");
    db.init_schema().await.expect("schema");
    db.add_user(&NewUser {
        login: "eva".into(),
        display_name: "Eva".into(),
        mailbox: Some("eva@example.com".into()),
        enabled: true,
    })
    .await
    .expect("user");
    (db, dir)
}

/// One case: the connector reads the master; the business side must take and read it back.
async fn case(db: &BusinessDb, number: usize, item: &Appointment) -> Result<(), TestCaseError> {
    let berlin = zone(0);
    let mut body = new_event(item, "B", "T", &berlin).expect("a POST body");
    body["id"] = serde_json::json!(format!("AAMk{number}"));
    body["type"] = serde_json::json!("seriesMaster");
    let recurrence = &item.series.as_ref().expect("a series").recurrence;
    let read = GraphEvent::parse(&body).expect("parses").to_appointment();
    let read = match read {
        Ok(read) => read,
        Err(error) => {
            // The only master refused: one Exchange would not hold, without any occurrence.
            prop_assert_eq!(
                first_occurrence(&item.when, recurrence).expect("computed"),
                None,
                "refused: {}",
                error
            );
            return Ok(());
        }
    };
    let id = BusinessId::from(format!("S-{number}"));
    let written = db
        .upsert_appointment("eva", &id, &read, Origin::Exsync)
        .await;
    if !rrule_can_say(&recurrence.pattern) {
        // Refused before anything is written, with the reason: the pass reports a rejection.
        prop_assert!(written.is_err(), "written although no RRULE holds it");
        let row = db.get_appointment(&id).await.expect("nothing unreadable");
        prop_assert!(row.is_none(), "a row was written");
        return Ok(());
    }
    prop_assert!(written.is_ok(), "not written: {:?}", written.err());
    let back = db.get_appointment(&id).await;
    prop_assert!(back.is_ok(), "the reader refuses the row: {:?}", back.err());
    let back = back.ok().flatten().expect("the row").item;
    prop_assert_eq!(
        shapes(&back),
        shapes(item),
        "occurrences differ from Exchange's"
    );
    Ok(())
}

#[test]
fn every_series_the_connector_reads_is_accepted_by_the_business_reader() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (db, _dir) = runtime.block_on(business());
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 400,
        ..Config::default()
    });
    let outcome = runner.run(&series(), |item| {
        let number = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        runtime.block_on(case(&db, number, &item))
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

/// The reported case itself: "every third day from Monday 8 March" changed in Outlook to
/// "weekly on Tuesday and Thursday" reaches the business side starting on Tuesday 9 March.
#[test]
fn the_reported_series_is_read_as_starting_on_its_first_tuesday() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (db, _dir) = runtime.block_on(business());
    let berlin = zone(0);
    let at = |text: &str| {
        ZonedDateTime::new(
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a time"),
            berlin.clone(),
        )
    };
    let mut item = Appointment::timed("Jour fixe", at("2027-03-08 09:00"), at("2027-03-08 10:00"));
    item.series = Some(Series::new(Recurrence {
        pattern: Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::from(vec![Weekday::Tue, Weekday::Thu]),
            first_day_of_week: Weekday::Sun,
        },
        range: Range::NoEnd,
        time_zone: None,
    }));
    runtime
        .block_on(case(&db, 0, &item))
        .expect("accepted with Exchange's occurrences");
    let back = runtime
        .block_on(db.get_appointment(&BusinessId::from("S-0")))
        .expect("read")
        .expect("the row")
        .item;
    let When::Timed { start, .. } = &back.when else {
        panic!("timed")
    };
    assert_eq!(start.local, at("2027-03-09 09:00").local);
}
