//! The change journal: every change lands in it, with the right origin, in an order readers can
//! follow; listeners wake up.

use std::time::Duration;

use exsync_business::{EntityKind, JournalSignal, Origin};
use exsync_model::{BusinessId, Contact, Task};

use crate::fixtures::{WORKED_EXAMPLE, add_user, weekly_meeting};
use crate::harness::{Engine, TestDb, Vendor, run_postgres};
use crate::on_both;

on_both!(
    every_business_change_is_journaled,
    exsync_writes_are_marked_and_later_vendor_writes_are_not,
    listeners_wake_up_on_changes,
    journal_reads_in_pages_and_prunes,
    journal_change_times_name_the_business_applications_last_change
);

/// An expected journal entry: kind, id, operation, origin.
type Expected = (&'static str, &'static str, &'static str, &'static str);

fn entries(list: &[Expected]) -> Vec<(String, String, String, String)> {
    list.iter()
        .map(|(k, i, o, r)| (k.to_string(), i.to_string(), o.to_string(), r.to_string()))
        .collect()
}

async fn every_business_change_is_journaled(t: TestDb) {
    t.ready().await;
    let steps: &[(&str, &[Expected])] = &[
        (
            "INSERT INTO exsync_users (login, mailbox) VALUES ('eva', 'eva@example.com')",
            &[("user", "eva", "insert", "business")],
        ),
        (
            "UPDATE exsync_users SET enabled = FALSE WHERE login = 'eva'",
            &[("user", "eva", "update", "business")],
        ),
        (
            WORKED_EXAMPLE,
            &[
                ("user", "eva2", "insert", "business"),
                ("appointment", "APP-1001", "insert", "business"),
                ("appointment", "APP-1001", "update", "business"),
                ("appointment", "APP-1001", "update", "business"),
            ],
        ),
        (
            "UPDATE exsync_appointment_exceptions SET location = 'Room 3' \
             WHERE appointment_id = 'APP-1001' AND original_start = '2026-03-16T09:00:00'",
            &[("appointment", "APP-1001", "update", "business")],
        ),
        (
            "DELETE FROM exsync_appointment_exceptions WHERE original_start = '2026-04-06T09:00:00'",
            &[("appointment", "APP-1001", "update", "business")],
        ),
        (
            "UPDATE exsync_appointments SET subject = 'Jour fixe' WHERE id = 'APP-1001'",
            &[("appointment", "APP-1001", "update", "business")],
        ),
        (
            "UPDATE exsync_appointments SET owner_login = 'eva' WHERE id = 'APP-1001'",
            &[
                ("appointment", "APP-1001", "delete", "business"),
                ("appointment", "APP-1001", "insert", "business"),
            ],
        ),
        (
            "DELETE FROM exsync_appointments WHERE id = 'APP-1001'",
            &[("appointment", "APP-1001", "delete", "business")],
        ),
        (
            "INSERT INTO exsync_tasks (id, owner_login, subject) VALUES ('T-1', 'eva', 'Call')",
            &[("task", "T-1", "insert", "business")],
        ),
        (
            "UPDATE exsync_tasks SET status = 'completed' WHERE id = 'T-1'",
            &[("task", "T-1", "update", "business")],
        ),
        (
            "DELETE FROM exsync_tasks WHERE id = 'T-1'",
            &[("task", "T-1", "delete", "business")],
        ),
        (
            "INSERT INTO exsync_contacts (id, surname) VALUES ('C-1', 'Huber')",
            &[("contact", "C-1", "insert", "business")],
        ),
        (
            "UPDATE exsync_contacts SET given_name = 'Eva' WHERE id = 'C-1'",
            &[("contact", "C-1", "update", "business")],
        ),
        (
            "DELETE FROM exsync_contacts WHERE id = 'C-1'",
            &[("contact", "C-1", "delete", "business")],
        ),
        (
            "DELETE FROM exsync_users WHERE login = 'eva2'",
            &[("user", "eva2", "delete", "business")],
        ),
    ];
    for (sql, expected) in steps {
        let before = t.seq().await;
        // The worked example's user is called eva there; give it another login here.
        let sql = sql.replace("VALUES ('eva', 'Eva Huber'", "VALUES ('eva2', 'Eva Huber'");
        let sql = sql.replace("('APP-1001', 'eva',", "('APP-1001', 'eva2',");
        t.vendor.exec(&sql).await;
        assert_eq!(
            t.journal_after(before).await,
            entries(expected),
            "after {sql}"
        );
    }
}

