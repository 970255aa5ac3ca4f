//! Recurring series: a weekly series across the March DST switch with a moved and a cancelled
//! occurrence goes to Outlook intact; occurrences deleted or changed in Outlook come back as
//! cancelled and modified occurrences; a pattern change travels; the whole series is deleted.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, Weekday};
use exsync_business::Origin;
use exsync_model::{
    Appointment, BusinessId, OccurrenceOverride, Pattern, Range, Recurrence, Series, WeekdaySet,
    When,
};
use serde_json::{Value, json};

use crate::appointments::{berlin, meeting};
use crate::common::{World, describe, quiet, total};

fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a local time")
}

/// Weekly on Mondays 09:00-10:00 Europe/Berlin, 8 times from 2027-03-08 (DST starts
/// 2027-03-28): the 15th moved to 11:00, the 22nd cancelled.
fn jour_fixe() -> Appointment {
    let mut item = meeting("Jour fixe", "2027-03-08 09:00", "2027-03-08 10:00");
    let recurrence = Recurrence {
        pattern: Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::single(Weekday::Mon),
            first_day_of_week: Weekday::Mon,
        },
        range: Range::Numbered { count: 8 },
        time_zone: None,
    };
    let mut series = Series::new(recurrence);
    series.modified = BTreeMap::from([(
        local("2027-03-15 09:00"),
        OccurrenceOverride {
            when: Some(When::Timed {
                start: berlin("2027-03-15 11:00"),
                end: berlin("2027-03-15 12:00"),
            }),
            ..OccurrenceOverride::default()
        },
    )]);
    series.cancelled.insert(local("2027-03-22 09:00"));
    item.series = Some(series);
    item
}

async fn instances(world: &World, mailbox: &str, master: &str) -> Vec<Value> {
    let page = world
        .outlook
        .get(&format!(
            "/users/{mailbox}/events/{master}/instances?startDateTime=2027-03-01T00:00:00Z&endDateTime=2027-06-01T00:00:00Z&$top=100"
        ))
        .await;
    page["value"].as_array().cloned().unwrap_or_default()
}

/// The id of the instance starting (UTC) with `prefix`, e.g. `2027-04-12`.
fn occurrence_at(instances: &[Value], prefix: &str) -> String {
    instances
        .iter()
        .find(|i| {
            i["start"]["dateTime"]
                .as_str()
                .is_some_and(|s| s.starts_with(prefix))
        })
        .and_then(|i| i["id"].as_str())
        .expect("the occurrence")
        .to_owned()
}

fn starts(instances: &[Value]) -> Vec<String> {
    let mut starts: Vec<String> = instances
        .iter()
        .map(|i| i["start"]["dateTime"].as_str().unwrap_or_default()[..16].to_owned())
        .collect();
    starts.sort();
    starts
}

