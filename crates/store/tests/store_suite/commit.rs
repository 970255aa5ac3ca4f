//! Scenarios for committing a pass: atomicity of link batches, cursors and outbox completions.
//!
//! Invariant: each scenario checks the all-or-nothing promise from the outside, by reading back
//! every part of a commit after it succeeded or failed.

use exsync_model::ItemKind;
use exsync_store::{CommitSummary, LinkUpsert, NewOutboxEntry, PassCommit, Side};

use crate::fixtures::{ALICE, appointment, snapshot};
use crate::harness::TestDb;

const DELTA: &str = "graph.calendar_view.delta";

pub async fn batch_with_one_bad_row_writes_nothing(db: TestDb) {
    let store = &db.store;
    store
        .upsert_links(&[appointment("A-1", "X-1")])
        .await
        .expect("first link");
    let before = store
        .link_by_business_id(ALICE, ItemKind::Appointment, "A-1")
        .await
        .expect("read");

    let mut batch: Vec<LinkUpsert> = (2..1_100)
        .map(|n| appointment(&format!("A-{n}"), &format!("X-{n}")))
        .collect();
    let mut changed = appointment("A-1", "X-1");
    changed.base = Some(snapshot("A-1", 2));
    batch.push(changed);
    // The last row claims the Exchange item of A-5, in a later statement than A-5 itself.
    batch.push(appointment("A-bad", "X-5"));

    let error = store
        .upsert_links(&batch)
        .await
        .expect_err("the bad row fails the batch");
    assert!(error.is_conflict(), "{error}");
    assert_eq!(
        store
            .count_links(ALICE, ItemKind::Appointment)
            .await
            .expect("count"),
        1,
        "no row of the failed batch is stored"
    );
    assert_eq!(
        store
            .link_by_business_id(ALICE, ItemKind::Appointment, "A-1")
            .await
            .expect("read"),
        before,
        "the existing link keeps its old base"
    );
}

pub async fn pass_commit_applies_every_part(db: TestDb) {
    let store = &db.store;
    store
        .upsert_links(&[appointment("A-1", "X-1"), appointment("A-2", "X-2")])
        .await
        .expect("setup");
    let queued = store
        .enqueue(&NewOutboxEntry {
            idempotency_key: "create:A-3".to_owned(),
            mailbox: ALICE.to_owned(),
            kind: ItemKind::Appointment,
            target: Side::Exchange,
            business_id: "A-3".to_owned(),
            payload: r#"{"op":"create"}"#.to_owned(),
            not_before: None,
        })
        .await
        .expect("enqueue");

    let mut pass = PassCommit::new();
    pass.unlink(ALICE, ItemKind::Appointment, "A-2")
        .unlink(ALICE, ItemKind::Appointment, "never-linked")
        .upsert_links([appointment("A-3", "X-3"), appointment("A-1", "X-1b")])
        .set_cursor(ALICE, DELTA, "delta-token-2")
        .set_cursor("", "business.journal", "1042")
        .complete_outbox(queued.entry.id);
    assert_eq!(pass.len(), 7);
    let summary = store.commit(&pass).await.expect("commit");
    assert_eq!(
        summary,
        CommitSummary {
            links_removed: 1,
            links_written: 2,
            cursors_written: 2,
            outbox_completed: 1,
        }
    );

    let ids: Vec<String> = store
        .links(ALICE, ItemKind::Appointment)
        .await
        .expect("list")
        .into_iter()
        .map(|link| {
            format!(
                "{}={}",
                link.business_id,
                link.exchange_id.unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(ids, ["A-1=X-1b", "A-3=X-3"]);
    let cursor = store
        .cursor(ALICE, DELTA)
        .await
        .expect("read")
        .expect("set");
    assert_eq!(cursor.value, "delta-token-2");
    let journal = store
        .cursor("", "business.journal")
        .await
        .expect("read")
        .expect("set");
    assert_eq!(journal.value, "1042");
    assert_eq!(store.count_outbox(ALICE).await.expect("count"), 0);
}

pub async fn failed_pass_commit_leaves_cursor_and_links_untouched(db: TestDb) {
    let store = &db.store;
    let mut setup = PassCommit::new();
    setup
        .upsert_link(appointment("A-1", "X-1"))
        .set_cursor(ALICE, DELTA, "token-1");
    store.commit(&setup).await.expect("setup");

    let mut pass = PassCommit::new();
    pass.unlink(ALICE, ItemKind::Appointment, "A-1")
        .upsert_link(appointment("A-2", "X-2"))
        .upsert_link(appointment("A-3", "X-2"))
        .set_cursor(ALICE, DELTA, "token-2");
    let error = store.commit(&pass).await.expect_err("conflicting pass");
    assert!(error.is_conflict(), "{error}");

    let cursor = store
        .cursor(ALICE, DELTA)
        .await
        .expect("read")
        .expect("set");
    assert_eq!(cursor.value, "token-1", "the cursor did not move");
    let ids: Vec<String> = store
        .links(ALICE, ItemKind::Appointment)
        .await
        .expect("list")
        .into_iter()
        .map(|link| link.business_id)
        .collect();
    assert_eq!(
        ids,
        ["A-1"],
        "the unlink was rolled back and nothing was added"
    );
}

pub async fn empty_commit_changes_nothing(db: TestDb) {
    let store = &db.store;
    let pass = PassCommit::new();
    assert!(pass.is_empty());
    assert_eq!(
        store.commit(&pass).await.expect("commit"),
        CommitSummary::default()
    );
    assert_eq!(store.upsert_links(&[]).await.expect("no links"), 0);
}
