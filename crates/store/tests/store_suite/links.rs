//! Scenarios for links: reading, writing, scoping, uniqueness, listing.
//!
//! Invariant: each scenario starts from an empty store and checks what a caller can observe.

use chrono::Utc;
use exsync_model::ItemKind;
use exsync_store::{LinkUpsert, fingerprint};

use crate::fixtures::{ALICE, BOB, appointment, snapshot};
use crate::harness::TestDb;

pub async fn migrations_are_idempotent_and_keep_data(db: TestDb) {
    let store = &db.store;
    store
        .upsert_links(&[appointment("A-1", "X-1")])
        .await
        .expect("write a link");
    store.migrate().await.expect("migrating again is a no-op");
    if let Some(again) = db.reopen().await {
        assert_eq!(
            again
                .count_links(ALICE, ItemKind::Appointment)
                .await
                .expect("count"),
            1,
            "a second connect migrates nothing away"
        );
        again.migrate().await.expect("and a third time");
        again.close().await;
    }
    assert_eq!(
        store
            .count_links(ALICE, ItemKind::Appointment)
            .await
            .expect("count"),
        1
    );
}

pub async fn link_round_trip(db: TestDb) {
    let store = &db.store;
    let before = Utc::now() - chrono::TimeDelta::seconds(1);
    let pending = LinkUpsert::new(ALICE, ItemKind::Task, "T-1");
    assert_eq!(store.upsert_links(&[pending]).await.expect("write"), 1);

    let link = store
        .link_by_business_id(ALICE, ItemKind::Task, "T-1")
        .await
        .expect("read")
        .expect("the link exists");
    assert_eq!(link.exchange_id, None);
    assert_eq!(link.base, None);
    assert!(link.updated_at >= before && link.updated_at <= Utc::now());

    let base = snapshot("Call back", 2);
    let created = LinkUpsert::new(ALICE, ItemKind::Task, "T-1")
        .exchange("AAMkT1", Some("CK1"))
        .base(base.clone());
    store.upsert_links(&[created]).await.expect("write");
    let by_exchange = store
        .link_by_exchange_id(ALICE, ItemKind::Task, "AAMkT1")
        .await
        .expect("read")
        .expect("found by Exchange id");
    assert_eq!(by_exchange.business_id, "T-1");
    assert_eq!(by_exchange.exchange_change_key.as_deref(), Some("CK1"));
    assert_eq!(by_exchange.base.as_ref(), Some(&base));
    assert_eq!(
        by_exchange.base.as_ref().map(|base| base.fingerprint()),
        Some(fingerprint(base.json()))
    );

    let heads = store
        .link_heads(ALICE, ItemKind::Task)
        .await
        .expect("heads");
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0].base_fingerprint, Some(base.fingerprint()));
    assert_eq!(heads[0].updated_at, by_exchange.updated_at);
    assert_eq!(
        store.links(ALICE, ItemKind::Task).await.expect("list"),
        vec![by_exchange]
    );

    assert!(
        store
            .unlink(ALICE, ItemKind::Task, "T-1")
            .await
            .expect("unlink")
    );
    assert!(
        !store
            .unlink(ALICE, ItemKind::Task, "T-1")
            .await
            .expect("again")
    );
    assert_eq!(
        store
            .count_links(ALICE, ItemKind::Task)
            .await
            .expect("count"),
        0
    );
    assert_eq!(
        store
            .link_by_exchange_id(ALICE, ItemKind::Task, "AAMkT1")
            .await
            .expect("read"),
        None
    );
}

pub async fn links_are_scoped_by_mailbox_and_kind(db: TestDb) {
    let store = &db.store;
    let links = [
        LinkUpsert::new(ALICE, ItemKind::Appointment, "42").exchange("X", None::<String>),
        LinkUpsert::new(ALICE, ItemKind::Contact, "42").exchange("X", None::<String>),
        LinkUpsert::new(BOB, ItemKind::Appointment, "42").exchange("X", None::<String>),
        // Items not yet on Exchange: any number of links without an Exchange id.
        LinkUpsert::new(ALICE, ItemKind::Appointment, "43"),
        LinkUpsert::new(ALICE, ItemKind::Appointment, "44"),
    ];
    assert_eq!(store.upsert_links(&links).await.expect("write"), 5);
    assert_eq!(
        store
            .count_links(ALICE, ItemKind::Appointment)
            .await
            .expect("count"),
        3
    );
    assert_eq!(
        store
            .count_links(ALICE, ItemKind::Contact)
            .await
            .expect("count"),
        1
    );
    assert_eq!(
        store
            .count_links(BOB, ItemKind::Appointment)
            .await
            .expect("count"),
        1
    );
    assert_eq!(
        store.count_links(BOB, ItemKind::Task).await.expect("count"),
        0
    );
    let bobs = store
        .link_by_exchange_id(BOB, ItemKind::Appointment, "X")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(
        (bobs.mailbox.as_str(), bobs.kind),
        (BOB, ItemKind::Appointment)
    );

    assert!(
        store
            .unlink(ALICE, ItemKind::Contact, "42")
            .await
            .expect("unlink")
    );
    assert!(
        store
            .link_by_business_id(ALICE, ItemKind::Appointment, "42")
            .await
            .expect("read")
            .is_some(),
        "unlinking a contact leaves the appointment with the same id"
    );
}

