//! Every recurrence pattern type in both directions, each with a moved, a changed and a
//! cancelled occurrence, over the three kinds of range (numbered, end date, no end): what the
//! business application holds arrives in Outlook as the right instances and the next pass is
//! quiet; the same series made in Outlook (POST with a recurrence, PATCH one instance, DELETE
//! one) arrive in the business database with the right `modified` and `cancelled` keys
//! (wall-clock times in the series' zone) — those inside the sync window: the connector reads
//! occurrences over the window only, so Outlook's changes to occurrences beyond it stay in
//! Outlook (the yearly cases show it).
//!
//! Day 31 of a month: Exchange puts the occurrence on the last day of a shorter month
//! (EWS `AbsoluteMonthlyRecurrence/DayOfMonth`: "If for a particular month this value is
//! larger than the number of days in the month, the last day of the month is assumed",
//! learn.microsoft.com). No Graph page found says it for `recurrencePattern.dayOfMonth`; Graph
//! serves the same store, so the same rule is assumed for Graph (not verified on a tenant).

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime, Weekday};
use exsync_business::Origin;
use exsync_model::{
    Appointment, BusinessId, OccurrenceOverride, Pattern, Range, Recurrence, Series, WeekIndex,
    WeekdaySet, When,
};
use serde_json::{Value, json};

use crate::appointments::{berlin, meeting};
use crate::common::{Backend, World, describe, quiet, total};

/// One series: 12:00-13:00 Europe/Berlin from `first`, with its overrides and what Outlook
/// shows (UTC starts of the instances between `from` and `to`).
struct Case {
    subject: &'static str,
    first: &'static str,
    pattern: Pattern,
    range: Range,
    /// The Graph `recurrence` of the same series.
    graph: Value,
    /// Occurrence (local start) moved to the new local start.
    moved: (&'static str, &'static str),
    /// Occurrence (local start) renamed.
    changed: &'static str,
    /// Occurrence (local start) cancelled.
    cancelled: &'static str,
    /// Instances queried in [from, to) (UTC dates).
    from: &'static str,
    to: &'static str,
    /// Expected instance starts in UTC, `YYYY-MM-DDTHH:MM`.
    instances: &'static [&'static str],
}

fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a local time")
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

