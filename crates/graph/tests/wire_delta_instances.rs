//! Instances as `calendarView/delta` sends them: all-day `originalStart` as midnight of the
//! series' zone in UTC (with or without the recurrence's zone), and bare occurrences completed
//! from their series master.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use exsync_graph::wire::event::{EventType, GraphEvent};
use exsync_graph::wire::series::{complete_from_master, occurrence_key, range_key};
use exsync_model::{Pattern, Range, Recurrence, TimeZoneName, When};
use serde_json::json;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("timestamp")
        .with_timezone(&Utc)
}

fn midnight(y: i32, m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .expect("date")
        .and_time(NaiveTime::MIN)
}

fn all_day_recurrence(zone: Option<&str>) -> (When, Recurrence) {
    let date = NaiveDate::from_ymd_opt(2027, 3, 10).expect("date");
    let when = When::AllDay {
        start: date,
        end: date.succ_opt().expect("date"),
    };
    let recurrence = Recurrence {
        pattern: Pattern::Daily { interval: 1 },
        range: Range::Numbered { count: 3 },
        time_zone: zone.map(|z| TimeZoneName::new(z).expect("zone")),
    };
    (when, recurrence)
}

#[test]
fn all_day_original_start_is_the_date_of_the_series_zone() {
    for (zone, original) in [
        ("W. Europe Standard Time", "2027-03-09T23:00:00Z"),
        ("Eastern Standard Time", "2027-03-10T05:00:00Z"),
        ("New Zealand Standard Time", "2027-03-09T11:00:00Z"),
        ("UTC", "2027-03-10T00:00:00Z"),
    ] {
        // Without the zone, the nearest midnight: right from UTC-11:59 to UTC+12.
        let without = (zone != "New Zealand Standard Time").then_some(None);
        for known in std::iter::once(Some(zone)).chain(without) {
            let (when, recurrence) = all_day_recurrence(known);
            let key = occurrence_key(&when, &recurrence, utc(original), "x").expect("a key");
            assert_eq!(key, midnight(2027, 3, 10), "{zone} (zone given: {known:?})");
        }
    }
}

#[test]
fn range_bounds_are_never_rounded_up_to_the_next_day() {
    let (when, recurrence) = all_day_recurrence(None);
    let key = range_key(&when, &recurrence, utc("2027-03-09T14:37:00Z"), "x").expect("key");
    assert_eq!(key, midnight(2027, 3, 9));
}

fn master() -> GraphEvent {
    GraphEvent::parse(&json!({
        "@odata.etag": "W/\"m2\"", "id": "AAMkM", "changeKey": "m2", "type": "seriesMaster",
        "subject": "Jour fixe", "isAllDay": false,
        "start": {"dateTime": "2027-04-06T12:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2027-04-06T13:00:00.0000000", "timeZone": "UTC"},
        "originalStartTimeZone": "W. Europe Standard Time",
        "originalEndTimeZone": "W. Europe Standard Time",
        "location": {"displayName": "Raum 1"},
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]},
            "range": {"type": "numbered", "startDate": "2027-04-06", "numberOfOccurrences": 4,
                      "recurrenceTimeZone": "W. Europe Standard Time"}
        }
    }))
    .expect("master parses")
}

fn bare(kind: &str, series: &str) -> GraphEvent {
    GraphEvent::parse(&json!({
        "@odata.etag": "W/\"o\"", "id": "AAMkM_O1", "type": kind, "seriesMasterId": series,
        "start": {"dateTime": "2027-04-13T12:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2027-04-13T13:00:00.0000000", "timeZone": "UTC"}
    }))
    .expect("bare parses")
}

#[test]
fn a_bare_occurrence_is_completed_from_its_master() {
    let completed = complete_from_master(&bare("occurrence", "AAMkM"), &master()).expect("done");
    assert_eq!(completed.id, "AAMkM_O1");
    assert_eq!(completed.event_type, Some(EventType::Occurrence));
    assert_eq!(completed.original_start, Some(utc("2027-04-13T12:00:00Z")));
    assert!(completed.raw().get("recurrence").is_none());
    let fields = completed.fields().expect("fields");
    assert_eq!(fields.subject, "Jour fixe");
    assert_eq!(fields.location, "Raum 1");
    assert_eq!(
        fields.when.clone(),
        When::Timed {
            start: exsync_model::ZonedDateTime::new(
                NaiveDate::from_ymd_opt(2027, 4, 13)
                    .and_then(|d| d.and_hms_opt(14, 0, 0))
                    .expect("time"),
                TimeZoneName::new("W. Europe Standard Time").expect("zone"),
            ),
            end: exsync_model::ZonedDateTime::new(
                NaiveDate::from_ymd_opt(2027, 4, 13)
                    .and_then(|d| d.and_hms_opt(15, 0, 0))
                    .expect("time"),
                TimeZoneName::new("W. Europe Standard Time").expect("zone"),
            ),
        }
    );
}

#[test]
fn bare_exceptions_and_other_series_instances_are_not_completed() {
    assert!(complete_from_master(&bare("exception", "AAMkM"), &master()).is_none());
    assert!(complete_from_master(&bare("occurrence", "AAMkOther"), &master()).is_none());
}

#[test]
fn an_all_day_series_without_recurrence_zone_is_keyed_in_its_start_zone() {
    let day = |d: u32| {
        json!({"dateTime": format!("2027-03-{d:02}T00:00:00.0000000"),
                              "timeZone": "UTC"})
    };
    let master = GraphEvent::parse(&json!({
        "id": "AAMkNz", "type": "seriesMaster", "subject": "Fair", "isAllDay": true,
        "start": day(10), "end": day(11),
        "originalStartTimeZone": "New Zealand Standard Time",
        "recurrence": {
            "pattern": {"type": "daily", "interval": 1},
            "range": {"type": "numbered", "startDate": "2027-03-10", "numberOfOccurrences": 3}
        }
    }))
    .expect("parses");
    let occurrence = |id: &str, original: &str, d: u32| {
        GraphEvent::parse(&json!({
            "id": id, "type": "occurrence", "seriesMasterId": "AAMkNz", "subject": "Fair",
            "isAllDay": true, "originalStart": original, "start": day(d), "end": day(d + 1)
        }))
        .expect("parses")
    };
    // Midnight in Auckland (UTC+13 in March) in UTC; the 11th is cancelled.
    let instances = [
        occurrence("N1", "2027-03-09T11:00:00Z", 10),
        occurrence("N3", "2027-03-11T11:00:00Z", 12),
    ];
    let item = exsync_graph::wire::series::assemble(
        &master,
        &instances,
        utc("2027-03-01T00:00:00Z"),
        utc("2027-04-01T00:00:00Z"),
    )
    .expect("assembles");
    let series = item.series.expect("a series");
    assert_eq!(
        series.cancelled.into_iter().collect::<Vec<_>>(),
        [midnight(2027, 3, 11)]
    );
}
