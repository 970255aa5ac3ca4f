//! Events and recurrences on the Graph wire: model -> POST JSON -> (as Graph returns it with
//! `Prefer: outlook.timezone="UTC"`) -> model, for every pattern and range, all-day,
//! multi-day, private and reminder variants; PATCH bodies holding only the named fields; bad
//! input naming the event and property.

use chrono::{NaiveDate, NaiveDateTime, Weekday};
use exsync_graph::wire::event::{EventType, GraphEvent, event_patch, new_event};
use exsync_graph::wire::recurrence;
use exsync_graph::wire::{BUSINESS_ID_PROPERTY, WireError, format_local, parse_local};
use exsync_model::{
    Appointment, Body, Importance, Pattern, Range, Recurrence, Sensitivity, Series, ShowAs,
    TimeZoneName, WeekIndex, WeekdaySet, When, ZonedDateTime, first_occurrence,
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

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn timed(subject: &str, start: NaiveDateTime, end: NaiveDateTime) -> Appointment {
    Appointment::timed(
        subject,
        ZonedDateTime::new(start, berlin()),
        ZonedDateTime::new(end, berlin()),
    )
}

/// What Graph returns for a POSTed body under `Prefer: outlook.timezone="UTC"`: start and end in
/// UTC (all-day at midnight, as written), the original zones, id, type, changeKey.
fn as_graph_returns(post: &Value, id: &str) -> Value {
    let mut event = post.clone();
    let all_day = post["isAllDay"].as_bool().unwrap_or(false);
    for (key, original) in [
        ("start", "originalStartTimeZone"),
        ("end", "originalEndTimeZone"),
    ] {
        let zone = post[key]["timeZone"]
            .as_str()
            .expect("zone written")
            .to_owned();
        let local = parse_local(post[key]["dateTime"].as_str().expect("time")).expect("parses");
        let text = if all_day {
            format!("{}.0000000", format_local(local))
        } else {
            let utc = ZonedDateTime::new(local, TimeZoneName::new(&zone).expect("zone"))
                .to_utc()
                .expect("zone");
            format!("{}.0000000", format_local(utc.naive_utc()))
        };
        event[key] = json!({"dateTime": text, "timeZone": if all_day { zone.clone() } else { "UTC".into() }});
        event[original] = json!(zone);
    }
    let kind = if post.get("recurrence").is_some_and(Value::is_object) {
        "seriesMaster"
    } else {
        "singleInstance"
    };
    event["id"] = json!(id);
    event["type"] = json!(kind);
    event["changeKey"] = json!("ck1");
    event["@odata.etag"] = json!("W/\"ck1\"");
    event["isOrganizer"] = json!(true);
    event["organizer"] = json!({"emailAddress": {"name": "Eva", "address": "eva@contoso.de"}});
    event["lastModifiedDateTime"] = json!("2026-03-01T10:00:00.1234567Z");
    event
        .as_object_mut()
        .expect("object")
        .remove("transactionId");
    event
}

fn round_trip(item: &Appointment) -> Appointment {
    let post = new_event(item, "B-1", "tx-1", &berlin()).expect("writes");
    let event = GraphEvent::parse(&as_graph_returns(&post, "AAMk1")).expect("parses");
    assert_eq!(event.business_id.as_deref(), Some("B-1"));
    event.to_appointment().expect("converts")
}

#[test]
fn a_single_timed_item_survives_the_round_trip_with_all_flags() {
    let mut item = timed("Besprechung", at(2026, 3, 2, 9, 0), at(2026, 3, 2, 10, 30));
    item.location = "Raum 1".into();
    item.body = Body::html("<p>Agenda</p>");
    item.show_as = ShowAs::OutOfOffice;
    item.sensitivity = Sensitivity::Private;
    item.importance = Importance::High;
    item.categories = vec!["Kunde".into(), "Service".into()];
    item.reminder_minutes = Some(15);
    let post = new_event(&item, "B-1", "tx-1", &berlin()).expect("writes");
    assert_eq!(
        post["start"],
        json!({"dateTime": "2026-03-02T09:00:00", "timeZone": "W. Europe Standard Time"})
    );
    assert_eq!(post["sensitivity"], "private");
    assert_eq!(post["showAs"], "oof");
    assert_eq!(post["isReminderOn"], true);
    assert_eq!(post["reminderMinutesBeforeStart"], 15);
    assert_eq!(post["transactionId"], "tx-1");
    assert_eq!(
        post["singleValueExtendedProperties"][0]["id"],
        BUSINESS_ID_PROPERTY
    );
    assert!(post.get("attendees").is_none(), "exsync never invites");
    assert!(post.get("recurrence").is_none());
    assert_eq!(round_trip(&item), item);
}

#[test]
fn reminder_off_multi_day_and_all_day_items_survive_the_round_trip() {
    let mut item = timed("Messe", at(2026, 5, 4, 8, 0), at(2026, 5, 6, 18, 0));
    item.reminder_minutes = None;
    let post = new_event(&item, "B-2", "tx-2", &berlin()).expect("writes");
    assert_eq!(post["isReminderOn"], false);
    assert!(post.get("reminderMinutesBeforeStart").is_none());
    assert_eq!(round_trip(&item), item);

    let all_day = Appointment::all_day("Urlaub", date(2026, 7, 20), date(2026, 7, 25));
    let post = new_event(&all_day, "B-3", "tx-3", &berlin()).expect("writes");
    assert_eq!(post["isAllDay"], true);
    assert_eq!(
        post["start"],
        json!({"dateTime": "2026-07-20T00:00:00", "timeZone": "W. Europe Standard Time"})
    );
    assert_eq!(post["end"]["dateTime"], "2026-07-25T00:00:00");
    assert_eq!(round_trip(&all_day), all_day);
}

#[test]
fn times_are_read_into_the_events_own_zone_whatever_the_prefer_zone() {
    let raw = json!({
        "id": "AAMk2", "type": "singleInstance", "subject": "Call",
        "start": {"dateTime": "2026-07-01T07:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-07-01T08:00:00.0000000", "timeZone": "UTC"},
        "originalStartTimeZone": "Eastern Standard Time",
        "originalEndTimeZone": "tzone://Microsoft/Custom",
        "isAllDay": false
    });
    let item = GraphEvent::parse(&raw)
        .expect("parses")
        .to_appointment()
        .expect("converts");
    let eastern = TimeZoneName::new("Eastern Standard Time").expect("known");
    assert_eq!(
        item.when,
        When::Timed {
            start: ZonedDateTime::new(at(2026, 7, 1, 3, 0), eastern.clone()),
            // A custom end zone falls back to the start's zone.
            end: ZonedDateTime::new(at(2026, 7, 1, 4, 0), eastern),
        }
    );
    assert_eq!(
        item.organizer, None,
        "a plain appointment has no meeting organizer"
    );
}

fn series_item(pattern: Pattern, range: Range) -> Appointment {
    let mut item = timed("Jour fixe", at(2026, 3, 2, 9, 0), at(2026, 3, 2, 10, 0));
    item.series = Some(Series::new(Recurrence {
        pattern,
        range,
        time_zone: None,
    }));
    item
}

#[test]
fn every_pattern_and_range_survives_the_round_trip() {
    let mon_wed: WeekdaySet = [Weekday::Mon, Weekday::Wed].into_iter().collect();
    let patterns = [
        Pattern::Daily { interval: 2 },
        Pattern::Weekly {
            interval: 2,
            days: mon_wed,
            first_day_of_week: Weekday::Mon,
        },
        Pattern::AbsoluteMonthly {
            interval: 1,
            day_of_month: 2,
        },
        Pattern::RelativeMonthly {
            interval: 3,
            days: WeekdaySet::single(Weekday::Mon),
            index: WeekIndex::First,
        },
        Pattern::RelativeMonthly {
            interval: 1,
            days: WeekdaySet::WORKDAYS,
            index: WeekIndex::Last,
        },
        Pattern::AbsoluteYearly {
            interval: 1,
            month: 3,
            day_of_month: 2,
        },
        Pattern::RelativeYearly {
            interval: 2,
            month: 3,
            days: WeekdaySet::single(Weekday::Mon),
            index: WeekIndex::Second,
        },
    ];
    let ranges = [
        Range::NoEnd,
        Range::EndDate {
            end: date(2027, 3, 1),
        },
        Range::Numbered { count: 10 },
    ];
    for pattern in &patterns {
        for range in ranges {
            let mut item = series_item(pattern.clone(), range);
            // As the business side holds a series: starting with its first occurrence (a
            // master read from Graph always does; see wire_series.rs for one that did not).
            let recurrence = item.series.as_ref().expect("series").recurrence.clone();
            item.when = first_occurrence(&item.when, &recurrence)
                .expect("computed")
                .expect("an occurrence");
            let When::Timed { start, .. } = &item.when else {
                panic!("timed")
            };
            let first = start.local.date().format("%Y-%m-%d").to_string();
            let post = new_event(&item, "B", "tx", &berlin()).expect("writes");
            assert_eq!(post["recurrence"]["range"]["startDate"], first.as_str());
            assert_eq!(
                post["recurrence"]["range"]["recurrenceTimeZone"],
                "W. Europe Standard Time"
            );
            assert_eq!(round_trip(&item), item, "{pattern:?} {range:?}");
        }
    }
}

#[test]
fn pattern_json_uses_graphs_names_and_only_the_pattern_s_properties() {
    let item = series_item(
        Pattern::RelativeYearly {
            interval: 1,
            month: 11,
            days: WeekdaySet::single(Weekday::Thu),
            index: WeekIndex::Fourth,
        },
        Range::Numbered { count: 5 },
    );
    let post = new_event(&item, "B", "tx", &berlin()).expect("writes");
    assert_eq!(
        post["recurrence"],
        json!({
            "pattern": {"type": "relativeYearly", "interval": 1, "month": 11,
                        "daysOfWeek": ["thursday"], "index": "fourth"},
            "range": {"type": "numbered", "startDate": "2026-03-02", "numberOfOccurrences": 5,
                      "recurrenceTimeZone": "W. Europe Standard Time"}
        })
    );
    let weekly = series_item(
        Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::single(Weekday::Mon),
            first_day_of_week: Weekday::Sun,
        },
        Range::EndDate {
            end: date(2026, 6, 29),
        },
    );
    let post = new_event(&weekly, "B", "tx", &berlin()).expect("writes");
    assert_eq!(
        post["recurrence"]["pattern"],
        json!({"type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "firstDayOfWeek": "sunday"})
    );
    assert_eq!(post["recurrence"]["range"]["endDate"], "2026-06-29");
}

#[test]
fn graph_defaults_and_unused_pattern_properties_are_read_as_graph_documents() {
    // Graph returns every pattern property, zeros and defaults included.
    let value = json!({
        "pattern": {"type": "weekly", "interval": 1, "month": 0, "dayOfMonth": 0,
                    "daysOfWeek": ["friday"], "index": "first"},
        "range": {"type": "endDate", "startDate": "2026-03-06", "endDate": "2026-04-24",
                  "recurrenceTimeZone": "", "numberOfOccurrences": 0}
    });
    let read = recurrence::from_graph(&value, "AAMk3").expect("reads");
    assert_eq!(read.start_date, Some(date(2026, 3, 6)));
    assert_eq!(
        read.recurrence,
        Recurrence {
            pattern: Pattern::Weekly {
                interval: 1,
                days: WeekdaySet::single(Weekday::Fri),
                first_day_of_week: Weekday::Sun
            },
            range: Range::EndDate {
                end: date(2026, 4, 24)
            },
            time_zone: None,
        }
    );
}

#[test]
fn unsupported_graph_values_are_errors_naming_item_and_property() {
    let value = json!({
        "pattern": {"type": "hourly", "interval": 1},
        "range": {"type": "noEnd", "startDate": "2026-03-06"}
    });
    let err = recurrence::from_graph(&value, "AAMk4").expect_err("refused");
    assert_eq!(
        err,
        WireError::Unsupported {
            item: "AAMk4".into(),
            property: "recurrence.pattern.type".into(),
            value: "hourly".into()
        }
    );
    let value = json!({
        "pattern": {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["funday"], "index": "first"},
        "range": {"type": "noEnd", "startDate": "2026-03-06"}
    });
    let err = recurrence::from_graph(&value, "AAMk5")
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("AAMk5") && err.contains("daysOfWeek") && err.contains("funday"),
        "{err}"
    );

    let bad_time = json!({
        "id": "AAMk6", "type": "singleInstance", "subject": "x",
        "start": {"dateTime": "yesterday", "timeZone": "UTC"},
        "end": {"dateTime": "2026-07-01T08:00:00", "timeZone": "UTC"}
    });
    let err = GraphEvent::parse(&bad_time)
        .expect("ids parse")
        .to_appointment()
        .expect_err("bad");
    assert!(
        err.to_string().contains("AAMk6") && err.to_string().contains("start.dateTime"),
        "{err}"
    );
    let no_end = json!({"id": "AAMk7", "subject": "x",
        "start": {"dateTime": "2026-07-01T07:00:00", "timeZone": "UTC"}});
    let err = GraphEvent::parse(&no_end)
        .expect("ids parse")
        .to_appointment()
        .expect_err("bad");
    assert_eq!(
        err,
        WireError::Missing {
            item: "AAMk7".into(),
            property: "end".into()
        }
    );
    let err = GraphEvent::parse(&json!({"id": "AAMk8", "type": "meeting"})).expect_err("bad type");
    assert!(err.to_string().contains("AAMk8"));
}

#[test]
fn patches_hold_only_the_named_fields() {
    let mut item = series_item(Pattern::Daily { interval: 1 }, Range::Numbered { count: 3 });
    item.subject = "Neu".into();
    item.reminder_minutes = Some(30);
    let patch = event_patch(&item, &["subject"], &berlin()).expect("writes");
    assert_eq!(patch, json!({"subject": "Neu"}));
    let patch = event_patch(
        &item,
        &["reminder_minutes", "attendees", "organizer"],
        &berlin(),
    )
    .expect("writes");
    assert_eq!(
        patch,
        json!({"isReminderOn": true, "reminderMinutesBeforeStart": 30})
    );
    let patch = event_patch(&item, &["when"], &berlin()).expect("writes");
    let keys: Vec<&str> = patch
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["end", "isAllDay", "start"]);
    let patch = event_patch(&item, &["series"], &berlin()).expect("writes");
    assert_eq!(patch["recurrence"]["range"]["numberOfOccurrences"], 3);
    assert_eq!(patch["start"]["dateTime"], "2026-03-02T09:00:00");
    item.series = None;
    let patch = event_patch(&item, &["series"], &berlin()).expect("writes");
    assert_eq!(patch["recurrence"], Value::Null);
    let err = event_patch(&item, &["colour"], &berlin()).expect_err("unknown");
    assert_eq!(err, WireError::UnknownField("colour".into()));
}

