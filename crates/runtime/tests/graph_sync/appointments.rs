//! Single appointments in both directions: create, field-wise edits on both sides, deletions,
//! all-day and private items, and a pass that finds nothing to do writes nothing.

use chrono::{NaiveDate, NaiveDateTime};
use exsync_business::Origin;
use exsync_model::{Appointment, BusinessId, Sensitivity, TimeZoneName, When, ZonedDateTime};
use serde_json::json;

use crate::common::{Backend, World, describe, quiet, total};

pub fn berlin(text: &str) -> ZonedDateTime {
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a local time");
    ZonedDateTime::new(local, TimeZoneName::new("Europe/Berlin").expect("zone"))
}

pub fn meeting(subject: &str, start: &str, end: &str) -> Appointment {
    Appointment::timed(subject, berlin(start), berlin(end))
}

async fn business_appointments(world: &World, user: usize) -> Vec<(BusinessId, Appointment)> {
    world
        .business
        .list_appointments(world.login(user), None)
        .await
        .expect("listing")
        .into_iter()
        .map(|row| row.expect("a clean row"))
        .collect()
}

async fn round_trip_on(backend: Backend) {
    let Some(world) = World::on(backend).await else {
        return;
    };
    let id = BusinessId::from("A-1");
    world
        .business
        .upsert_appointment(
            world.login(0),
            &id,
            &meeting("Budget review", "2027-01-12 10:00", "2027-01-12 11:00"),
            Origin::Business,
        )
        .await
        .expect("written");
    let first = world.sync().await;
    assert_eq!(
        total(&first, |r| r.exchange.created),
        1,
        "{}",
        describe(&first)
    );
    let events = world
        .outlook
        .events_titled(world.mailbox(0), "Budget review")
        .await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["start"]["dateTime"].as_str().map(|s| &s[..16]),
        Some("2027-01-12T09:00"),
        "10:00 in Berlin is 09:00 UTC in January"
    );
    assert!(
        world
            .outlook
            .events_titled(world.mailbox(1), "Budget review")
            .await
            .is_empty(),
        "only the owner's mailbox"
    );
    let second = world.sync().await;
    assert!(
        quiet(&second),
        "nothing changed, nothing written:\n{}",
        describe(&second)
    );

    world
        .outlook
        .create_event(
            world.mailbox(1),
            "Dentist",
            "2027-01-14T08:00:00",
            "2027-01-14T09:00:00",
        )
        .await;
    let third = world.sync().await;
    assert_eq!(
        total(&third, |r| r.business.created),
        1,
        "{}",
        describe(&third)
    );
    let imported = business_appointments(&world, 1).await;
    assert_eq!(imported.len(), 1);
    let When::Timed { start, .. } = &imported[0].1.when else {
        panic!("a timed appointment");
    };
    assert_eq!(
        start.to_utc().expect("utc").to_rfc3339(),
        "2027-01-14T07:00:00+00:00"
    );
    let fourth = world.sync().await;
    assert!(quiet(&fourth), "{}", describe(&fourth));
    world.finish().await;
}

#[tokio::test]
async fn appointments_travel_both_ways_and_settle_on_sqlite() {
    round_trip_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn appointments_travel_both_ways_and_settle_on_postgres() {
    round_trip_on(Backend::Postgres).await;
}

#[tokio::test]
async fn concurrent_edits_of_different_fields_both_survive() {
    let world = World::new().await;
    let id = BusinessId::from("A-2");
    let mut item = meeting("Site visit", "2027-01-20 14:00", "2027-01-20 15:30");
    world
        .business
        .upsert_appointment(world.login(0), &id, &item, Origin::Business)
        .await
        .expect("written");
    world.sync().await;
    let event = world
        .outlook
        .events_titled(world.mailbox(0), "Site visit")
        .await
        .remove(0);
    let event_id = event["id"].as_str().expect("id").to_owned();

    item.location = "Plant 2, gate B".into();
    world
        .business
        .upsert_appointment(world.login(0), &id, &item, Origin::Business)
        .await
        .expect("written");
    world
        .outlook
        .patch(
            &format!("/users/{}/events/{event_id}", world.mailbox(0)),
            json!({"subject": "Site visit (with safety shoes)"}),
        )
        .await;
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.exchange.updated),
        1,
        "{}",
        describe(&outcome)
    );
    assert_eq!(
        total(&outcome, |r| r.business.updated),
        1,
        "{}",
        describe(&outcome)
    );

    let event = world
        .outlook
        .get(&format!("/users/{}/events/{event_id}", world.mailbox(0)))
        .await;
    assert_eq!(event["subject"], "Site visit (with safety shoes)");
    assert_eq!(event["location"]["displayName"], "Plant 2, gate B");
    let stored = world
        .business
        .get_appointment(&id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(stored.item.subject, "Site visit (with safety shoes)");
    assert_eq!(stored.item.location, "Plant 2, gate B");
    let again = world.sync().await;
    assert!(quiet(&again), "{}", describe(&again));
}

