//! Series on the Graph wire: assembling moved, changed and cancelled occurrences from a series
//! master and its instances as Graph returns them (`originalStart` in UTC with `Z`, times per
//! `Prefer: outlook.timezone="UTC"`), with keys at the same wall clock on both sides of DST, and
//! the per-instance writes that make Graph match a desired series.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc, Weekday};
use exsync_graph::wire::event::GraphEvent;
use exsync_graph::wire::series::{OccurrenceWrite, assemble, occurrence_writes};
use exsync_model::{
    OccurrenceOverride, Pattern, Range, Recurrence, TimeZoneName, WeekdaySet, When, ZonedDateTime,
};
use serde_json::{Value, json};

fn berlin() -> TimeZoneName {
    TimeZoneName::new("W. Europe Standard Time").expect("known zone")
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|date| date.and_hms_opt(h, min, 0))
        .expect("valid date")
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("timestamp")
        .with_timezone(&Utc)
}

fn utc_time(text: &str) -> Value {
    json!({"dateTime": format!("{text}.0000000"), "timeZone": "UTC"})
}

/// A weekly 09:00-10:00 Berlin series master on `day` ("monday") from `first`, whose first
/// occurrence starts at `first_utc` (the UTC time of 09:00 Berlin that day), as Graph returns it
/// under a UTC Prefer header.
fn master(day: &str, first: &str, first_utc: &str, count: u32) -> GraphEvent {
    let start: DateTime<Utc> = utc(first_utc);
    let end = start + chrono::Duration::hours(1);
    let graph_time = |t: DateTime<Utc>| utc_time(&t.format("%Y-%m-%dT%H:%M:%S").to_string());
    GraphEvent::parse(&json!({
        "@odata.etag": "W/\"m1\"", "id": "AAMkMaster", "changeKey": "m1",
        "type": "seriesMaster", "subject": "Jour fixe", "isAllDay": false,
        "body": {"contentType": "html", "content": "<p>Agenda</p>"},
        "start": graph_time(start), "end": graph_time(end),
        "originalStartTimeZone": "W. Europe Standard Time",
        "originalEndTimeZone": "W. Europe Standard Time",
        "location": {"displayName": "Raum 1"},
        "showAs": "busy", "sensitivity": "normal", "importance": "normal",
        "isReminderOn": true, "reminderMinutesBeforeStart": 15, "categories": [],
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "month": 0, "dayOfMonth": 0,
                        "daysOfWeek": [day], "firstDayOfWeek": "monday", "index": "first"},
            "range": {"type": "numbered", "startDate": first, "endDate": "0001-01-01",
                      "recurrenceTimeZone": "W. Europe Standard Time", "numberOfOccurrences": count}
        }
    }))
    .expect("master parses")
}

/// An instance of the master as `GET /events/{id}/instances` returns it.
fn instance(
    id: &str,
    kind: &str,
    original: &str,
    start: &str,
    end: &str,
    subject: &str,
    location: &str,
) -> GraphEvent {
    GraphEvent::parse(&json!({
        "@odata.etag": format!("W/\"{id}\""), "id": id, "type": kind,
        "seriesMasterId": "AAMkMaster", "originalStart": original,
        "subject": subject, "isAllDay": false,
        "body": {"contentType": "html", "content": "<p>Agenda</p>"},
        "start": utc_time(start), "end": utc_time(end),
        "originalStartTimeZone": "W. Europe Standard Time",
        "originalEndTimeZone": "W. Europe Standard Time",
        "location": {"displayName": location},
        "showAs": "busy", "sensitivity": "normal", "importance": "normal",
        "isReminderOn": true, "reminderMinutesBeforeStart": 15, "categories": []
    }))
    .expect("instance parses")
}