#[test]
fn delta_tombstones_and_instance_properties_are_read() {
    let tombstone = json!({"@odata.type": "#microsoft.graph.event", "id": "AAMk9", "@removed": {"reason": "deleted"}});
    let event = GraphEvent::parse(&tombstone).expect("parses");
    assert!(event.is_removed());
    assert_eq!(event.removed.as_deref(), Some("deleted"));
    assert_eq!(event.event_type, None);
    assert!(event.to_appointment().is_err());

    let exception = json!({
        "id": "AAMk10", "type": "exception", "seriesMasterId": "AAMk1",
        "originalStart": "2026-03-30T07:00:00Z", "changeKey": "ck2",
        "@odata.etag": "W/\"ck2\"", "isOrganizer": false,
        "organizer": {"emailAddress": {"name": "Max", "address": "max@fabrikam.de"}},
        "attendees": [{"type": "required", "status": {"response": "accepted", "time": "0001-01-01T00:00:00Z"},
                       "emailAddress": {"name": "Eva", "address": "eva@contoso.de"}}],
        "singleValueExtendedProperties": [{"id": BUSINESS_ID_PROPERTY.to_uppercase(), "value": "B-9"}],
        "lastModifiedDateTime": "2026-03-01T10:00:00Z",
        "start": {"dateTime": "2026-03-30T07:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-03-30T08:00:00.0000000", "timeZone": "UTC"}
    });
    let event = GraphEvent::parse(&exception).expect("parses");
    assert_eq!(event.event_type, Some(EventType::Exception));
    assert_eq!(event.series_master_id.as_deref(), Some("AAMk1"));
    assert_eq!(
        event.original_start.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-03-30T07:00:00+00:00")
    );
    assert_eq!(event.business_id.as_deref(), Some("B-9"));
    assert_eq!(event.is_organizer, Some(false));
    assert_eq!(event.etag.as_deref(), Some("W/\"ck2\""));
    let err = event
        .to_appointment()
        .expect_err("an exception is not an appointment on its own");
    assert!(err.to_string().contains("AAMk10"));
}