fn range_json(kind: &str, start: &str, extra: Value) -> Value {
    let mut range = json!({
        "type": kind,
        "startDate": start,
        "recurrenceTimeZone": "W. Europe Standard Time",
    });
    if let (Some(range), Some(extra)) = (range.as_object_mut(), extra.as_object()) {
        range.extend(extra.clone());
    }
    range
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            subject: "Every other day",
            first: "2027-01-04",
            pattern: Pattern::Daily { interval: 2 },
            range: Range::Numbered { count: 6 },
            graph: json!({
                "pattern": {"type": "daily", "interval": 2},
                "range": range_json("numbered", "2027-01-04", json!({"numberOfOccurrences": 6})),
            }),
            moved: ("2027-01-06 12:00", "2027-01-06 15:00"),
            changed: "2027-01-08 12:00",
            cancelled: "2027-01-10 12:00",
            from: "2027-01-01",
            to: "2027-02-01",
            instances: &[
                "2027-01-04T11:00",
                "2027-01-06T14:00",
                "2027-01-08T11:00",
                "2027-01-12T11:00",
                "2027-01-14T11:00",
            ],
        },
        Case {
            subject: "Tuesdays and Thursdays",
            first: "2027-01-19",
            pattern: Pattern::Weekly {
                interval: 1,
                days: WeekdaySet::from(vec![Weekday::Tue, Weekday::Thu]),
                first_day_of_week: Weekday::Mon,
            },
            range: Range::EndDate {
                end: date("2027-02-04"),
            },
            graph: json!({
                "pattern": {
                    "type": "weekly", "interval": 1,
                    "daysOfWeek": ["tuesday", "thursday"], "firstDayOfWeek": "monday",
                },
                "range": range_json("endDate", "2027-01-19", json!({"endDate": "2027-02-04"})),
            }),
            moved: ("2027-01-21 12:00", "2027-01-22 12:00"),
            changed: "2027-01-26 12:00",
            cancelled: "2027-01-28 12:00",
            from: "2027-01-01",
            to: "2027-03-01",
            instances: &[
                "2027-01-19T11:00",
                "2027-01-22T11:00",
                "2027-01-26T11:00",
                "2027-02-02T11:00",
                "2027-02-04T11:00",
            ],
        },
        Case {
            // February and April have no 31st: the last day (the 28th, the 30th) instead.
            subject: "Month-end closing",
            first: "2027-01-31",
            pattern: Pattern::AbsoluteMonthly {
                interval: 1,
                day_of_month: 31,
            },
            range: Range::Numbered { count: 5 },
            graph: json!({
                "pattern": {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31},
                "range": range_json("numbered", "2027-01-31", json!({"numberOfOccurrences": 5})),
            }),
            moved: ("2027-02-28 12:00", "2027-02-26 12:00"),
            changed: "2027-03-31 12:00",
            cancelled: "2027-04-30 12:00",
            from: "2027-01-01",
            to: "2027-07-01",
            // 12:00 in Berlin is 11:00 UTC until 2027-03-28, 10:00 UTC after.
            instances: &[
                "2027-01-31T11:00",
                "2027-02-26T11:00",
                "2027-03-31T10:00",
                "2027-05-31T10:00",
            ],
        },
        Case {
            subject: "Last Friday",
            first: "2027-01-29",
            pattern: Pattern::RelativeMonthly {
                interval: 1,
                days: WeekdaySet::single(Weekday::Fri),
                index: WeekIndex::Last,
            },
            range: Range::NoEnd,
            graph: json!({
                "pattern": {
                    "type": "relativeMonthly", "interval": 1,
                    "daysOfWeek": ["friday"], "index": "last",
                },
                "range": range_json("noEnd", "2027-01-29", json!({})),
            }),
            moved: ("2027-02-26 12:00", "2027-02-25 12:00"),
            changed: "2027-03-26 12:00",
            cancelled: "2027-04-30 12:00",
            from: "2027-01-01",
            to: "2027-06-01",
            instances: &[
                "2027-01-29T11:00",
                "2027-02-25T11:00",
                "2027-03-26T11:00",
                "2027-05-28T10:00",
            ],
        },
        Case {
            subject: "Anniversary",
            first: "2027-11-15",
            pattern: Pattern::AbsoluteYearly {
                interval: 1,
                month: 11,
                day_of_month: 15,
            },
            range: Range::EndDate {
                end: date("2030-12-31"),
            },
            graph: json!({
                "pattern": {"type": "absoluteYearly", "interval": 1, "month": 11, "dayOfMonth": 15},
                "range": range_json("endDate", "2027-11-15", json!({"endDate": "2030-12-31"})),
            }),
            moved: ("2028-11-15 12:00", "2028-11-16 12:00"),
            changed: "2029-11-15 12:00",
            cancelled: "2030-11-15 12:00",
            from: "2027-01-01",
            to: "2031-06-01",
            instances: &["2027-11-15T11:00", "2028-11-16T11:00", "2029-11-15T11:00"],
        },
        Case {
            subject: "First Monday of September",
            first: "2027-09-06",
            pattern: Pattern::RelativeYearly {
                interval: 1,
                month: 9,
                days: WeekdaySet::single(Weekday::Mon),
                index: WeekIndex::First,
            },
            range: Range::Numbered { count: 4 },
            graph: json!({
                "pattern": {
                    "type": "relativeYearly", "interval": 1, "month": 9,
                    "daysOfWeek": ["monday"], "index": "first",
                },
                "range": range_json("numbered", "2027-09-06", json!({"numberOfOccurrences": 4})),
            }),
            moved: ("2028-09-04 12:00", "2028-09-05 12:00"),
            changed: "2029-09-03 12:00",
            cancelled: "2030-09-02 12:00",
            from: "2027-01-01",
            to: "2031-06-01",
            instances: &["2027-09-06T10:00", "2028-09-05T10:00", "2029-09-03T10:00"],
        },
    ]
}