#[tokio::test]
async fn deletions_travel_both_ways() {
    let world = World::new().await;
    for (id, subject) in [
        ("D-1", "Deleted in the business app"),
        ("D-2", "Deleted in Outlook"),
    ] {
        world
            .business
            .upsert_appointment(
                world.login(2),
                &BusinessId::from(id),
                &meeting(subject, "2027-02-02 09:00", "2027-02-02 10:00"),
                Origin::Business,
            )
            .await
            .expect("written");
    }
    world.sync().await;
    assert!(
        world
            .business
            .delete_appointment(&BusinessId::from("D-1"), Origin::Business)
            .await
            .expect("deleted")
    );
    let in_outlook = world
        .outlook
        .events_titled(world.mailbox(2), "Deleted in Outlook")
        .await
        .remove(0);
    world
        .outlook
        .delete(&format!(
            "/users/{}/events/{}",
            world.mailbox(2),
            in_outlook["id"].as_str().expect("id")
        ))
        .await;

    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.exchange.deleted),
        1,
        "{}",
        describe(&outcome)
    );
    assert_eq!(
        total(&outcome, |r| r.business.deleted),
        1,
        "{}",
        describe(&outcome)
    );
    assert!(
        world
            .outlook
            .events_titled(world.mailbox(2), "Deleted in the business app")
            .await
            .is_empty()
    );
    assert!(
        world
            .business
            .get_appointment(&BusinessId::from("D-2"))
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        world
            .state
            .links(world.mailbox(2), exsync_model::ItemKind::Appointment)
            .await
            .expect("links")
            .is_empty()
    );
}

#[tokio::test]
async fn all_day_multi_day_and_private_items_keep_their_shape() {
    let world = World::new().await;
    let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
    let holiday = Appointment::all_day("Company holiday", day("2027-01-06"), day("2027-01-07"));
    let mut fair = Appointment::all_day("Trade fair", day("2027-03-02"), day("2027-03-05"));
    fair.sensitivity = Sensitivity::Private;
    fair.reminder_minutes = Some(24 * 60);
    let mut overnight = meeting(
        "Night shift handover",
        "2027-01-08 22:00",
        "2027-01-09 06:00",
    );
    overnight.reminder_minutes = None;
    for (id, item) in [("H", &holiday), ("F", &fair), ("N", &overnight)] {
        world
            .business
            .upsert_appointment(
                world.login(0),
                &BusinessId::from(id),
                item,
                Origin::Business,
            )
            .await
            .expect("written");
    }
    world.sync().await;
    let fair_event = world
        .outlook
        .events_titled(world.mailbox(0), "Trade fair")
        .await
        .remove(0);
    assert_eq!(fair_event["isAllDay"], true);
    assert_eq!(fair_event["sensitivity"], "private");
    assert_eq!(fair_event["reminderMinutesBeforeStart"], 1440);
    let night = world
        .outlook
        .events_titled(world.mailbox(0), "Night shift handover")
        .await
        .remove(0);
    assert_eq!(night["isReminderOn"], false);
    let again = world.sync().await;
    assert!(
        quiet(&again),
        "all-day and multi-day items round-trip unchanged:\n{}",
        describe(&again)
    );
    for (id, item) in [("H", &holiday), ("F", &fair), ("N", &overnight)] {
        let stored = world
            .business
            .get_appointment(&BusinessId::from(id))
            .await
            .expect("read")
            .expect("there");
        assert_eq!(
            &stored.item, item,
            "{id} unchanged in the business database"
        );
    }
}