#[test]
fn meetings_keep_organizer_and_attendees_on_the_read_side() {
    let raw = json!({
        "id": "AAMk11", "type": "singleInstance", "subject": "Review", "isOrganizer": false,
        "start": {"dateTime": "2026-07-01T07:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-07-01T08:00:00.0000000", "timeZone": "UTC"},
        "organizer": {"emailAddress": {"name": "Max", "address": "max@fabrikam.de"}},
        "attendees": [{"type": "optional", "status": {"response": "tentativelyAccepted"},
                       "emailAddress": {"name": "Eva", "address": "eva@contoso.de"}}]
    });
    let item = GraphEvent::parse(&raw)
        .expect("parses")
        .to_appointment()
        .expect("converts");
    assert!(item.is_foreign_meeting("eva@contoso.de"));
    assert_eq!(item.attendees.len(), 1);
    assert_eq!(item.attendees[0].role, exsync_model::AttendeeRole::Optional);
    assert_eq!(
        item.attendees[0].response,
        exsync_model::AttendeeResponse::Tentative
    );
}

#[test]
fn an_organizer_without_an_address_is_no_organizer() {
    let raw = json!({
        "id": "AAMk12", "type": "singleInstance", "subject": "Imported", "isOrganizer": false,
        "start": {"dateTime": "2026-07-01T07:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-07-01T08:00:00.0000000", "timeZone": "UTC"},
        "organizer": {"emailAddress": {"name": "", "address": ""}}
    });
    let item = GraphEvent::parse(&raw)
        .expect("parses")
        .to_appointment()
        .expect("converts");
    assert_eq!(
        item.organizer, None,
        "the business side could not keep it, so every pass would see it differ"
    );
}

