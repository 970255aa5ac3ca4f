//! An appointment and its exception rows are written together or not at all.

use exsync_business::{BusinessError, Origin};
use exsync_model::{BusinessId, OccurrenceOverride};

use crate::fixtures::{add_user, local, weekly_meeting};
use crate::harness::{Engine, TestDb};
use crate::on_both;

on_both!(a_failing_exception_row_undoes_the_whole_upsert);

async fn a_failing_exception_row_undoes_the_whole_upsert(t: TestDb) {
    let db = t.ready().await;
    add_user(db, "eva").await;
    // The vendor's database refuses exception rows with the subject 'boom' (as a broken
    // vendor trigger or a full disk would refuse them in the middle of the write).
    match t.engine {
        Engine::Sqlite => {
            t.vendor
                .exec(
                    "CREATE TRIGGER test_boom BEFORE INSERT ON exsync_appointment_exceptions \
                     WHEN NEW.subject = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END;",
                )
                .await
        }
        Engine::Postgres => {
            t.vendor
                .exec(
                    "CREATE FUNCTION test_boom() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN IF NEW.subject = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; \
                     RETURN NEW; END $$; \
                     CREATE TRIGGER test_boom BEFORE INSERT ON exsync_appointment_exceptions \
                     FOR EACH ROW EXECUTE FUNCTION test_boom();",
                )
                .await
        }
    }
    let id = BusinessId::from("APP-1001");
    let first = weekly_meeting();
    db.upsert_appointment("eva", &id, &first, Origin::Exsync)
        .await
        .expect("writes");
    let seen = t.seq().await;

    let mut second = weekly_meeting();
    second.subject = "Changed".into();
    second.location = "Elsewhere".into();
    if let Some(series) = second.series.as_mut() {
        series.modified.insert(
            local("2026-03-23T09:00"),
            OccurrenceOverride {
                subject: Some("boom".into()),
                ..OccurrenceOverride::default()
            },
        );
    }
    let failed = db
        .upsert_appointment("eva", &id, &second, Origin::Exsync)
        .await;
    assert!(
        matches!(failed, Err(BusinessError::Database { .. })),
        "{failed:?}"
    );
    let stored = db
        .get_appointment(&id)
        .await
        .expect("reads")
        .expect("exists");
    assert_eq!(stored.item, first, "nothing of the failed write remains");
    assert_eq!(
        t.seq().await,
        seen,
        "nothing of the failed write was journaled"
    );

    // The origin marker went with the rollback: the vendor's next write is the business's.
    t.vendor
        .exec("UPDATE exsync_appointments SET subject = 'Vendor' WHERE id = 'APP-1001'")
        .await;
    let after = t.journal_after(seen).await;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].3, "business");
}
