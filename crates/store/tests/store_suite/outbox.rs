//! Scenarios for the outbox: idempotent enqueueing, due lists, retry bookkeeping.
//!
//! Invariant: each scenario starts from an empty store; times in the future are given
//! explicitly, so nothing sleeps.

use chrono::{TimeDelta, Utc};
use exsync_model::ItemKind;
use exsync_store::{NewOutboxEntry, OutboxId, Side};

use crate::fixtures::{ALICE, BOB};
use crate::harness::TestDb;

fn entry(key: &str, mailbox: &str, business_id: &str) -> NewOutboxEntry {
    NewOutboxEntry {
        idempotency_key: key.to_owned(),
        mailbox: mailbox.to_owned(),
        kind: ItemKind::Appointment,
        target: Side::Exchange,
        business_id: business_id.to_owned(),
        payload: format!(r#"{{"op":"update","id":"{business_id}"}}"#),
        not_before: None,
    }
}

pub async fn enqueue_is_idempotent_by_key(db: TestDb) {
    let store = &db.store;
    let first = store
        .enqueue(&entry("pass-7:A-1", ALICE, "A-1"))
        .await
        .expect("enqueue");
    assert!(first.created);
    assert_eq!(first.entry.attempts, 0);
    assert_eq!(first.entry.last_error, None);
    assert_eq!(first.entry.target, Side::Exchange);
    assert_eq!(first.entry.next_attempt_at, first.entry.created_at);

    let mut replay = entry("pass-7:A-1", ALICE, "A-1");
    replay.payload = r#"{"op":"something else"}"#.to_owned();
    let second = store.enqueue(&replay).await.expect("enqueue again");
    assert!(!second.created);
    assert_eq!(second.entry, first.entry, "the pending entry, unchanged");
    assert_eq!(store.count_outbox(ALICE).await.expect("count"), 1);
    assert_eq!(
        store
            .outbox_entry_by_key("pass-7:A-1")
            .await
            .expect("read")
            .map(|found| found.id),
        Some(first.entry.id)
    );

    assert!(store.outbox_done(first.entry.id).await.expect("done"));
    let after_done = store
        .enqueue(&entry("pass-7:A-1", ALICE, "A-1"))
        .await
        .expect("enqueue after done");
    assert!(after_done.created, "a completed key may be queued again");
    assert!(after_done.entry.id > first.entry.id, "ids are never reused");
}

pub async fn due_entries_are_per_mailbox_and_in_creation_order(db: TestDb) {
    let store = &db.store;
    let mut ids = Vec::new();
    for n in 0..3 {
        let queued = store
            .enqueue(&entry(&format!("k-{n}"), ALICE, &format!("A-{n}")))
            .await
            .expect("enqueue");
        ids.push(queued.entry.id);
    }
    store
        .enqueue(&entry("k-bob", BOB, "B-1"))
        .await
        .expect("enqueue");
    let mut later = entry("k-later", ALICE, "A-9");
    later.not_before = Some(Utc::now() + TimeDelta::hours(1));
    later.target = Side::Business;
    store.enqueue(&later).await.expect("enqueue");

    let now = Utc::now();
    let due: Vec<OutboxId> = store
        .due_outbox(ALICE, now, 100)
        .await
        .expect("due")
        .into_iter()
        .map(|due| due.id)
        .collect();
    assert_eq!(
        due, ids,
        "Alice's due entries, oldest first; not Bob's, not later ones"
    );
    let limited = store.due_outbox(ALICE, now, 2).await.expect("due");
    assert_eq!(limited.len(), 2);
    assert_eq!(limited[0].id, ids[0]);

    let in_two_hours = store
        .due_outbox(ALICE, now + TimeDelta::hours(2), 100)
        .await
        .expect("due");
    assert_eq!(in_two_hours.len(), 4);
    assert_eq!(in_two_hours[3].idempotency_key, "k-later");
    assert_eq!(in_two_hours[3].target, Side::Business);
    assert_eq!(store.count_outbox(ALICE).await.expect("count"), 4);
    assert_eq!(store.count_outbox(BOB).await.expect("count"), 1);
}

pub async fn failures_are_counted_and_rescheduled(db: TestDb) {
    let store = &db.store;
    let queued = store
        .enqueue(&entry("k-1", ALICE, "A-1"))
        .await
        .expect("enqueue")
        .entry;
    let now = Utc::now();
    let retry_at = now + TimeDelta::minutes(5);

    let failed = store
        .outbox_failed(queued.id, "HTTP 503: ErrorServerBusy", retry_at)
        .await
        .expect("record failure")
        .expect("entry pending");
    assert_eq!(failed.attempts, 1);
    assert_eq!(
        failed.last_error.as_deref(),
        Some("HTTP 503: ErrorServerBusy")
    );
    assert_eq!(failed.next_attempt_at, retry_at.trunc_subsecs_micros());
    assert_eq!(failed.created_at, queued.created_at);
    assert!(
        store
            .due_outbox(ALICE, now, 10)
            .await
            .expect("due")
            .is_empty()
    );
    let due_later = store.due_outbox(ALICE, retry_at, 10).await.expect("due");
    assert_eq!(due_later, vec![failed]);

    let twice = store
        .outbox_failed(queued.id, "timeout", retry_at + TimeDelta::minutes(10))
        .await
        .expect("record failure")
        .expect("entry pending");
    assert_eq!(twice.attempts, 2);
    assert_eq!(twice.last_error.as_deref(), Some("timeout"));

    assert!(store.outbox_done(queued.id).await.expect("done"));
    assert!(!store.outbox_done(queued.id).await.expect("done twice"));
    assert_eq!(
        store
            .outbox_failed(queued.id, "late", retry_at)
            .await
            .expect("no error for a missing entry"),
        None
    );
    assert_eq!(store.count_outbox(ALICE).await.expect("count"), 0);
}

/// Truncation to what the store keeps (microseconds), for comparing written and read times.
trait TruncMicros {
    fn trunc_subsecs_micros(self) -> Self;
}

impl TruncMicros for chrono::DateTime<Utc> {
    fn trunc_subsecs_micros(self) -> Self {
        chrono::SubsecRound::trunc_subsecs(self, 6)
    }
}