async fn exsync_writes_are_marked_and_later_vendor_writes_are_not(t: TestDb) {
    let db = t.ready().await;
    add_user(db, "eva").await;
    let id = BusinessId::from("APP-1001");
    let before = t.seq().await;
    db.upsert_appointment("eva", &id, &weekly_meeting(), Origin::Exsync)
        .await
        .expect("writes");
    let written = t.journal_after(before).await;
    assert!(
        written.len() >= 3,
        "row and two exception rows: {written:?}"
    );
    assert!(written.iter().all(|(kind, entity, _, origin)| {
        kind == "appointment" && entity == "APP-1001" && origin == "exsync"
    }));
    let before = t.seq().await;
    t.vendor
        .exec("UPDATE exsync_appointments SET subject = 'Vendor' WHERE id = 'APP-1001'")
        .await;
    assert_eq!(
        t.journal_after(before).await,
        entries(&[("appointment", "APP-1001", "update", "business")])
    );
    // Tasks, contacts and deletes carry the origin too; the business side stays business.
    let before = t.seq().await;
    let task_id = BusinessId::from("T-1");
    db.upsert_task("eva", &task_id, &Task::new("Call"), Origin::Exsync)
        .await
        .expect("writes");
    db.upsert_task("eva", &task_id, &Task::new("Call back"), Origin::Business)
        .await
        .expect("writes");
    let contact = Contact {
        surname: "Huber".into(),
        ..Contact::default()
    };
    let contact_id = BusinessId::from("C-1");
    db.upsert_contact(&contact_id, &contact, Origin::Exsync)
        .await
        .expect("writes");
    assert!(
        db.delete_appointment(&id, Origin::Exsync)
            .await
            .expect("deletes")
    );
    assert!(
        !db.delete_appointment(&id, Origin::Exsync)
            .await
            .expect("deletes")
    );
    t.vendor
        .exec("DELETE FROM exsync_contacts WHERE id = 'C-1'")
        .await;
    assert_eq!(
        t.journal_after(before).await,
        entries(&[
            ("task", "T-1", "insert", "exsync"),
            ("task", "T-1", "update", "business"),
            ("contact", "C-1", "insert", "exsync"),
            ("appointment", "APP-1001", "delete", "exsync"),
            ("contact", "C-1", "delete", "business"),
        ])
    );
    if let Vendor::Sqlite(pool) = &t.vendor {
        let marker: String = sqlx::query_scalar("SELECT origin FROM exsync_write_origin")
            .fetch_one(pool)
            .await
            .expect("marker reads");
        assert_eq!(marker, "business");
    }
}

async fn listeners_wake_up_on_changes(t: TestDb) {
    let db = t.ready().await;
    add_user(db, "eva").await;
    let mut listener = db.listen_journal().await.expect("listens");
    t.vendor
        .exec("INSERT INTO exsync_tasks (id, owner_login, subject) VALUES ('T-1', 'eva', 'Call')")
        .await;
    let signal = tokio::time::timeout(Duration::from_secs(20), listener.recv())
        .await
        .expect("a signal within 20 s")
        .expect("no error");
    let JournalSignal::Changed(notice) = signal else {
        panic!("expected a change, got {signal:?}");
    };
    if t.engine == Engine::Postgres {
        assert_eq!(notice.kind, Some(EntityKind::Task));
        assert_eq!(notice.owner.as_deref(), Some("eva"));
        assert_eq!(notice.origin, Some(Origin::Business));
    }
    t.settle().await;
    let entries = db.read_journal(0, 10).await.expect("reads");
    assert_eq!(entries.last().map(|e| e.entity_id.as_str()), Some("T-1"));
    // Nothing new: no signal.
    let quiet = tokio::time::timeout(Duration::from_millis(400), listener.recv()).await;
    assert!(quiet.is_err(), "unexpected signal {quiet:?}");
}

