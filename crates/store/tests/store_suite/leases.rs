//! Scenarios for leases: the life of one lease with explicit clocks, and a race of many
//! would-be holders.
//!
//! Invariant: times are passed explicitly (`fixtures::at`), so expiry is tested without sleeping.

use std::time::Duration;

use chrono::Utc;
use exsync_store::StoreError;

use crate::fixtures::{at, t0};
use crate::harness::TestDb;

const MAILBOX: &str = "mailbox:alice@example.com";
const TTL: Duration = Duration::from_secs(30);

pub async fn lease_acquire_renew_expire_steal_release(db: TestDb) {
    let store = &db.store;
    assert_eq!(store.lease_holder(MAILBOX, t0()).await.expect("read"), None);

    assert!(
        store
            .try_acquire_lease(MAILBOX, "a", TTL, t0())
            .await
            .expect("acquire")
    );
    let lease = store
        .lease_holder(MAILBOX, at(1))
        .await
        .expect("read")
        .expect("held");
    assert_eq!(
        (lease.holder.as_str(), lease.acquired_at, lease.expires_at),
        ("a", t0(), at(30))
    );

    assert!(
        !store
            .try_acquire_lease(MAILBOX, "b", TTL, at(10))
            .await
            .expect("acquire"),
        "b cannot take a running lease"
    );
    assert!(
        store
            .try_acquire_lease(MAILBOX, "a", TTL, at(20))
            .await
            .expect("renew"),
        "a renews its own lease"
    );
    let renewed = store
        .lease_holder(MAILBOX, at(21))
        .await
        .expect("read")
        .expect("held");
    assert_eq!((renewed.acquired_at, renewed.expires_at), (t0(), at(50)));

    assert!(
        !store
            .try_acquire_lease(MAILBOX, "b", TTL, at(49))
            .await
            .expect("acquire")
    );
    assert_eq!(
        store.lease_holder(MAILBOX, at(50)).await.expect("read"),
        None,
        "a lease is over at its expiry instant"
    );
    assert!(
        store
            .try_acquire_lease(MAILBOX, "b", TTL, at(50))
            .await
            .expect("steal"),
        "b takes the expired lease"
    );
    let stolen = store
        .lease_holder(MAILBOX, at(51))
        .await
        .expect("read")
        .expect("held");
    assert_eq!((stolen.holder.as_str(), stolen.acquired_at), ("b", at(50)));

    assert!(
        !store
            .try_acquire_lease(MAILBOX, "a", TTL, at(51))
            .await
            .expect("renew"),
        "a's renewal after losing the lease fails"
    );
    assert!(
        !store.release_lease(MAILBOX, "a").await.expect("release"),
        "not a's to release"
    );
    assert!(store.release_lease(MAILBOX, "b").await.expect("release"));
    assert_eq!(
        store.lease_holder(MAILBOX, at(52)).await.expect("read"),
        None
    );
    assert!(
        store
            .try_acquire_lease(MAILBOX, "a", TTL, at(53))
            .await
            .expect("acquire free")
    );
    assert!(
        store
            .try_acquire_lease("mailbox:bob@example.com", "b", TTL, at(53))
            .await
            .expect("other resource"),
        "leases on other resources are independent"
    );
}

pub async fn lease_arguments_out_of_range_are_refused(db: TestDb) {
    let store = &db.store;
    let zero = store
        .try_acquire_lease(MAILBOX, "a", Duration::ZERO, t0())
        .await;
    assert!(matches!(zero, Err(StoreError::Invalid(_))), "{zero:?}");
    let huge = store
        .try_acquire_lease(MAILBOX, "a", Duration::MAX, t0())
        .await;
    assert!(matches!(huge, Err(StoreError::Invalid(_))), "{huge:?}");
    assert_eq!(store.lease_holder(MAILBOX, t0()).await.expect("read"), None);
}

pub async fn concurrent_acquire_has_exactly_one_winner(db: TestDb) {
    const CONTENDERS: usize = 12;
    for round in 0..4 {
        let resource = format!("race-{round}");
        // Round 0 races for a free lease, the others for one that has just expired.
        if round > 0 {
            assert!(
                db.store
                    .try_acquire_lease(&resource, "previous", TTL, t0())
                    .await
                    .expect("setup")
            );
        }
        let now = if round == 0 { Utc::now() } else { at(30) };
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(CONTENDERS));
        let tasks: Vec<_> = (0..CONTENDERS)
            .map(|n| {
                let store = db.store.clone();
                let resource = resource.clone();
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    let holder = format!("instance-{n}");
                    let won = store
                        .try_acquire_lease(&resource, &holder, TTL, now)
                        .await
                        .expect("acquire");
                    won.then_some(holder)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for task in tasks {
            if let Some(winner) = task.await.expect("task") {
                winners.push(winner);
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: winners {winners:?}");
        let holder = db
            .store
            .lease_holder(&resource, now)
            .await
            .expect("read")
            .expect("held");
        assert_eq!(holder.holder, winners[0]);
    }
}

pub async fn leases_are_renewed_listed_and_released_by_prefix(db: TestDb) {
    let store = &db.store;
    for (resource, holder) in [
        ("mailbox:a@example.com", "one"),
        ("mailbox:b@example.com", "one"),
        ("mailbox:c@example.com", "two"),
        ("instance:one", "one"),
    ] {
        assert!(
            store
                .try_acquire_lease(resource, holder, TTL, t0())
                .await
                .expect("acquire")
        );
    }
    // b lapses for "one" and "two" takes it over; "one" must not renew what it lost.
    let later = at(40);
    assert!(
        store
            .try_acquire_lease("mailbox:b@example.com", "two", TTL, later)
            .await
            .expect("take over")
    );
    assert!(
        store
            .try_acquire_lease("mailbox:a@example.com", "one", TTL, at(20))
            .await
            .expect("renew a")
    );
    assert!(
        store
            .try_acquire_lease("mailbox:c@example.com", "two", TTL, at(20))
            .await
            .expect("renew c")
    );
    let renewed = store
        .renew_leases("one", "mailbox:", TTL, later)
        .await
        .expect("renew");
    assert_eq!(
        renewed,
        ["mailbox:a@example.com"],
        "b was lost, instance: is another prefix"
    );
    let live = store.live_leases("mailbox:", later).await.expect("list");
    let owners: Vec<(&str, &str)> = live
        .iter()
        .map(|l| (l.resource.as_str(), l.holder.as_str()))
        .collect();
    assert_eq!(
        owners,
        [
            ("mailbox:a@example.com", "one"),
            ("mailbox:b@example.com", "two"),
            ("mailbox:c@example.com", "two"),
        ]
    );
    assert_eq!(
        store.live_leases("instance:", later).await.expect("list"),
        []
    );
    assert_eq!(
        store
            .release_leases("two", "mailbox:")
            .await
            .expect("release"),
        2
    );
    let live = store.live_leases("mailbox:", later).await.expect("list");
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].holder, "one");
}