fn changed_subject(case: &Case) -> String {
    format!("{} (changed)", case.subject)
}

fn plus_hour(text: &str) -> String {
    (local(text) + chrono::Duration::hours(1))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The series as the business application holds it, overrides included.
fn business_series(case: &Case) -> Appointment {
    let start = format!("{} 12:00", case.first);
    let mut item = meeting(case.subject, &start, &plus_hour(&start));
    let mut series = Series::new(Recurrence {
        pattern: case.pattern.clone(),
        range: case.range,
        time_zone: None,
    });
    let (moved, to) = case.moved;
    series.modified.insert(
        local(moved),
        OccurrenceOverride {
            when: Some(When::Timed {
                start: berlin(to),
                end: berlin(&plus_hour(to)),
            }),
            ..OccurrenceOverride::default()
        },
    );
    series.modified.insert(
        local(case.changed),
        OccurrenceOverride {
            subject: Some(changed_subject(case)),
            ..OccurrenceOverride::default()
        },
    );
    series.cancelled.insert(local(case.cancelled));
    item.series = Some(series);
    item
}

async fn instances(world: &World, mailbox: &str, master: &str, case: &Case) -> Vec<Value> {
    let page = world
        .outlook
        .get(&format!(
            "/users/{mailbox}/events/{master}/instances?startDateTime={}T00:00:00Z&endDateTime={}T00:00:00Z&$top=200",
            case.from, case.to
        ))
        .await;
    page["value"].as_array().cloned().unwrap_or_default()
}

fn start_of(instance: &Value) -> String {
    instance["start"]["dateTime"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .take(16)
        .collect()
}

fn today() -> chrono::DateTime<chrono::Utc> {
    "2026-12-04T12:00:00Z".parse().expect("a timestamp")
}

async fn business_series_reach_outlook_on(backend: Backend) {
    let Some(mut world) = World::on(backend).await else {
        return;
    };
    world.now = today();
    let cases = cases();
    for (i, case) in cases.iter().enumerate() {
        world
            .business
            .upsert_appointment(
                world.login(0),
                &BusinessId::from(format!("P-{i}")),
                &business_series(case),
                Origin::Business,
            )
            .await
            .expect("written");
    }
    let first = world.sync().await;
    assert_eq!(
        total(&first, |r| r.exchange.created),
        cases.len(),
        "{}",
        describe(&first)
    );
    let mailbox = world.mailbox(0);
    for case in &cases {
        let masters = world.outlook.events_titled(mailbox, case.subject).await;
        assert_eq!(masters.len(), 1, "{}", case.subject);
        assert_eq!(masters[0]["type"], "seriesMaster", "{}", case.subject);
        let master = masters[0]["id"].as_str().expect("id");
        let listed = instances(&world, mailbox, master, case).await;
        let mut starts: Vec<String> = listed.iter().map(start_of).collect();
        starts.sort();
        assert_eq!(starts, case.instances, "{}", case.subject);
        let renamed: Vec<&Value> = listed
            .iter()
            .filter(|i| i["subject"].as_str() == Some(changed_subject(case).as_str()))
            .collect();
        assert_eq!(renamed.len(), 1, "{}: the changed occurrence", case.subject);
        assert_eq!(renamed[0]["type"], "exception");
    }
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
    world.finish().await;
}

#[tokio::test]
async fn every_pattern_type_reaches_outlook_with_its_exceptions() {
    business_series_reach_outlook_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn every_pattern_type_reaches_outlook_with_its_exceptions_on_postgres() {
    business_series_reach_outlook_on(Backend::Postgres).await;
}

/// The UTC start Outlook shows for the local Berlin time `text` (for finding instances).
fn utc_of(text: &str) -> String {
    berlin(text)
        .to_utc()
        .expect("utc")
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[tokio::test]
async fn every_pattern_type_made_in_outlook_arrives_with_its_keys() {
    let mut world = World::new().await;
    world.now = today();
    let mailbox = world.mailbox(1);
    let cases = cases();
    for case in &cases {
        let start = format!("{}T12:00:00", case.first);
        let end = format!("{}T13:00:00", case.first);
        let master = world
            .outlook
            .post(
                &format!("/users/{mailbox}/events"),
                json!({
                    "subject": case.subject,
                    "start": {"dateTime": start, "timeZone": "W. Europe Standard Time"},
                    "end": {"dateTime": end, "timeZone": "W. Europe Standard Time"},
                    "recurrence": case.graph,
                }),
            )
            .await;
        let master = master["id"].as_str().expect("id").to_owned();
        let listed = instances(&world, mailbox, &master, case).await;
        let find = |local_start: &str| {
            let wanted = utc_of(local_start);
            listed
                .iter()
                .find(|i| start_of(i) == wanted)
                .and_then(|i| i["id"].as_str())
                .unwrap_or_else(|| panic!("{}: no occurrence at {wanted}", case.subject))
                .to_owned()
        };
        let (moved, to) = case.moved;
        let to_start = local(to).format("%Y-%m-%dT%H:%M:%S").to_string();
        let to_end = (local(to) + chrono::Duration::hours(1))
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string();
        world
            .outlook
            .patch(
                &format!("/users/{mailbox}/events/{}", find(moved)),
                json!({
                    "start": {"dateTime": to_start, "timeZone": "W. Europe Standard Time"},
                    "end": {"dateTime": to_end, "timeZone": "W. Europe Standard Time"},
                }),
            )
            .await;
        world
            .outlook
            .patch(
                &format!("/users/{mailbox}/events/{}", find(case.changed)),
                json!({"subject": changed_subject(case)}),
            )
            .await;
        world
            .outlook
            .delete(&format!("/users/{mailbox}/events/{}", find(case.cancelled)))
            .await;
    }
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.business.created),
        cases.len(),
        "{}",
        describe(&outcome)
    );
    let imported = world
        .business
        .list_appointments(world.login(1), None)
        .await
        .expect("listing");
    for case in &cases {
        let item = imported
            .iter()
            .filter_map(|row| row.as_ref().ok())
            .map(|(_, item)| item)
            .find(|item| item.subject == case.subject)
            .unwrap_or_else(|| panic!("{} was imported", case.subject));
        let series = item.series.as_ref().expect("a series");
        assert_eq!(series.recurrence.pattern, case.pattern, "{}", case.subject);
        assert_eq!(series.recurrence.range, case.range, "{}", case.subject);
        // Occurrences are read over the sync window only (to 2028-05-05 for `today`); beyond
        // it the series keeps what the business side had (see `events_collect`).
        let in_window = |key: &NaiveDateTime| *key < local("2028-05-05 00:00");
        let expected_modified: BTreeSet<NaiveDateTime> = [local(case.moved.0), local(case.changed)]
            .into_iter()
            .filter(in_window)
            .collect();
        let modified: BTreeSet<NaiveDateTime> = series.modified.keys().copied().collect();
        assert_eq!(modified, expected_modified, "{}", case.subject);
        if in_window(&local(case.changed)) {
            assert_eq!(
                series.modified[&local(case.changed)].subject.as_deref(),
                Some(changed_subject(case).as_str())
            );
        }
        if in_window(&local(case.moved.0)) {
            let Some(When::Timed { start, .. }) = &series.modified[&local(case.moved.0)].when
            else {
                panic!("{}: the moved occurrence has a time", case.subject);
            };
            assert_eq!(start.local, local(case.moved.1), "{}", case.subject);
        }
        let expected_cancelled: BTreeSet<NaiveDateTime> = [local(case.cancelled)]
            .into_iter()
            .filter(in_window)
            .collect();
        assert_eq!(series.cancelled, expected_cancelled, "{}", case.subject);
    }
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
}