#[test]
fn dst_crossing_weekly_series_survive_the_round_trip_at_the_same_wall_clock() {
    for (first, end) in [
        (date(2026, 3, 19), date(2026, 4, 9)),
        (date(2026, 10, 15), date(2026, 11, 5)),
    ] {
        let start = first.and_hms_opt(9, 0, 0).expect("time");
        let mut item = timed("Weekly", start, start + chrono::Duration::hours(1));
        item.series = Some(Series::new(Recurrence {
            pattern: Pattern::Weekly {
                interval: 1,
                days: WeekdaySet::single(Weekday::Thu),
                first_day_of_week: Weekday::Mon,
            },
            range: Range::EndDate { end },
            time_zone: None,
        }));
        let back = round_trip(&item);
        assert_eq!(back, item);
        let series = back.series.as_ref().expect("a series");
        let window_start = ZonedDateTime::new(start, berlin()).to_utc().expect("zone");
        let found = exsync_model::occurrences(
            &back.when,
            series,
            window_start,
            window_start + chrono::Duration::days(30),
        )
        .expect("expands");
        assert_eq!(found.len(), 4);
        for occurrence in found {
            assert_eq!(
                occurrence.original_start.time(),
                start.time(),
                "09:00 on both sides of DST"
            );
        }
    }

    // An IANA-zoned item comes back in Exchange's Windows naming of the same zone.
    let iana = TimeZoneName::new("Europe/Berlin").expect("known");
    let start = ZonedDateTime::new(at(2026, 3, 26, 9, 0), iana.clone());
    let item = Appointment::timed(
        "IANA",
        start.clone(),
        ZonedDateTime::new(at(2026, 3, 26, 10, 0), iana),
    );
    let back = round_trip(&item);
    let When::Timed {
        start: back_start, ..
    } = &back.when
    else {
        panic!("timed")
    };
    assert_eq!(back_start.zone, berlin());
    assert!(back_start.zone.same_zone(&start.zone));
    assert_eq!(back_start.local, start.local);
}