fn march_instances() -> Vec<GraphEvent> {
    vec![
        instance(
            "I1",
            "occurrence",
            "2026-03-16T08:00:00Z",
            "2026-03-16T08:00:00",
            "2026-03-16T09:00:00",
            "Jour fixe",
            "Raum 1",
        ),
        // Moved from 09:00 to 10:00 Berlin.
        instance(
            "I2",
            "exception",
            "2026-03-23T08:00:00Z",
            "2026-03-23T09:00:00",
            "2026-03-23T10:00:00",
            "Jour fixe",
            "Raum 1",
        ),
        // After the switch to summer time: 09:00 Berlin is 07:00 UTC.
        instance(
            "I3",
            "occurrence",
            "2026-03-30T07:00:00Z",
            "2026-03-30T07:00:00",
            "2026-03-30T08:00:00",
            "Jour fixe",
            "Raum 1",
        ),
        // Changed subject and location, same time.
        instance(
            "I4",
            "exception",
            "2026-04-06T07:00:00Z",
            "2026-04-06T07:00:00",
            "2026-04-06T08:00:00",
            "Jour fixe (Kunde)",
            "Raum 2",
        ),
        // 2026-04-13 is absent: cancelled.
        instance(
            "I6",
            "occurrence",
            "2026-04-20T07:00:00Z",
            "2026-04-20T07:00:00",
            "2026-04-20T08:00:00",
            "Jour fixe",
            "Raum 1",
        ),
    ]
}

#[test]
fn moved_changed_and_cancelled_occurrences_are_assembled_across_dst() {
    let master = master("monday", "2026-03-16", "2026-03-16T08:00:00Z", 6);
    let item = assemble(
        &master,
        &march_instances(),
        utc("2026-03-01T00:00:00Z"),
        utc("2026-05-01T00:00:00Z"),
    )
    .expect("assembles");
    assert_eq!(
        item.when,
        When::Timed {
            start: ZonedDateTime::new(at(2026, 3, 16, 9, 0), berlin()),
            end: ZonedDateTime::new(at(2026, 3, 16, 10, 0), berlin()),
        }
    );
    let series = item.series.expect("a series");
    assert_eq!(
        series.recurrence,
        Recurrence {
            pattern: Pattern::Weekly {
                interval: 1,
                days: WeekdaySet::single(Weekday::Mon),
                first_day_of_week: Weekday::Mon
            },
            range: Range::Numbered { count: 6 },
            time_zone: None,
        }
    );
    let moved = OccurrenceOverride {
        when: Some(When::Timed {
            start: ZonedDateTime::new(at(2026, 3, 23, 10, 0), berlin()),
            end: ZonedDateTime::new(at(2026, 3, 23, 11, 0), berlin()),
        }),
        ..OccurrenceOverride::default()
    };
    let changed = OccurrenceOverride {
        subject: Some("Jour fixe (Kunde)".into()),
        location: Some("Raum 2".into()),
        ..OccurrenceOverride::default()
    };
    assert_eq!(
        series.modified.into_iter().collect::<Vec<_>>(),
        vec![
            (at(2026, 3, 23, 9, 0), moved),
            (at(2026, 4, 6, 9, 0), changed)
        ]
    );
    assert_eq!(
        series.cancelled.into_iter().collect::<Vec<_>>(),
        vec![at(2026, 4, 13, 9, 0)]
    );
}

#[test]
fn october_dst_keeps_keys_at_the_same_wall_clock() {
    // Thursdays 09:00 Berlin: 15 and 22 Oct in summer time (07:00 UTC), 29 Oct in winter time
    // (08:00 UTC); the 29th is missing from the instances.
    let master = master("thursday", "2026-10-15", "2026-10-15T07:00:00Z", 3);
    let instances = vec![
        instance(
            "O1",
            "occurrence",
            "2026-10-15T07:00:00Z",
            "2026-10-15T07:00:00",
            "2026-10-15T08:00:00",
            "Jour fixe",
            "Raum 1",
        ),
        instance(
            "O2",
            "exception",
            "2026-10-22T07:00:00Z",
            "2026-10-22T07:00:00",
            "2026-10-22T08:00:00",
            "Jour fixe",
            "Raum 3",
        ),
    ];
    let item = assemble(
        &master,
        &instances,
        utc("2026-10-01T00:00:00Z"),
        utc("2026-11-30T00:00:00Z"),
    )
    .expect("assembles");
    let series = item.series.expect("a series");
    assert_eq!(
        series.cancelled.into_iter().collect::<Vec<_>>(),
        vec![at(2026, 10, 29, 9, 0)]
    );
    assert_eq!(
        series.modified.keys().copied().collect::<Vec<_>>(),
        vec![at(2026, 10, 22, 9, 0)]
    );

    // With the 29th present (08:00 UTC) nothing is cancelled: its key is 09:00 too.
    let mut all = instances;
    all.push(instance(
        "O3",
        "occurrence",
        "2026-10-29T08:00:00Z",
        "2026-10-29T08:00:00",
        "2026-10-29T09:00:00",
        "Jour fixe",
        "Raum 1",
    ));
    let item = assemble(
        &master,
        &all,
        utc("2026-10-01T00:00:00Z"),
        utc("2026-11-30T00:00:00Z"),
    )
    .expect("assembles");
    assert!(item.series.expect("a series").cancelled.is_empty());
}