pub async fn duplicate_exchange_id_is_a_conflict(db: TestDb) {
    let store = &db.store;
    store
        .upsert_links(&[appointment("A-1", "X-1")])
        .await
        .expect("first link");
    let thief = appointment("A-2", "X-1");
    let error = store
        .upsert_links(&[thief])
        .await
        .expect_err("a second link to X-1 is refused");
    assert!(error.is_conflict(), "{error}");
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("commit links"), "{error}");
    assert_eq!(
        store
            .link_by_business_id(ALICE, ItemKind::Appointment, "A-2")
            .await
            .expect("read"),
        None
    );
    let owner = store
        .link_by_exchange_id(ALICE, ItemKind::Appointment, "X-1")
        .await
        .expect("read")
        .expect("still linked");
    assert_eq!(owner.business_id, "A-1");
}

pub async fn upsert_replaces_every_field(db: TestDb) {
    let store = &db.store;
    store
        .upsert_links(&[appointment("A-1", "X-1")])
        .await
        .expect("write");
    let first = store
        .link_by_business_id(ALICE, ItemKind::Appointment, "A-1")
        .await
        .expect("read")
        .expect("exists");

    // The Exchange item was deleted: the link is rewritten without Exchange id and base.
    store
        .upsert_links(&[LinkUpsert::new(ALICE, ItemKind::Appointment, "A-1")])
        .await
        .expect("rewrite");
    let second = store
        .link_by_business_id(ALICE, ItemKind::Appointment, "A-1")
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(second.exchange_id, None);
    assert_eq!(second.exchange_change_key, None);
    assert_eq!(second.base, None);
    assert!(second.updated_at >= first.updated_at);
    assert_eq!(
        store
            .link_by_exchange_id(ALICE, ItemKind::Appointment, "X-1")
            .await
            .expect("read"),
        None,
        "the old Exchange id is free again"
    );
    store
        .upsert_links(&[appointment("A-9", "X-1")])
        .await
        .expect("another link may now claim X-1");
}

pub async fn last_upsert_of_a_key_in_one_batch_wins(db: TestDb) {
    let store = &db.store;
    let mut newest = appointment("A-1", "X-1");
    newest.base = Some(snapshot("A-1", 3));
    let batch = [
        appointment("A-1", "X-1"),
        appointment("A-2", "X-2"),
        newest.clone(),
    ];
    assert_eq!(store.upsert_links(&batch).await.expect("write"), 2);
    let stored = store
        .link_by_business_id(ALICE, ItemKind::Appointment, "A-1")
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(stored.base, newest.base);
}

pub async fn large_listing_is_complete_and_in_byte_order(db: TestDb) {
    let store = &db.store;
    // More rows than one SQLite statement takes, with ids whose byte order differs from a
    // case-insensitive or numeric order.
    let mut links: Vec<LinkUpsert> = (0..1_203)
        .map(|n| appointment(&format!("id-{n}"), &format!("X-{n}")))
        .collect();
    links.push(appointment("B", "X-B"));
    links.push(appointment("a", "X-a"));
    assert_eq!(store.upsert_links(&links).await.expect("write"), 1_205);

    let listed = store
        .links(ALICE, ItemKind::Appointment)
        .await
        .expect("list");
    let heads = store
        .link_heads(ALICE, ItemKind::Appointment)
        .await
        .expect("heads");
    let mut expected: Vec<String> = links.iter().map(|link| link.business_id.clone()).collect();
    expected.sort();
    let listed_ids: Vec<String> = listed.iter().map(|link| link.business_id.clone()).collect();
    let head_ids: Vec<String> = heads.iter().map(|head| head.business_id.clone()).collect();
    assert_eq!(listed_ids, expected);
    assert_eq!(head_ids, expected);
    assert_eq!(listed_ids.first().map(String::as_str), Some("B"));
    assert!(listed.iter().zip(&heads).all(|(link, head)| {
        link.base.as_ref().map(|base| base.fingerprint()) == head.base_fingerprint
            && link.exchange_id == head.exchange_id
    }));
    assert_eq!(
        store
            .count_links(ALICE, ItemKind::Appointment)
            .await
            .expect("count"),
        1_205
    );
}
