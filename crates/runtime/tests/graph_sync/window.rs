//! The sync window (6 months back, 17 ahead of the day of `world.now`): an item moved out of
//! it on either side is moved on the other side too, then unlinked; nothing is deleted
//! anywhere, and what happens to it outside the window stays on its side;
//! a later day re-reads Exchange for the new window and deletes nothing; an item beyond the
//! window is not exported.

use chrono::{DateTime, Utc};
use exsync_business::Origin;
use exsync_model::{Appointment, BusinessId, ItemKind};
use serde_json::json;

use crate::appointments::meeting;
use crate::common::{Backend, World, describe, quiet, total};

/// A fixed "today": the window runs from 2026-06-04 to 2028-05-05.
fn today() -> DateTime<Utc> {
    "2026-12-04T12:00:00Z".parse().expect("a timestamp")
}

async fn links(world: &World) -> usize {
    world
        .state
        .links(world.mailbox(0), ItemKind::Appointment)
        .await
        .expect("links")
        .len()
}

async fn business_subjects(world: &World) -> Vec<String> {
    let mut subjects: Vec<String> = world
        .business
        .list_appointments(world.login(0), None)
        .await
        .expect("listing")
        .into_iter()
        .map(|row| row.expect("a clean row").1.subject)
        .collect();
    subjects.sort();
    subjects
}

async fn outlook_subjects(world: &World) -> Vec<String> {
    let mut subjects: Vec<String> = world
        .outlook
        .events(world.mailbox(0))
        .await
        .iter()
        .filter_map(|e| e["subject"].as_str().map(str::to_owned))
        .collect();
    subjects.sort();
    subjects
}

async fn put(world: &World, id: &str, item: &Appointment) {
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

async fn items_leaving_the_window_are_unlinked_not_deleted_on(backend: Backend) {
    let Some(mut world) = World::on(backend).await else {
        return;
    };
    world.now = today();
    put(
        &world,
        "W-1",
        &meeting(
            "Leaves in the business app",
            "2027-03-01 10:00",
            "2027-03-01 11:00",
        ),
    )
    .await;
    put(
        &world,
        "W-2",
        &meeting("Leaves in Outlook", "2027-03-02 10:00", "2027-03-02 11:00"),
    )
    .await;
    world.sync().await;
    assert_eq!(links(&world).await, 2);

    // The business app moves W-1 to 2029, Outlook moves W-2 to 2029: both beyond the window.
    put(
        &world,
        "W-1",
        &meeting(
            "Leaves in the business app",
            "2029-03-01 10:00",
            "2029-03-01 11:00",
        ),
    )
    .await;
    let mailbox = world.mailbox(0);
    let event = world
        .outlook
        .events_titled(mailbox, "Leaves in Outlook")
        .await
        .remove(0);
    let event_id = event["id"].as_str().expect("id").to_owned();
    world
        .outlook
        .patch(
            &format!("/users/{mailbox}/events/{event_id}"),
            json!({
                "start": {"dateTime": "2029-03-02T10:00:00", "timeZone": "W. Europe Standard Time"},
                "end": {"dateTime": "2029-03-02T11:00:00", "timeZone": "W. Europe Standard Time"},
            }),
        )
        .await;
    // The engine's rule (`exsync_engine::window`): an item is in scope while either side holds
    // it in the window, so the move itself travels; the next pass finds it outside on both
    // sides and drops the link. Nothing is deleted at any point.
    let moved = world.sync().await;
    assert_eq!(
        total(&moved, |r| r.exchange.deleted + r.business.deleted),
        0,
        "nothing is deleted:\n{}",
        describe(&moved)
    );
    assert_eq!(
        (
            total(&moved, |r| r.exchange.updated),
            total(&moved, |r| r.business.updated)
        ),
        (1, 1),
        "each move reaches the other side:\n{}",
        describe(&moved)
    );
    let unlinked = world.sync().await;
    assert!(quiet(&unlinked), "{}", describe(&unlinked));
    assert_eq!(links(&world).await, 0, "both links are dropped");
    let both = ["Leaves in Outlook", "Leaves in the business app"];
    assert_eq!(business_subjects(&world).await, both);
    assert_eq!(outlook_subjects(&world).await, both);
    let business_copy = world
        .business
        .get_appointment(&BusinessId::from("W-2"))
        .await
        .expect("read")
        .expect("still there");
    assert_eq!(
        business_copy.item.when,
        meeting("x", "2029-03-02 10:00", "2029-03-02 11:00").when,
        "the business copy took the Outlook move"
    );

    // Unlinked and outside: edits no longer travel, deletions neither.
    put(
        &world,
        "W-1",
        &meeting(
            "Left in the business app",
            "2029-03-01 10:00",
            "2029-03-01 11:00",
        ),
    )
    .await;
    world
        .outlook
        .delete(&format!("/users/{mailbox}/events/{event_id}"))
        .await;
    let outside = world.sync().await;
    assert!(quiet(&outside), "{}", describe(&outside));
    assert_eq!(
        business_subjects(&world).await,
        ["Leaves in Outlook", "Left in the business app"]
    );
    assert_eq!(
        outlook_subjects(&world).await,
        ["Leaves in the business app"]
    );
    world.finish().await;
}

#[tokio::test]
async fn items_leaving_the_window_are_unlinked_not_deleted() {
    items_leaving_the_window_are_unlinked_not_deleted_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn items_leaving_the_window_are_unlinked_not_deleted_on_postgres() {
    items_leaving_the_window_are_unlinked_not_deleted_on(Backend::Postgres).await;
}

#[tokio::test]
async fn a_later_day_moves_the_window_and_deletes_nothing() {
    let mut world = World::new().await;
    world.now = today();
    // Early in the window: it falls out when the window moves 40 days on.
    put(
        &world,
        "D-1",
        &meeting("Summer review", "2026-06-20 10:00", "2026-06-20 11:00"),
    )
    .await;
    put(
        &world,
        "D-2",
        &meeting("Spring fair", "2027-04-20 10:00", "2027-04-20 11:00"),
    )
    .await;
    world
        .outlook
        .create_event(
            world.mailbox(0),
            "Made in Outlook",
            "2027-04-21T10:00:00",
            "2027-04-21T11:00:00",
        )
        .await;
    world.sync().await;
    assert_eq!(links(&world).await, 3);
    let before = (
        business_subjects(&world).await,
        outlook_subjects(&world).await,
    );

    world.now = today() + chrono::Duration::days(40);
    let outcome = world.sync().await;
    assert!(
        outcome
            .reports
            .iter()
            .any(|r| r.initial && r.kind == ItemKind::Appointment),
        "the new window is read from scratch:\n{}",
        describe(&outcome)
    );
    assert!(quiet(&outcome), "{}", describe(&outcome));
    assert_eq!(
        (
            business_subjects(&world).await,
            outlook_subjects(&world).await
        ),
        before,
        "nothing created or deleted"
    );
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
}

#[tokio::test]
async fn an_item_beyond_the_window_is_not_exported() {
    let mut world = World::new().await;
    world.now = today();
    put(
        &world,
        "F-1",
        &meeting("Anniversary 2030", "2030-05-01 10:00", "2030-05-01 11:00"),
    )
    .await;
    put(
        &world,
        "F-2",
        &meeting("Next month", "2027-01-10 10:00", "2027-01-10 11:00"),
    )
    .await;
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.exchange.created),
        1,
        "{}",
        describe(&outcome)
    );
    assert_eq!(outlook_subjects(&world).await, ["Next month"]);
    assert_eq!(
        business_subjects(&world).await,
        ["Anniversary 2030", "Next month"]
    );
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
}
