//! The calendar delta feed as Exchange Online sends it (the emulator's default): bare
//! occurrences completed from their series, series masters that make no duplicate, expired
//! delta links that start over and delete nothing, all-day exceptions keyed by the date of the
//! series' zone.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use exsync_business::Origin;
use exsync_model::{Appointment, BusinessId, Pattern, Range, Recurrence, Series, WeekdaySet};
use serde_json::{Value, json};

use crate::appointments::meeting;
use crate::common::{World, describe, quiet, total};

/// Weekly on Tuesdays 14:00-15:00 Europe/Berlin, 4 times from 2027-04-06, no exceptions.
fn plain_series(subject: &str) -> Appointment {
    let mut item = meeting(subject, "2027-04-06 14:00", "2027-04-06 15:00");
    item.series = Some(Series::new(Recurrence {
        pattern: Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::single(Weekday::Tue),
            first_day_of_week: Weekday::Mon,
        },
        range: Range::Numbered { count: 4 },
        time_zone: None,
    }));
    item
}

async fn business_appointments(world: &World) -> Vec<(BusinessId, Appointment)> {
    world
        .business
        .list_appointments(world.login(0), None)
        .await
        .expect("listing")
        .into_iter()
        .map(|row| row.expect("a clean row"))
        .collect()
}

/// Follows one delta round from `link` (absolute) to its delta link, as any client would.
async fn follow_round(world: &World, link: &str) -> (Vec<Value>, String) {
    let base = world.emu.graph_url();
    let mut path = link.strip_prefix(&base).expect("own link").to_owned();
    let mut items = Vec::new();
    loop {
        let page = world.outlook.get(&path).await;
        items.extend(page["value"].as_array().cloned().unwrap_or_default());
        if let Some(next) = page["@odata.nextLink"].as_str() {
            path = next.strip_prefix(&base).expect("own link").to_owned();
        } else {
            let delta = page["@odata.deltaLink"].as_str().expect("delta link");
            return (items, delta.to_owned());
        }
    }
}

#[tokio::test]
async fn a_series_is_confirmed_from_bare_occurrences_completed_from_its_master() {
    let world = World::new().await;
    let incremental = world.connector.clone().full_pass(false);
    for (id, subject) in [("D-1", "Quiet series"), ("D-2", "Raced series")] {
        world
            .business
            .upsert_appointment(
                world.login(0),
                &BusinessId::from(id),
                &plain_series(subject),
                Origin::Business,
            )
            .await
            .expect("written");
    }
    world.sync_with(&incremental).await;
    let mailbox = world.mailbox(0);
    // Outlook renames one series before exsync's next pass: its bare occurrences look the
    // same as exsync wrote them, only the master the round sends says otherwise.
    let raced = world.outlook.events_titled(mailbox, "Raced series").await;
    let raced_id = raced[0]["id"].as_str().expect("id");
    world
        .outlook
        .patch(
            &format!("/users/{mailbox}/events/{raced_id}"),
            json!({"subject": "Raced series, renamed"}),
        )
        .await;
    let before = world.connector.client().counts().batched_requests;
    let outcome = world.sync_with(&incremental).await;
    assert_eq!(
        total(&outcome, |r| r.business.updated),
        1,
        "{}",
        describe(&outcome)
    );
    // Only the renamed series was read (master and instances); the other was confirmed from
    // the delta round alone.
    assert_eq!(
        world.connector.client().counts().batched_requests - before,
        2,
        "{}",
        describe(&outcome)
    );
    let subjects: Vec<String> = business_appointments(&world)
        .await
        .into_iter()
        .map(|(_, a)| a.subject)
        .collect();
    assert!(
        subjects.contains(&"Raced series, renamed".to_owned()),
        "{subjects:?}"
    );
    assert!(quiet(&world.sync_with(&incremental).await));
    world.finish().await;
}

#[tokio::test]
async fn a_series_master_in_the_delta_feed_makes_no_duplicate() {
    let world = World::new().await;
    let mailbox = world.mailbox(0);
    world
        .outlook
        .post(
            &format!("/users/{mailbox}/events"),
            json!({
                "subject": "Standup",
                "start": {"dateTime": "2027-04-05T09:00:00", "timeZone": "W. Europe Standard Time"},
                "end": {"dateTime": "2027-04-05T09:15:00", "timeZone": "W. Europe Standard Time"},
                "recurrence": {
                    "pattern": {"type": "daily", "interval": 1},
                    "range": {"type": "numbered", "startDate": "2027-04-05", "numberOfOccurrences": 5}
                }
            }),
        )
        .await;
    // The premise: the feed exsync reads names the master itself.
    let start = format!(
        "{}/users/{mailbox}/calendarView/delta?startDateTime=2027-04-01T00:00:00Z&endDateTime=2027-05-01T00:00:00Z",
        world.emu.graph_url()
    );
    let (items, _) = follow_round(&world, &start).await;
    assert!(
        items.iter().any(|i| i["type"] == "seriesMaster"),
        "{items:#?}"
    );

    world.sync().await;
    world.sync().await;
    let standups: Vec<Appointment> = business_appointments(&world)
        .await
        .into_iter()
        .map(|(_, a)| a)
        .filter(|a| a.subject == "Standup")
        .collect();
    assert_eq!(standups.len(), 1, "{standups:#?}");
    assert!(
        standups[0].series.is_some(),
        "the series, not a single item"
    );
    assert_eq!(
        world.outlook.events_titled(mailbox, "Standup").await.len(),
        1
    );
    world.finish().await;
}

