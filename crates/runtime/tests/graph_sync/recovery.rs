//! Recovery: a lost state store (the same as a crash after the remote writes and before the
//! commit), an expired delta link, dropped connections and a throttling storm, and an expired
//! client secret — none of them may duplicate, lose or delete anything.

use exsync_business::Origin;
use exsync_model::{BusinessId, ItemKind, Task};
use exsync_store::StateStore;

use crate::appointments::meeting;
use crate::common::{World, describe, quiet, total};

async fn seed_both_sides(world: &World) {
    for (i, subject) in ["Quarterly planning", "Supplier call", "Team lunch"]
        .iter()
        .enumerate()
    {
        world
            .business
            .upsert_appointment(
                world.login(0),
                &BusinessId::from(format!("R-{i}")),
                &meeting(subject, "2027-01-18 10:00", "2027-01-18 11:00"),
                Origin::Business,
            )
            .await
            .expect("written");
    }
    world
        .business
        .upsert_task(
            world.login(0),
            &BusinessId::from("T-R"),
            &Task::new("Send the offer"),
            Origin::Business,
        )
        .await
        .expect("written");
    world
        .outlook
        .create_event(
            world.mailbox(0),
            "Made in Outlook",
            "2027-01-19T15:00:00",
            "2027-01-19T16:00:00",
        )
        .await;
}

async fn counts(world: &World) -> (usize, usize) {
    let events = world.outlook.events(world.mailbox(0)).await.len();
    let business = world
        .business
        .list_appointments(world.login(0), None)
        .await
        .expect("listing")
        .len();
    (events, business)
}

#[tokio::test]
async fn a_lost_state_store_relinks_everything_without_duplicates() {
    let mut world = World::new().await;
    seed_both_sides(&world).await;
    world.sync().await;
    let before = counts(&world).await;
    assert_eq!(before, (4, 4));
    let links_before = world
        .state
        .links(world.mailbox(0), ItemKind::Appointment)
        .await
        .expect("links")
        .len();

    // The state store is gone (or a crash came after the writes and before the commit).
    world.state = StateStore::connect(&format!(
        "sqlite://{}",
        world.dir().join("state-2.db").display()
    ))
    .await
    .expect("a new state store");
    let relinked = world.sync().await;
    assert_eq!(
        total(&relinked, |r| r.exchange.created + r.business.created),
        0,
        "{}",
        describe(&relinked)
    );
    assert_eq!(
        total(&relinked, |r| r.exchange.deleted + r.business.deleted),
        0,
        "{}",
        describe(&relinked)
    );
    assert_eq!(
        total(&relinked, |r| r.linked),
        5,
        "4 appointments and the task:\n{}",
        describe(&relinked)
    );
    assert_eq!(counts(&world).await, before);
    let links_after = world
        .state
        .links(world.mailbox(0), ItemKind::Appointment)
        .await
        .expect("links")
        .len();
    assert_eq!(links_after, links_before);
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
}

#[tokio::test]
async fn an_expired_delta_link_reinitialises_without_deleting() {
    let world = World::new().await;
    seed_both_sides(&world).await;
    world.sync().await;
    world.emu.expire_delta_tokens();
    world
        .outlook
        .create_event(
            world.mailbox(0),
            "After the expiry",
            "2027-01-21T10:00:00",
            "2027-01-21T11:00:00",
        )
        .await;
    let outcome = world.sync().await;
    assert!(
        outcome
            .reports
            .iter()
            .any(|r| r.initial && r.kind == ItemKind::Appointment)
    );
    assert_eq!(
        total(&outcome, |r| r.business.created),
        1,
        "{}",
        describe(&outcome)
    );
    assert_eq!(
        total(&outcome, |r| r.exchange.created
            + r.exchange.deleted
            + r.business.deleted),
        0,
        "{}",
        describe(&outcome)
    );
    assert_eq!(counts(&world).await, (5, 5));
}

#[tokio::test]
async fn dropped_connections_and_throttling_are_retried() {
    let world = World::new().await;
    seed_both_sides(&world).await;
    world.emu.drop_connections(2);
    assert!(world.emu.throttle_now(world.mailbox(0), 3));
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.exchange.created),
        4,
        "{}",
        describe(&outcome)
    );
    assert!(
        world.connector.client().counts().throttled > 0,
        "the storm was met"
    );
    assert_eq!(counts(&world).await, (4, 4));
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
}

#[tokio::test]
async fn an_expired_secret_is_reported_with_the_fix_and_without_the_secret() {
    let world = World::new().await;
    seed_both_sides(&world).await;
    assert!(world.emu.expire_client_secrets(&world.emu.client_id()));
    let outcome = world.sync_allowing_failures().await;
    assert!(outcome.failed());
    let failures: Vec<&str> = outcome
        .reports
        .iter()
        .filter_map(|r| r.failure.as_deref())
        .collect();
    assert_eq!(
        failures.len(),
        3,
        "each mailbox says so once:\n{}",
        describe(&outcome)
    );
    for failure in &failures {
        assert!(failure.contains("Certificates & secrets"), "{failure}");
        assert!(
            !failure.contains(&world.emu.client_secret()),
            "no secret in {failure}"
        );
    }
    assert_eq!(
        counts(&world).await,
        (1, 3),
        "nothing was written or deleted"
    );
}

#[tokio::test]
async fn a_mailbox_another_process_is_syncing_is_left_alone_and_reported() {
    let world = World::new().await;
    seed_both_sides(&world).await;
    let resource = format!("mailbox:{}", world.mailbox(0));
    let other = "exsync-other-host-4711";
    assert!(
        world
            .state
            .try_acquire_lease(
                &resource,
                other,
                std::time::Duration::from_secs(600),
                world.now
            )
            .await
            .expect("lease")
    );
    let outcome = world.sync_allowing_failures().await;
    let mine: Vec<_> = outcome
        .reports
        .iter()
        .filter(|r| r.mailbox == world.mailbox(0))
        .collect();
    assert_eq!(mine.len(), 1, "{}", describe(&outcome));
    assert!(
        mine[0]
            .failure
            .as_deref()
            .is_some_and(|f| f.contains("another exsync process")),
        "{}",
        describe(&outcome)
    );
    assert_eq!(
        counts(&world).await,
        (1, 3),
        "nothing was written in that mailbox"
    );
    assert!(
        outcome
            .reports
            .iter()
            .any(|r| r.mailbox == world.mailbox(1) && r.failure.is_none()),
        "the other mailboxes were synced"
    );
    // Once the other process lets go, the mailbox is synced.
    assert!(
        world
            .state
            .release_lease(&resource, other)
            .await
            .expect("released")
    );
    world.sync().await;
    assert_eq!(counts(&world).await, (4, 4));
}
