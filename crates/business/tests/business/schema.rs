//! Creating the schema, again and again.

use exsync_business::{BusinessDb, SCHEMA_VERSION, SchemaInit};

use crate::harness::{Engine, TestDb};
use crate::on_both;

on_both!(init_is_idempotent, checks_guard_the_documented_values);

async fn init_is_idempotent(t: TestDb) {
    assert_eq!(t.db.schema_version().await.expect("reads"), None);
    let first = t.db.init_schema().await.expect("creates");
    assert_eq!(
        first,
        SchemaInit {
            from: 0,
            to: SCHEMA_VERSION
        }
    );
    assert!(!first.was_current());
    crate::fixtures::add_user(&t.db, "eva").await;
    let again = t.db.init_schema().await.expect("nothing to do");
    assert!(again.was_current());
    assert_eq!(again.to, SCHEMA_VERSION);
    assert_eq!(
        t.db.schema_version().await.expect("reads"),
        Some(SCHEMA_VERSION)
    );
    // Nothing was recreated: the data is still there, the journal was not reset.
    assert_eq!(t.db.list_users().await.expect("lists").len(), 1);
    assert_eq!(t.seq().await, 1);
    // Concurrent initialisation of a current schema is harmless too.
    let (a, b) = tokio::join!(t.db.init_schema(), t.db.init_schema());
    assert!(a.expect("ok").was_current() && b.expect("ok").was_current());
}

async fn checks_guard_the_documented_values(t: TestDb) {
    let db: &BusinessDb = t.ready().await;
    crate::fixtures::add_user(db, "eva").await;
    let insert = |column: &str, value: &str| {
        format!(
            "INSERT INTO exsync_appointments (id, owner_login, start_time, start_zone, end_time, \
             {column}) VALUES ('A-1', 'eva', '2026-03-02T09:00:00', 'Europe/Berlin', \
             '2026-03-02T10:00:00', {value})"
        )
    };
    for (column, value) in [
        ("show_as", "'maybe'"),
        ("importance", "'urgent'"),
        ("sensitivity", "'secret'"),
        ("body_format", "'rtf'"),
        ("reminder_minutes", "-5"),
        ("reminder_minutes", "30000"),
    ] {
        t.vendor.exec_fails(&insert(column, value)).await;
    }
    // A time in another format (space instead of T, no seconds).
    t.vendor
        .exec_fails(
            "INSERT INTO exsync_appointments (id, owner_login, start_time, start_zone, end_time) \
             VALUES ('A-1', 'eva', '2026-03-02 09:00', 'Europe/Berlin', '2026-03-02T10:00:00')",
        )
        .await;
    // A timed appointment needs a zone.
    t.vendor
        .exec_fails(
            "INSERT INTO exsync_appointments (id, owner_login, start_time, end_time) \
             VALUES ('A-1', 'eva', '2026-03-02T09:00:00', '2026-03-02T10:00:00')",
        )
        .await;
    // An empty id is refused.
    t.vendor
        .exec_fails("INSERT INTO exsync_contacts (id, surname) VALUES ('', 'Huber')")
        .await;
    if t.engine == Engine::Postgres {
        // Foreign keys always hold on PostgreSQL: no appointment without its user.
        t.vendor
            .exec_fails(&insert("subject", "'x'").replace("'eva'", "'nobody'"))
            .await;
    }
    assert_eq!(
        db.list_appointments("eva", None)
            .await
            .expect("lists")
            .len(),
        0
    );
}

/// `sqlite::memory:` lives on one connection: everything must work without a second one.
#[tokio::test]
async fn an_in_memory_database_works_end_to_end() {
    let db = BusinessDb::connect("sqlite::memory:").await.expect("opens");
    db.init_schema().await.expect("creates");
    crate::fixtures::add_user(&db, "eva").await;
    let id = exsync_model::BusinessId::from("APP-1001");
    let meeting = crate::fixtures::weekly_meeting();
    db.upsert_appointment("eva", &id, &meeting, exsync_business::Origin::Exsync)
        .await
        .expect("writes");
    let read = db
        .get_appointment(&id)
        .await
        .expect("reads")
        .expect("exists");
    assert_eq!(read.item, meeting);
    let report = exsync_business::import_vcf(
        &db,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c1\r\nFN:Eva Huber\r\nN:Huber;Eva;;;\r\nEND:VCARD\r\n",
    )
    .await
    .expect("imports");
    assert_eq!(report.imported, 1);
    let entries = db.read_journal(0, 100).await.expect("reads");
    assert_eq!(entries.first().map(|e| e.entity_id.as_str()), Some("eva"));
    assert_eq!(entries.last().map(|e| e.entity_id.as_str()), Some("c1"));
    assert!(BusinessDb::connect("mysql://x").await.is_err());
}