#[tokio::test]
async fn an_expired_delta_link_starts_over_and_deletes_nothing() {
    let world = World::new().await;
    for (id, start, end) in [
        ("E-1", "2027-04-06 10:00", "2027-04-06 11:00"),
        ("E-2", "2027-04-07 10:00", "2027-04-07 11:00"),
    ] {
        world
            .business
            .upsert_appointment(
                world.login(0),
                &BusinessId::from(id),
                &meeting(id, start, end),
                Origin::Business,
            )
            .await
            .expect("written");
    }
    world
        .business
        .upsert_appointment(
            world.login(0),
            &BusinessId::from("E-3"),
            &plain_series("E-3"),
            Origin::Business,
        )
        .await
        .expect("written");
    world.sync().await;
    assert!(quiet(&world.sync().await));
    let mailbox = world.mailbox(0);
    let cursor = world
        .state
        .cursor(mailbox, "graph.calendar_view.delta")
        .await
        .expect("read")
        .expect("a cursor");
    let stored: Value = serde_json::from_str(&cursor.value).expect("json");
    let stored = stored["delta_link"].as_str().expect("link").to_owned();
    // Another client of the same sync state moves it on three generations: Graph keeps only
    // the newest three, so exsync's stored link is gone.
    let mut link = stored.clone();
    for _ in 0..3 {
        link = follow_round(&world, &link).await.1;
    }
    let relative = stored.strip_prefix(&world.emu.graph_url()).expect("own");
    assert_eq!(world.outlook.status(relative).await, 410);
    world
        .outlook
        .create_event(
            mailbox,
            "Meanwhile",
            "2027-04-08T09:00:00",
            "2027-04-08T10:00:00",
        )
        .await;

    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.business.deleted),
        0,
        "{}",
        describe(&outcome)
    );
    assert_eq!(
        total(&outcome, |r| r.exchange.deleted),
        0,
        "{}",
        describe(&outcome)
    );
    assert_eq!(
        total(&outcome, |r| r.business.created),
        1,
        "{}",
        describe(&outcome)
    );
    let subjects: Vec<String> = business_appointments(&world)
        .await
        .into_iter()
        .map(|(_, a)| a.subject)
        .collect();
    for expected in ["E-1", "E-2", "E-3", "Meanwhile"] {
        assert!(subjects.contains(&expected.to_owned()), "{subjects:?}");
    }
    assert_eq!(world.outlook.events(mailbox).await.len(), 4);
    world.finish().await;
}

fn day(text: &str) -> NaiveDateTime {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .expect("a date")
        .and_time(NaiveTime::MIN)
}

#[tokio::test]
async fn an_all_day_exception_attaches_to_its_occurrence_in_berlin_new_york_and_auckland() {
    let world = World::new().await;
    let mailbox = world.mailbox(0);
    let zones = [
        ("Berlin", "W. Europe Standard Time"),
        ("New York", "Eastern Standard Time"),
        ("Auckland", "New Zealand Standard Time"),
    ];
    for (city, zone) in zones {
        let master = world
            .outlook
            .post(
                &format!("/users/{mailbox}/events"),
                json!({
                    "subject": format!("Fair {city}"), "isAllDay": true,
                    "start": {"dateTime": "2027-03-10T00:00:00", "timeZone": zone},
                    "end": {"dateTime": "2027-03-11T00:00:00", "timeZone": zone},
                    "recurrence": {
                        "pattern": {"type": "daily", "interval": 1},
                        "range": {"type": "numbered", "startDate": "2027-03-10",
                                  "numberOfOccurrences": 3}
                    }
                }),
            )
            .await;
        let id = master["id"].as_str().expect("id");
        let instances = world
            .outlook
            .get(&format!(
                "/users/{mailbox}/events/{id}/instances?startDateTime=2027-03-01T00:00:00Z&endDateTime=2027-04-01T00:00:00Z"
            ))
            .await;
        let on = |date: &str| -> String {
            instances["value"]
                .as_array()
                .expect("instances")
                .iter()
                .find(|i| {
                    i["start"]["dateTime"]
                        .as_str()
                        .is_some_and(|s| s.starts_with(date))
                })
                .and_then(|i| i["id"].as_str())
                .expect("an instance on that date")
                .to_owned()
        };
        let (special, dropped) = (on("2027-03-11"), on("2027-03-12"));
        world
            .outlook
            .patch(
                &format!("/users/{mailbox}/events/{special}"),
                json!({"subject": format!("Fair {city}, day two")}),
            )
            .await;
        world
            .outlook
            .delete(&format!("/users/{mailbox}/events/{dropped}"))
            .await;
    }
    world.sync().await;
    let appointments = business_appointments(&world).await;
    for (city, _) in zones {
        let subject = format!("Fair {city}");
        let (_, fair) = appointments
            .iter()
            .find(|(_, a)| a.subject == subject)
            .expect("the series arrived");
        let series = fair.series.as_ref().expect("a series");
        let modified: Vec<&NaiveDateTime> = series.modified.keys().collect();
        assert_eq!(modified, [&day("2027-03-11")], "{city}: {series:#?}");
        let change = &series.modified[&day("2027-03-11")];
        assert_eq!(
            change.subject.as_deref(),
            Some(format!("{subject}, day two").as_str())
        );
        assert!(change.when.is_none(), "{city}: not moved: {change:?}");
        let cancelled: Vec<&NaiveDateTime> = series.cancelled.iter().collect();
        assert_eq!(cancelled, [&day("2027-03-12")], "{city}");
    }
    world.finish().await;
}