#[test]
fn occurrences_outside_the_queried_window_are_not_taken_as_cancelled() {
    let master = master("monday", "2026-03-16", "2026-03-16T08:00:00Z", 6);
    let first_two = &march_instances()[..2];
    let item = assemble(
        &master,
        first_two,
        utc("2026-03-01T00:00:00Z"),
        utc("2026-03-24T00:00:00Z"),
    )
    .expect("assembles");
    assert!(item.series.expect("a series").cancelled.is_empty());
}

#[test]
fn writes_make_graph_match_the_desired_series_and_skip_matching_instances() {
    let master = master("monday", "2026-03-16", "2026-03-16T08:00:00Z", 6);
    let window = (utc("2026-03-01T00:00:00Z"), utc("2026-05-01T00:00:00Z"));
    let instances = march_instances();
    let current = assemble(&master, &instances, window.0, window.1).expect("assembles");

    // Nothing to do when Graph already matches.
    assert_eq!(
        occurrence_writes(&current, &instances, &berlin()).expect("plans"),
        vec![]
    );

    let mut desired = current;
    let series = desired.series.as_mut().expect("a series");
    series.modified.remove(&at(2026, 3, 23, 9, 0)); // move back to the pattern time
    series
        .modified
        .get_mut(&at(2026, 4, 6, 9, 0))
        .expect("changed occurrence")
        .subject = Some("Jour fixe (neu)".into());
    series.cancelled.insert(at(2026, 4, 20, 9, 0));

    let writes = occurrence_writes(&desired, &instances, &berlin()).expect("plans");
    assert_eq!(
        writes,
        vec![
            OccurrenceWrite::Patch {
                instance_id: "I2".into(),
                original_start: at(2026, 3, 23, 9, 0),
                body: json!({
                    "start": {"dateTime": "2026-03-23T09:00:00", "timeZone": "W. Europe Standard Time"},
                    "end": {"dateTime": "2026-03-23T10:00:00", "timeZone": "W. Europe Standard Time"},
                    "isAllDay": false,
                }),
            },
            OccurrenceWrite::Patch {
                instance_id: "I4".into(),
                original_start: at(2026, 4, 6, 9, 0),
                body: json!({"subject": "Jour fixe (neu)"}),
            },
            OccurrenceWrite::Delete {
                instance_id: "I6".into(),
                original_start: at(2026, 4, 20, 9, 0)
            },
        ]
    );
}

#[test]
fn an_instance_without_original_start_is_an_error_naming_it() {
    let master = master("monday", "2026-03-16", "2026-03-16T08:00:00Z", 6);
    let mut raw = march_instances()[0].raw().clone();
    raw.as_object_mut().expect("object").remove("originalStart");
    let broken = GraphEvent::parse(&raw).expect("parses");
    let err = assemble(
        &master,
        &[broken],
        utc("2026-03-01T00:00:00Z"),
        utc("2026-05-01T00:00:00Z"),
    )
    .expect_err("refused");
    assert!(
        err.to_string().contains("I1") && err.to_string().contains("originalStart"),
        "{err}"
    );
}

