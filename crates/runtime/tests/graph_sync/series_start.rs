//! A series whose pattern a user changes in Outlook so that its start no longer fits it
//! ("every third day from Monday 8 March" becomes "weekly on Tuesday and Thursday") reaches the
//! business side starting with its first occurrence: a row the business side's reader accepts,
//! exported by `export-ics`, and nothing stuck. A series the business side cannot hold is
//! reported as rejected on every pass, never written unreadable and never silent.

use exsync_business::{Origin, export_ics};
use exsync_model::{BusinessId, Pattern, Range, Recurrence, Series, WeekdaySet, When};
use serde_json::json;

use crate::appointments::{berlin, meeting};
use crate::common::{World, describe, total};

const ZONE: &str = "W. Europe Standard Time";

#[tokio::test]
async fn a_pattern_changed_in_outlook_reaches_the_business_side_readable_and_exported() {
    let world = World::new().await;
    let id = BusinessId::from("S-3");
    let mut item = meeting("Jour fixe", "2027-03-08 09:00", "2027-03-08 10:00");
    item.series = Some(Series::new(Recurrence {
        pattern: Pattern::Daily { interval: 3 },
        range: Range::Numbered { count: 10 },
        time_zone: None,
    }));
    world
        .business
        .upsert_appointment(world.login(1), &id, &item, Origin::Business)
        .await
        .expect("written");
    world.sync().await;
    let mailbox = world.mailbox(1);
    let master = world
        .outlook
        .events_titled(mailbox, "Jour fixe")
        .await
        .remove(0);
    let master_id = master["id"].as_str().expect("id");

    // Outlook: weekly on Tuesday and Thursday, the range still applied from Monday 8 March.
    world
        .outlook
        .patch(
            &format!("/users/{mailbox}/events/{master_id}"),
            json!({"recurrence": {
                "pattern": {"type": "weekly", "interval": 1,
                            "daysOfWeek": ["tuesday", "thursday"], "firstDayOfWeek": "sunday"},
                "range": {"type": "numbered", "startDate": "2027-03-08",
                          "numberOfOccurrences": 10, "recurrenceTimeZone": ZONE}
            }}),
        )
        .await;
    // `sync` fails on any rejection: the pass writes the series and rejects nothing.
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.business.updated),
        1,
        "{}",
        describe(&outcome)
    );

    let stored = world
        .business
        .get_appointment(&id)
        .await
        .expect("the business reader accepts the row")
        .expect("the row")
        .item;
    assert_eq!(
        stored.when,
        When::Timed {
            start: berlin("2027-03-09 09:00"),
            end: berlin("2027-03-09 10:00"),
        }
    );
    let series = stored.series.expect("a series");
    assert!(matches!(
        series.recurrence.pattern,
        Pattern::Weekly { days, .. } if days == WeekdaySet::from(vec![
            chrono::Weekday::Tue,
            chrono::Weekday::Thu,
        ])
    ));
    assert_eq!(series.recurrence.range, Range::Numbered { count: 10 });
    let listed = world
        .business
        .list_appointments(world.login(1), None)
        .await
        .expect("listed");
    assert!(listed.iter().all(Result::is_ok), "an unreadable row");

    let export = export_ics(&world.business, world.login(1), None, None)
        .await
        .expect("exported");
    assert!(export.skipped.is_empty(), "skipped: {:?}", export.skipped);
    assert!(
        export.text.contains("SUMMARY:Jour fixe") && export.text.contains("20270309T090000"),
        "{}",
        export.text
    );
    assert!(export.text.contains("BYDAY=TU,TH"), "{}", export.text);

    // Nothing stuck: the next pass finds both sides equal.
    let settled = world.sync().await;
    assert!(crate::common::quiet(&settled), "{}", describe(&settled));
}

#[tokio::test]
async fn a_series_the_business_side_cannot_hold_is_rejected_on_every_pass() {
    let world = World::new().await;
    let mailbox = world.mailbox(1);
    // Graph takes "the first Monday or Wednesday of the month"; the rrule column does not.
    world
        .outlook
        .post(
            &format!("/users/{mailbox}/events"),
            json!({
                "subject": "Monday or Wednesday",
                "start": {"dateTime": "2027-03-01T09:00:00", "timeZone": ZONE},
                "end": {"dateTime": "2027-03-01T10:00:00", "timeZone": ZONE},
                "recurrence": {
                    "pattern": {"type": "relativeMonthly", "interval": 1,
                                "daysOfWeek": ["monday", "wednesday"], "index": "first"},
                    "range": {"type": "numbered", "startDate": "2027-03-01",
                              "numberOfOccurrences": 6, "recurrenceTimeZone": ZONE}
                }
            }),
        )
        .await;
    for pass in 0..2 {
        let outcome = world.sync_allowing_failures().await;
        let rejected: Vec<_> = outcome
            .reports
            .iter()
            .flat_map(|r| r.rejected.iter())
            .collect();
        assert_eq!(rejected.len(), 1, "pass {pass}: {}", describe(&outcome));
        assert!(
            rejected[0].reason.contains("rrule") && rejected[0].reason.contains("BYDAY"),
            "pass {pass}: {}",
            rejected[0].reason
        );
        let rows = world
            .business
            .list_appointments(world.login(1), None)
            .await
            .expect("listed");
        assert!(rows.is_empty(), "pass {pass}: a row was written: {rows:?}");
    }
}
