//! Start mode "changes only": what exists at the first pass stays where it is; what is new or
//! changed afterwards is transferred.

use std::time::{Duration, Instant};

use chrono::{SubsecRound, Utc};
use exsync_config::StartMode;
use exsync_model::ItemKind;
use exsync_runtime::{OnceOptions, OnceOutcome, start_mark_cursor_name, sync_once};

use super::{add, business_titled, events_titled, world_with};
use crate::common::{World, describe, quiet, total};

async fn sync_changes_only(world: &World) -> OnceOutcome {
    let options = OnceOptions {
        start_mode: StartMode::ChangesOnly,
        ..OnceOptions::default()
    };
    let outcome = sync_once(
        &world.business,
        &world.state,
        &world.rules,
        &world.sync,
        &world.connector,
        &options,
        world.now,
    )
    .await
    .expect("the run starts");
    assert!(!outcome.failed(), "{}", describe(&outcome));
    outcome
}

/// Waits until the clock shows a later whole second than now (the start mark has whole
/// seconds: a pass must run in a later second than the items written before it).
async fn next_second() {
    let written = Utc::now().trunc_subsecs(0);
    let start = Instant::now();
    while Utc::now().trunc_subsecs(0) <= written {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the clock stands"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn changes_only_transfers_what_is_new_or_changed_after_the_first_pass() {
    let world = world_with(&["Old business"]).await;
    world
        .outlook
        .create_event(
            world.mailbox(0),
            "Old outlook",
            "2027-01-13T12:00:00",
            "2027-01-13T13:00:00",
        )
        .await;
    // The start mark has whole seconds: the first pass must run in a later second than the
    // items above were written in.
    next_second().await;

    let first = sync_changes_only(&world).await;
    assert_eq!(
        total(&first, |r| r.exchange.created),
        0,
        "{}",
        describe(&first)
    );
    assert_eq!(
        total(&first, |r| r.business.created),
        0,
        "{}",
        describe(&first)
    );
    let mark = world
        .state
        .cursor(
            world.mailbox(0),
            &start_mark_cursor_name(ItemKind::Appointment),
        )
        .await
        .expect("read");
    assert!(mark.is_some(), "the first pass stores the start mark");
    let second = sync_changes_only(&world).await;
    assert!(quiet(&second), "{}", describe(&second));
    assert_eq!(events_titled(&world, "Old business").await, 0);
    assert_eq!(business_titled(&world, "Old outlook").await, 0);

    add(&world, "S-0", "Old business, moved").await;
    add(&world, "N-1", "New business").await;
    world
        .outlook
        .create_event(
            world.mailbox(0),
            "New outlook",
            "2027-01-14T12:00:00",
            "2027-01-14T13:00:00",
        )
        .await;
    let third = sync_changes_only(&world).await;
    assert_eq!(
        total(&third, |r| r.exchange.created),
        2,
        "{}",
        describe(&third)
    );
    assert_eq!(
        total(&third, |r| r.business.created),
        1,
        "{}",
        describe(&third)
    );
    assert_eq!(events_titled(&world, "Old business, moved").await, 1);
    assert_eq!(events_titled(&world, "New business").await, 1);
    assert_eq!(business_titled(&world, "New outlook").await, 1);
    assert_eq!(business_titled(&world, "Old outlook").await, 0);
}

/// A vendor whose SQL leaves `updated_at` behind: the change journal (kept by triggers) still
/// tells that an old record changed after the start mark, so "changes only" transfers it.
#[tokio::test]
async fn changes_only_sees_a_change_the_vendor_did_not_stamp_in_updated_at() {
    let world = world_with(&["Old business"]).await;
    next_second().await;
    let first = sync_changes_only(&world).await;
    assert!(quiet(&first), "{}", describe(&first));
    // A later second than the mark, so the journal entry is newer than it.
    next_second().await;
    let url = format!("sqlite://{}", world.dir().join("business.db").display());
    let pool = sqlx::SqlitePool::connect(&url)
        .await
        .expect("vendor connects");
    sqlx::query(
        "UPDATE exsync_appointments SET subject = 'Old business, renamed', \
         updated_at = '2020-01-01 00:00:00' WHERE id = 'S-0'",
    )
    .execute(&pool)
    .await
    .expect("vendor update");
    pool.close().await;
    let second = sync_changes_only(&world).await;
    assert_eq!(
        total(&second, |r| r.exchange.created),
        1,
        "{}",
        describe(&second)
    );
    assert_eq!(events_titled(&world, "Old business, renamed").await, 1);
}