#[tokio::test]
async fn a_series_with_exceptions_crosses_dst_both_ways() {
    let world = World::new().await;
    let id = BusinessId::from("S-1");
    world
        .business
        .upsert_appointment(world.login(0), &id, &jour_fixe(), Origin::Business)
        .await
        .expect("written");
    let first = world.sync().await;
    assert_eq!(
        total(&first, |r| r.exchange.created),
        1,
        "{}",
        describe(&first)
    );
    let mailbox = world.mailbox(0);
    let master = world
        .outlook
        .events_titled(mailbox, "Jour fixe")
        .await
        .remove(0);
    assert_eq!(master["type"], "seriesMaster");
    let master_id = master["id"].as_str().expect("id").to_owned();
    // 09:00 Berlin is 08:00 UTC before 2027-03-28 and 07:00 UTC after; the 15th moved to
    // 11:00 (10:00 UTC); the 22nd is gone.
    assert_eq!(
        starts(&instances(&world, mailbox, &master_id).await),
        [
            "2027-03-08T08:00",
            "2027-03-15T10:00",
            "2027-03-29T07:00",
            "2027-04-05T07:00",
            "2027-04-12T07:00",
            "2027-04-19T07:00",
            "2027-04-26T07:00",
        ]
    );
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));

    // In Outlook: cancel the 5 April occurrence and rename the 12 April one.
    let list = instances(&world, mailbox, &master_id).await;
    world
        .outlook
        .delete(&format!(
            "/users/{mailbox}/events/{}",
            occurrence_at(&list, "2027-04-05")
        ))
        .await;
    world
        .outlook
        .patch(
            &format!(
                "/users/{mailbox}/events/{}",
                occurrence_at(&list, "2027-04-12")
            ),
            json!({"subject": "Jour fixe (with the auditors)"}),
        )
        .await;
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.business.updated),
        1,
        "{}",
        describe(&outcome)
    );
    let stored = world
        .business
        .get_appointment(&id)
        .await
        .expect("read")
        .expect("there");
    let series = stored.item.series.expect("still a series");
    assert!(
        series.cancelled.contains(&local("2027-04-05 09:00")),
        "{series:?}"
    );
    assert!(series.cancelled.contains(&local("2027-03-22 09:00")));
    assert_eq!(
        series.modified[&local("2027-04-12 09:00")]
            .subject
            .as_deref(),
        Some("Jour fixe (with the auditors)")
    );
    assert!(
        series.modified.contains_key(&local("2027-03-15 09:00")),
        "the moved one stays"
    );
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
}

#[tokio::test]
async fn pattern_changes_and_series_deletion_travel() {
    let world = World::new().await;
    let id = BusinessId::from("S-2");
    let mut item = jour_fixe();
    if let Some(series) = item.series.as_mut() {
        series.modified.clear();
        series.cancelled.clear();
    }
    world
        .business
        .upsert_appointment(world.login(1), &id, &item, Origin::Business)
        .await
        .expect("written");
    world.sync().await;
    let mailbox = world.mailbox(1);
    let master_id = world
        .outlook
        .events_titled(mailbox, "Jour fixe")
        .await
        .remove(0)["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Business: Mondays and Thursdays, until the end of March.
    if let Some(series) = item.series.as_mut() {
        series.recurrence.pattern = Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::from(vec![Weekday::Mon, Weekday::Thu]),
            first_day_of_week: Weekday::Mon,
        };
        series.recurrence.range = Range::EndDate {
            end: NaiveDate::from_ymd_opt(2027, 3, 31).expect("date"),
        };
    }
    world
        .business
        .upsert_appointment(world.login(1), &id, &item, Origin::Business)
        .await
        .expect("written");
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.exchange.updated),
        1,
        "{}",
        describe(&outcome)
    );
    assert_eq!(
        starts(&instances(&world, mailbox, &master_id).await),
        [
            "2027-03-08T08:00",
            "2027-03-11T08:00",
            "2027-03-15T08:00",
            "2027-03-18T08:00",
            "2027-03-22T08:00",
            "2027-03-25T08:00",
            "2027-03-29T07:00",
        ]
    );
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));

    // Outlook deletes the whole series.
    world
        .outlook
        .delete(&format!("/users/{mailbox}/events/{master_id}"))
        .await;
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.business.deleted),
        1,
        "{}",
        describe(&outcome)
    );
    assert!(
        world
            .business
            .get_appointment(&id)
            .await
            .expect("read")
            .is_none()
    );
}

