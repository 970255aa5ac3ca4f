//! A vendor writing the tables by hand, exactly as docs/integration-schema.md shows.

use exsync_business::{Owned, Window};
use exsync_model::{BusinessId, When};

use crate::fixtures::{WORKED_EXAMPLE, day, weekly_meeting};
use crate::harness::TestDb;
use crate::on_both;

on_both!(
    worked_example_reads_back_as_a_series,
    windows_find_series_by_their_occurrences
);

#[test]
fn the_documentation_shows_the_tested_sql() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/integration-schema.md"
    );
    let doc = std::fs::read_to_string(path).expect("docs/integration-schema.md exists");
    assert!(
        doc.contains(WORKED_EXAMPLE.trim()),
        "docs/integration-schema.md must contain crates/business/sql/examples/weekly_meeting.sql \
         verbatim (the worked example)"
    );
}

async fn worked_example_reads_back_as_a_series(t: TestDb) {
    let db = t.ready().await;
    t.vendor.exec(WORKED_EXAMPLE).await;
    let read = db
        .get_appointment(&BusinessId::from("APP-1001"))
        .await
        .expect("reads");
    assert_eq!(
        read,
        Some(Owned {
            owner: "eva".into(),
            item: weekly_meeting(),
        })
    );
    // The occurrences the documentation lists.
    let series = weekly_meeting().series.expect("a series");
    let window = Window::days(day("2026-01-01"), day("2026-12-31"));
    let starts: Vec<String> =
        exsync_model::occurrences(&weekly_meeting().when, &series, window.start, window.end)
            .expect("expands")
            .into_iter()
            .map(|occurrence| match occurrence.when {
                When::Timed { start, .. } => start.local.format("%m-%d %H:%M").to_string(),
                When::AllDay { start, .. } => start.to_string(),
            })
            .collect();
    assert_eq!(
        starts,
        [
            "03-02 09:00",
            "03-09 09:00",
            "03-17 14:00",
            "03-23 09:00",
            "03-30 09:00",
            "04-13 09:00",
            "04-20 09:00",
            "04-27 09:00",
            "05-04 09:00"
        ]
    );
    let listed = db.list_appointments("eva", None).await.expect("lists");
    assert_eq!(listed.len(), 1);
    let (id, appointment) = listed[0].as_ref().expect("valid row");
    assert_eq!((id.as_str(), appointment), ("APP-1001", &weekly_meeting()));
    assert!(matches!(
        db.get_appointment(&BusinessId::from("APP-404")).await,
        Ok(None)
    ));
}

async fn windows_find_series_by_their_occurrences(t: TestDb) {
    let db = t.ready().await;
    t.vendor.exec(WORKED_EXAMPLE).await;
    let ids = |window: Window| async move {
        db.list_appointments("eva", Some(&window))
            .await
            .expect("lists")
            .into_iter()
            .map(|item| item.expect("valid").0.0)
            .collect::<Vec<_>>()
    };
    // The last occurrence is Monday 4 May.
    assert_eq!(
        ids(Window::days(day("2026-05-04"), day("2026-05-04"))).await,
        ["APP-1001"]
    );
    assert!(
        ids(Window::days(day("2026-05-05"), day("2026-06-30")))
            .await
            .is_empty()
    );
    // Only the moved occurrence (Tuesday 17 March) falls on this day.
    assert_eq!(
        ids(Window::days(day("2026-03-17"), day("2026-03-17"))).await,
        ["APP-1001"]
    );
    // Easter Monday is cancelled, nothing else happens that week.
    assert!(
        ids(Window::days(day("2026-04-06"), day("2026-04-12")))
            .await
            .is_empty()
    );
    assert!(
        ids(Window::days(day("2026-01-01"), day("2026-03-01")))
            .await
            .is_empty()
    );
    // A single appointment is found by its time.
    t.vendor
        .exec(
            "INSERT INTO exsync_appointments (id, owner_login, subject, start_time, start_zone, \
             end_time) VALUES ('APP-1', 'eva', 'Visit', '2026-06-01T23:30:00', 'Europe/Berlin', \
             '2026-06-02T00:30:00')",
        )
        .await;
    assert_eq!(
        ids(Window::days(day("2026-06-01"), day("2026-06-01"))).await,
        ["APP-1"]
    );
    assert!(
        ids(Window::days(day("2026-06-02"), day("2026-06-30")))
            .await
            .is_empty()
    );
    let unknown = db.list_appointments("nobody", None).await.expect("lists");
    assert!(unknown.is_empty());
}
