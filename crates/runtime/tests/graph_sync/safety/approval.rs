//! Held mass deletions are carried out once approved, and an approval covers only the pass
//! after it.

use chrono::Utc;
use exsync_business::Origin;
use exsync_engine::MassDeleteGuard;
use exsync_model::{BusinessId, ItemKind};
use exsync_runtime::{approval_cursor_name, approve_deletions};

use super::{events_titled, held, world_on, world_with};
use crate::common::{Backend, World, describe, quiet, total};

const FOUR: [&str; 4] = ["Held 1", "Held 2", "Held 3", "Held 4"];

async fn delete_three(world: &World) {
    for id in ["S-0", "S-1", "S-2"] {
        world
            .business
            .delete_appointment(&BusinessId::from(id), Origin::Business)
            .await
            .expect("deleted");
    }
}

#[tokio::test]
async fn an_approval_releases_held_deletions_once() {
    approval_releases_held_deletions_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_approval_releases_held_deletions_once_on_postgres() {
    approval_releases_held_deletions_once(Backend::Postgres).await;
}

async fn approval_releases_held_deletions_once(backend: Backend) {
    let Some(mut world) = world_on(backend, &FOUR).await else {
        return;
    };
    world.rules.guard = MassDeleteGuard::new(30, 2).expect("guard");
    world.sync().await;
    delete_three(&world).await;

    let first = world.sync().await;
    let message = held(&first).expect("3 of 4 deletions are held");
    assert!(
        message.ends_with("if the deletions are meant, release them with `exsync approve user0`"),
        "{message}"
    );
    assert_eq!(total(&first, |r| r.exchange.deleted), 0);
    let again = world.sync().await;
    assert!(held(&again).is_some(), "still held without an approval");
    assert_eq!(events_titled(&world, "Held 1").await, 1);

    approve_deletions(
        &world.state,
        world.mailbox(0),
        &[ItemKind::Appointment],
        Utc::now(),
    )
    .await
    .expect("approved");
    let approved = world.sync().await;
    assert_eq!(
        total(&approved, |r| r.exchange.deleted),
        3,
        "{}",
        describe(&approved)
    );
    assert!(held(&approved).is_none());
    assert_eq!(events_titled(&world, "Held 1").await, 0);
    assert_eq!(events_titled(&world, "Held 4").await, 1);
    let marker = world
        .state
        .cursor(
            world.mailbox(0),
            &approval_cursor_name(ItemKind::Appointment),
        )
        .await
        .expect("read");
    assert!(marker.is_none(), "the approval is used up");
    assert!(quiet(&world.sync().await));
    world.finish().await;
}

#[tokio::test]
async fn an_old_approval_does_not_allow_a_later_mass_deletion() {
    let mut world = world_with(&FOUR).await;
    world.rules.guard = MassDeleteGuard::new(30, 2).expect("guard");
    world.sync().await;
    approve_deletions(
        &world.state,
        world.mailbox(0),
        &[ItemKind::Appointment],
        Utc::now(),
    )
    .await
    .expect("approved");
    let nothing_held = world.sync().await;
    assert!(held(&nothing_held).is_none());

    delete_three(&world).await;
    let later = world.sync().await;
    assert!(
        held(&later).is_some(),
        "the approval was consumed by the pass after it: {}",
        describe(&later)
    );
    assert_eq!(total(&later, |r| r.exchange.deleted), 0);
    assert_eq!(events_titled(&world, "Held 1").await, 1);
}
