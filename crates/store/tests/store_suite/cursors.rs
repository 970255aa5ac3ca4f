//! Scenarios for cursors on their own (committing them with links is in `commit`).
//!
//! Invariant: each scenario starts from an empty store and checks what a caller can observe.

use chrono::Utc;
use exsync_store::GLOBAL_CURSOR_OWNER;

use crate::fixtures::{ALICE, BOB};
use crate::harness::TestDb;

const DELTA: &str = "graph.calendar_view.delta";

pub async fn cursor_set_replace_delete(db: TestDb) {
    let store = &db.store;
    assert_eq!(store.cursor(ALICE, DELTA).await.expect("read"), None);

    let before = Utc::now() - chrono::TimeDelta::seconds(1);
    store
        .set_cursor(ALICE, DELTA, "token-1")
        .await
        .expect("set");
    store
        .set_cursor(GLOBAL_CURSOR_OWNER, DELTA, "global")
        .await
        .expect("set global");
    store
        .set_cursor(BOB, DELTA, "bob-1")
        .await
        .expect("set bob");
    let first = store
        .cursor(ALICE, DELTA)
        .await
        .expect("read")
        .expect("set");
    assert_eq!(
        (
            first.owner.as_str(),
            first.name.as_str(),
            first.value.as_str()
        ),
        (ALICE, DELTA, "token-1")
    );
    assert!(first.updated_at >= before);

    store
        .set_cursor(ALICE, DELTA, "token-2")
        .await
        .expect("replace");
    let second = store
        .cursor(ALICE, DELTA)
        .await
        .expect("read")
        .expect("set");
    assert_eq!(second.value, "token-2");
    assert!(second.updated_at >= first.updated_at);

    assert!(store.delete_cursor(ALICE, DELTA).await.expect("delete"));
    assert!(
        !store
            .delete_cursor(ALICE, DELTA)
            .await
            .expect("delete again")
    );
    assert_eq!(store.cursor(ALICE, DELTA).await.expect("read"), None);
    let global = store
        .cursor(GLOBAL_CURSOR_OWNER, DELTA)
        .await
        .expect("read")
        .expect("untouched");
    assert_eq!(global.value, "global");
    let bob = store
        .cursor(BOB, DELTA)
        .await
        .expect("read")
        .expect("untouched");
    assert_eq!(bob.value, "bob-1");
}

pub async fn cursor_deleted_only_while_it_holds_the_expected_value(db: TestDb) {
    let store = &db.store;
    store
        .set_cursor("eva@example.com", "approved-deletions:task", "t1")
        .await
        .expect("set");
    store
        .set_cursor("eva@example.com", "approved-deletions:task", "t2")
        .await
        .expect("replaced by a newer value");
    assert!(
        !store
            .delete_cursor_if("eva@example.com", "approved-deletions:task", "t1")
            .await
            .expect("delete"),
        "an older value does not delete the newer one"
    );
    assert!(
        store
            .delete_cursor_if("eva@example.com", "approved-deletions:task", "t2")
            .await
            .expect("delete")
    );
    assert_eq!(
        store
            .cursor("eva@example.com", "approved-deletions:task")
            .await
            .expect("read"),
        None
    );
}