#[tokio::test]
async fn incremental_passes_read_only_what_the_delta_names_and_full_passes_find_the_rest() {
    let world = World::new().await;
    let id = BusinessId::from("S-3");
    world
        .business
        .upsert_appointment(world.login(0), &id, &jour_fixe(), Origin::Business)
        .await
        .expect("written");
    let incremental = world.connector.clone().full_pass(false);
    world.sync_with(&incremental).await;
    // The next incremental pass confirms the new series from the delta feed. Graph sends its
    // moved exception bare (no `originalStart`, nothing but its times), which says nothing
    // about what else the exception holds, so the series itself is read back once (master and
    // instances); a series without exceptions needs no read (graph_sync/delta.rs).
    let before = world.connector.client().counts().batched_requests;
    let settled = world.sync_with(&incremental).await;
    assert!(quiet(&settled), "{}", describe(&settled));
    assert_eq!(
        world.connector.client().counts().batched_requests - before,
        2,
        "only the series was fetched in $batch"
    );
    let mailbox = world.mailbox(0);
    let master_id = world
        .outlook
        .events_titled(mailbox, "Jour fixe")
        .await
        .remove(0)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let list = instances(&world, mailbox, &master_id).await;
    // A changed occurrence is in the delta feed: an incremental pass brings it.
    world
        .outlook
        .patch(
            &format!(
                "/users/{mailbox}/events/{}",
                occurrence_at(&list, "2027-04-12")
            ),
            json!({"location": {"displayName": "Auditorium"}}),
        )
        .await;
    let outcome = world.sync_with(&incremental).await;
    assert_eq!(
        total(&outcome, |r| r.business.updated),
        1,
        "{}",
        describe(&outcome)
    );
    // A deleted occurrence: Graph is reported to make no delta entry for it (the emulator
    // reports the occurrence as removed, which makes the incremental pass re-read the series);
    // either way, by the end of the next full pass the business has it, exactly once.
    world
        .outlook
        .delete(&format!(
            "/users/{mailbox}/events/{}",
            occurrence_at(&list, "2027-04-19")
        ))
        .await;
    let maybe = world.sync_with(&incremental).await;
    let full = world.sync().await;
    assert_eq!(
        total(&maybe, |r| r.business.updated) + total(&full, |r| r.business.updated),
        1,
        "{}\n{}",
        describe(&maybe),
        describe(&full)
    );
    let series = world
        .business
        .get_appointment(&id)
        .await
        .expect("read")
        .expect("there")
        .item
        .series
        .expect("a series");
    assert!(
        series.cancelled.contains(&local("2027-04-19 09:00")),
        "{series:?}"
    );
    assert_eq!(
        series.modified[&local("2027-04-12 09:00")]
            .location
            .as_deref(),
        Some("Auditorium")
    );
}

#[tokio::test]
async fn an_exception_removed_in_the_business_application_is_reset_in_outlook() {
    let world = World::new().await;
    let id = BusinessId::from("S-4");
    let mut item = jour_fixe();
    world
        .business
        .upsert_appointment(world.login(2), &id, &item, Origin::Business)
        .await
        .expect("written");
    world.sync().await;
    // The business application moves the 15 March occurrence back. (Restoring a cancelled
    // occurrence cannot be expressed through Graph: an occurrence once deleted stays deleted.)
    if let Some(series) = item.series.as_mut() {
        series.modified.clear();
    }
    world
        .business
        .upsert_appointment(world.login(2), &id, &item, Origin::Business)
        .await
        .expect("written");
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.exchange.updated),
        1,
        "{}",
        describe(&outcome)
    );
    let mailbox = world.mailbox(2);
    let master_id = world
        .outlook
        .events_titled(mailbox, "Jour fixe")
        .await
        .remove(0)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let starts = starts(&instances(&world, mailbox, &master_id).await);
    assert!(
        starts.contains(&"2027-03-15T08:00".to_owned()),
        "{starts:?}"
    );
    assert!(
        !starts.contains(&"2027-03-15T10:00".to_owned()),
        "{starts:?}"
    );
    let settled = world.sync().await;
    assert!(
        quiet(&settled),
        "the business version stays:\n{}",
        describe(&settled)
    );
    let stored = world
        .business
        .get_appointment(&id)
        .await
        .expect("read")
        .expect("there")
        .item;
    assert_eq!(stored, item);
}
