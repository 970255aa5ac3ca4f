//! Calendar files as Outlook, Google Calendar, Thunderbird and Lotus Notes export them go into
//! the integration tables and come out again with every series, exception and time zone intact.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use exsync_business::{export_ics, import_ics_bytes};
use exsync_ical::{ParseOptions, parse_calendar};
use exsync_model::{Appointment, Task, occurrences};

use crate::fixtures::add_user;
use crate::harness::TestDb;
use crate::on_both;

on_both!(exported_files_from_other_calendars_round_trip_through_the_database);

const FILES: [&str; 4] = [
    "outlook.ics",
    "google.ics",
    "thunderbird.ics",
    "lotus-notes.ics",
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../ical/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn by_uid(text: &str) -> (BTreeMap<String, Appointment>, BTreeMap<String, Task>) {
    let parsed = parse_calendar(text).expect("an iCalendar file");
    let events = parsed
        .events
        .into_iter()
        .map(|e| (e.uid, e.appointment))
        .collect();
    let tasks = parsed.tasks.into_iter().map(|t| (t.uid, t.task)).collect();
    (events, tasks)
}

async fn exported_files_from_other_calendars_round_trip_through_the_database(t: TestDb) {
    let db = t.ready().await;
    let mut expected_events = BTreeMap::new();
    let mut expected_tasks = BTreeMap::new();
    let mut rejected = Vec::new();
    for (n, file) in FILES.iter().enumerate() {
        let login = format!("user{n}");
        add_user(db, &login).await;
        let bytes = fixture(file);
        let report = import_ics_bytes(db, &login, &bytes, &ParseOptions::default())
            .await
            .expect("imports");
        rejected.extend(report.rejected.iter().map(|r| r.uid.clone()));
        let parsed = exsync_ical::parse_calendar_bytes(&bytes, &ParseOptions::default())
            .expect("an iCalendar file");
        assert_eq!(
            report.imported,
            parsed.events.len() + parsed.tasks.len(),
            "{file}"
        );
        for event in parsed.events {
            expected_events.insert(event.uid, (login.clone(), event.appointment));
        }
        for task in parsed.tasks {
            expected_tasks.insert(task.uid, task.task);
        }
    }
    // The unrepresentable items of the fixtures are refused by UID, nothing else.
    assert!(
        rejected.iter().any(|uid| uid.starts_with("1mo3mo")),
        "{rejected:?}"
    );
    assert!(
        rejected
            .iter()
            .all(|uid| !expected_events.contains_key(uid))
    );
    assert!(expected_events.values().any(|(_, a)| {
        a.series
            .as_ref()
            .is_some_and(|s| !s.modified.is_empty() && !s.cancelled.is_empty())
    }));

    let window = (
        Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0)
            .single()
            .expect("date"),
        Utc.with_ymd_and_hms(2032, 1, 1, 0, 0, 0)
            .single()
            .expect("date"),
    );
    for (n, _) in FILES.iter().enumerate() {
        let login = format!("user{n}");
        let export = export_ics(db, &login, None, None).await.expect("exports");
        assert!(export.skipped.is_empty(), "{:?}", export.skipped);
        let (events, tasks) = by_uid(&export.text);
        for (uid, appointment) in &events {
            let (owner, expected) = &expected_events[uid];
            assert_eq!(owner, &login);
            assert_eq!(
                appointment, expected,
                "{uid} changed on its way through the database"
            );
            if let Some(series) = &appointment.series {
                let before = occurrences(&expected.when, series, window.0, window.1);
                let after = occurrences(&appointment.when, series, window.0, window.1);
                assert_eq!(before.expect("expands"), after.expect("expands"), "{uid}");
            }
        }
        for (uid, task) in &tasks {
            assert_eq!(
                task, &expected_tasks[uid],
                "{uid} changed on its way through the database"
            );
        }
        let owned = expected_events
            .values()
            .filter(|(o, _)| o == &login)
            .count();
        assert_eq!(events.len(), owned, "every event of {login} exported");
    }
}