#[test]
fn all_day_series_are_keyed_by_midnight_of_their_dates() {
    let day =
        |d: u32| json!({"dateTime": format!("2026-03-{d:02}T00:00:00.0000000"), "timeZone": "UTC"});
    let master = GraphEvent::parse(&json!({
        "id": "AAMkDays", "type": "seriesMaster", "subject": "Messe", "isAllDay": true,
        "start": day(27), "end": day(28),
        "originalStartTimeZone": "W. Europe Standard Time",
        "recurrence": {
            "pattern": {"type": "daily", "interval": 1},
            "range": {"type": "numbered", "startDate": "2026-03-27", "numberOfOccurrences": 4,
                      "recurrenceTimeZone": "W. Europe Standard Time"}
        }
    }))
    .expect("parses");
    // originalStart as midnight Berlin in UTC, across the switch to summer time.
    let occurrence = |id: &str, original: &str, d: u32| {
        GraphEvent::parse(&json!({
            "id": id, "type": "occurrence", "seriesMasterId": "AAMkDays", "subject": "Messe",
            "isAllDay": true, "originalStart": original, "start": day(d), "end": day(d + 1),
            "originalStartTimeZone": "W. Europe Standard Time"
        }))
        .expect("parses")
    };
    let instances = [
        occurrence("D1", "2026-03-26T23:00:00Z", 27),
        occurrence("D3", "2026-03-28T23:00:00Z", 29),
        // Summer time from 29 March 02:00: midnight of the 30th is 22:00 UTC.
        occurrence("D4", "2026-03-29T22:00:00Z", 30),
    ];
    let item = assemble(
        &master,
        &instances,
        utc("2026-03-20T00:00:00Z"),
        utc("2026-04-05T00:00:00Z"),
    )
    .expect("assembles");
    assert_eq!(
        item.when,
        When::AllDay {
            start: NaiveDate::from_ymd_opt(2026, 3, 27).expect("date"),
            end: NaiveDate::from_ymd_opt(2026, 3, 28).expect("date")
        }
    );
    let series = item.series.expect("a series");
    assert_eq!(series.recurrence.time_zone, Some(berlin()));
    assert!(series.modified.is_empty());
    assert_eq!(
        series.cancelled.into_iter().collect::<Vec<_>>(),
        vec![at(2026, 3, 28, 0, 0)]
    );
}

#[test]
fn properties_an_instance_does_not_carry_are_not_changes() {
    let master = master("monday", "2026-03-16", "2026-03-16T08:00:00Z", 6);
    let mut raw = march_instances()[3].raw().clone();
    let object = raw.as_object_mut().expect("object");
    for unselected in [
        "body",
        "categories",
        "isReminderOn",
        "reminderMinutesBeforeStart",
        "showAs",
    ] {
        object.remove(unselected);
    }
    let exception = GraphEvent::parse(&raw).expect("parses");
    let item = assemble(
        &master,
        &[exception],
        utc("2026-04-06T00:00:00Z"),
        utc("2026-04-07T00:00:00Z"),
    )
    .expect("assembles");
    let series = item.series.expect("a series");
    let changed = OccurrenceOverride {
        subject: Some("Jour fixe (Kunde)".into()),
        location: Some("Raum 2".into()),
        ..OccurrenceOverride::default()
    };
    assert_eq!(series.modified.get(&at(2026, 4, 6, 9, 0)), Some(&changed));
}

/// Exchange starts a series with its first occurrence: a master still dated on the Monday its
/// old pattern started from, whose pattern is now "weekly on Tuesday", is read as starting on
/// that Tuesday, at the same time, with the same length and zone, its range untouched.
#[test]
fn a_master_whose_start_no_longer_fits_its_pattern_starts_at_its_first_occurrence() {
    let master = master("tuesday", "2027-03-08", "2027-03-08T08:00:00Z", 4);
    let appointment = master.to_appointment().expect("converts");
    let zone = berlin();
    assert_eq!(
        appointment.when,
        When::Timed {
            start: ZonedDateTime::new(at(2027, 3, 9, 9, 0), zone.clone()),
            end: ZonedDateTime::new(at(2027, 3, 9, 10, 0), zone),
        }
    );
    let series = appointment.series.expect("a series");
    assert_eq!(series.recurrence.range, Range::Numbered { count: 4 });
}

/// A range that holds no occurrence at all (Exchange refuses to save one) is an error naming
/// the item and the recurrence, never a series the business side could not read.
#[test]
fn a_master_whose_range_holds_no_occurrence_is_an_error() {
    let mut raw = master("tuesday", "2027-03-08", "2027-03-08T08:00:00Z", 4)
        .raw()
        .clone();
    raw["recurrence"]["range"] = json!({"type": "endDate", "startDate": "2027-03-08",
        "endDate": "2027-03-08", "recurrenceTimeZone": "W. Europe Standard Time",
        "numberOfOccurrences": 0});
    let error = GraphEvent::parse(&raw)
        .expect("parses")
        .to_appointment()
        .expect_err("no occurrence");
    let text = error.to_string();
    assert!(
        text.contains("AAMkMaster") && text.contains("recurrence"),
        "{text}"
    );
}