async fn journal_reads_in_pages_and_prunes(t: TestDb) {
    let db = t.ready().await;
    for login in ["a", "b", "c", "d", "e"] {
        add_user(db, login).await;
    }
    t.settle().await;
    let first = db.read_journal(0, 2).await.expect("reads");
    assert_eq!(first.len(), 2);
    let rest = db.read_journal(first[1].seq, 100).await.expect("reads");
    let ids: Vec<&str> = first
        .iter()
        .chain(rest.iter())
        .map(|e| e.entity_id.as_str())
        .collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    assert!(rest.windows(2).all(|w| w[0].seq < w[1].seq));
    let last = t.seq().await;
    assert_eq!(db.prune_journal(first[1].seq).await.expect("prunes"), 2);
    assert_eq!(db.read_journal(0, 100).await.expect("reads").len(), 3);
    add_user(db, "f").await;
    t.settle().await;
    let newest = db.read_journal(last, 100).await.expect("reads");
    assert_eq!(newest.len(), 1);
    assert!(newest[0].seq > last);
}

/// PostgreSQL commits concurrent transactions in any order: an entry of a transaction still
/// running must not be overtaken by a later one that a reader could pass.
#[tokio::test]
async fn running_transactions_hold_back_later_entries() {
    run_postgres(|t: TestDb| async move {
        let db = t.ready().await;
        add_user(db, "eva").await;
        let Vendor::Postgres(pool) = &t.vendor else {
            unreachable!("postgres test")
        };
        let seen = t.seq().await;
        let mut slow = pool.begin().await.expect("begins");
        sqlx::query("INSERT INTO exsync_tasks (id, owner_login) VALUES ('T-slow', 'eva')")
            .execute(&mut *slow)
            .await
            .expect("inserts");
        t.vendor
            .exec("INSERT INTO exsync_tasks (id, owner_login) VALUES ('T-fast', 'eva')")
            .await;
        assert!(
            db.read_journal(seen, 100).await.expect("reads").is_empty(),
            "T-fast must wait until T-slow's transaction has ended"
        );
        slow.commit().await.expect("commits");
        t.settle().await;
        let ids: Vec<String> = db
            .read_journal(seen, 100)
            .await
            .expect("reads")
            .into_iter()
            .map(|e| e.entity_id)
            .collect();
        assert_eq!(ids, ["T-slow", "T-fast"]);
    })
    .await;
}

/// Start mode "changes only" reads when the business application last changed each record
/// from the journal: exsync's own writes and other owners' records do not count.
async fn journal_change_times_name_the_business_applications_last_change(t: TestDb) {
    let db = t.ready().await;
    add_user(db, "eva").await;
    add_user(db, "jan").await;
    let exsync_only = BusinessId::from("APP-X");
    db.upsert_appointment("eva", &exsync_only, &weekly_meeting(), Origin::Exsync)
        .await
        .expect("writes");
    db.upsert_appointment(
        "eva",
        &BusinessId::from("APP-B"),
        &weekly_meeting(),
        Origin::Business,
    )
    .await
    .expect("writes");
    db.upsert_appointment(
        "jan",
        &BusinessId::from("APP-J"),
        &weekly_meeting(),
        Origin::Business,
    )
    .await
    .expect("writes");
    t.vendor
        .exec("UPDATE exsync_appointments SET subject = 'Vendor' WHERE id = 'APP-X'")
        .await;
    let times = db
        .journal_change_times(exsync_model::ItemKind::Appointment, "eva")
        .await
        .expect("read");
    let mut ids: Vec<&str> = times.keys().map(BusinessId::as_str).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["APP-B", "APP-X"], "eva's records the vendor wrote");
    let now = chrono::Utc::now();
    for at in times.values() {
        assert!((now - *at).num_minutes().abs() < 5, "a current time: {at}");
    }
}
