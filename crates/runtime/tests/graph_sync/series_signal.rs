//! The series signal: Graph's delta feed says nothing when one occurrence is cancelled, but the
//! cancellation is a write to the series master, whose change key moves. Probes and
//! incremental passes find such a series through the stored keys, without a full pass.

use chrono::{NaiveDateTime, Weekday};
use exsync_business::Origin;
use exsync_model::{BusinessId, ItemKind, Pattern, Range, Recurrence, Series, WeekdaySet};
use exsync_runtime::MailboxConnector;
use exsync_runtime::graph::DeltaCursor;

use crate::appointments::meeting;
use crate::common::{World, connector_for, describe, quiet, total};

const CURSOR: &str = "graph.calendar_view.delta";

fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a local time")
}

/// Follows `link` to the end of its round (taking in whatever changed) and returns the new
/// delta link: afterwards the feed has nothing to say about those changes.
async fn consume_delta(world: &World, link: &str) -> String {
    let base = world.emu.graph_url();
    let mut next = link.to_owned();
    loop {
        let page = world
            .outlook
            .get(next.strip_prefix(base.as_str()).expect("a Graph link"))
            .await;
        if let Some(delta) = page["@odata.deltaLink"].as_str() {
            return delta.to_owned();
        }
        next = page["@odata.nextLink"]
            .as_str()
            .expect("a next link")
            .to_owned();
    }
}

#[tokio::test]
async fn a_cancelled_occurrence_the_delta_feed_does_not_report_is_found_by_its_masters_key() {
    let world = World::new().await;
    let mailbox = world.mailbox(0).to_owned();
    let id = BusinessId::from("S-signal");
    let mut review = meeting("Weekly review", "2027-03-08 09:00", "2027-03-08 10:00");
    review.series = Some(Series::new(Recurrence {
        pattern: Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::single(Weekday::Mon),
            first_day_of_week: Weekday::Mon,
        },
        range: Range::Numbered { count: 6 },
        time_zone: None,
    }));
    world
        .business
        .upsert_appointment(world.login(0), &id, &review, Origin::Business)
        .await
        .expect("written");
    let incremental = world.connector.clone().full_pass(false);
    world.sync().await;
    world.sync_with(&incremental).await;
    let settled = world.sync_with(&incremental).await;
    assert!(quiet(&settled), "{}", describe(&settled));
    let kinds = [ItemKind::Appointment];
    let idle = connector_for(&world.emu)
        .changed_kinds(&world.state, &[&mailbox], &kinds)
        .await;
    assert_eq!(idle[0].as_ref().expect("answered"), &Vec::<ItemKind>::new());

    // In Outlook: the 22 March occurrence is cancelled.
    let master = world
        .outlook
        .events_titled(&mailbox, "Weekly review")
        .await
        .remove(0)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let instances = world
        .outlook
        .get(&format!(
            "/users/{mailbox}/events/{master}/instances?startDateTime=2027-03-01T00:00:00Z&endDateTime=2027-05-01T00:00:00Z&$top=100"
        ))
        .await;
    let occurrence = instances["value"]
        .as_array()
        .expect("instances")
        .iter()
        .find(|i| {
            i["start"]["dateTime"]
                .as_str()
                .is_some_and(|s| s.starts_with("2027-03-22"))
        })
        .and_then(|i| i["id"].as_str())
        .expect("the 22 March occurrence")
        .to_owned();
    world
        .outlook
        .delete(&format!("/users/{mailbox}/events/{occurrence}"))
        .await;
    // As Graph: the delta feed reports nothing about it. (The emulator may report it; the
    // stored link is moved past the change, keeping the series keys of the last pass.)
    let stored = world
        .state
        .cursor(&mailbox, CURSOR)
        .await
        .expect("read")
        .expect("a cursor");
    let mut cursor: DeltaCursor = serde_json::from_str(&stored.value).expect("a delta cursor");
    assert!(cursor.series.is_some(), "the pass stored the masters' keys");
    cursor.delta_link = consume_delta(&world, &cursor.delta_link).await;
    world
        .state
        .set_cursor(&mailbox, CURSOR, &cursor.encode())
        .await
        .expect("stored");
    let empty = world
        .outlook
        .get(
            cursor
                .delta_link
                .strip_prefix(world.emu.graph_url().as_str())
                .expect("a Graph link"),
        )
        .await;
    assert_eq!(empty["value"], serde_json::json!([]), "the feed is silent");

    // The probe sees the series changed, and an incremental pass brings the cancellation.
    let probed = connector_for(&world.emu)
        .changed_kinds(&world.state, &[&mailbox], &kinds)
        .await;
    assert_eq!(
        probed[0].as_ref().expect("answered"),
        &[ItemKind::Appointment]
    );
    let outcome = world.sync_with(&incremental).await;
    assert_eq!(
        total(&outcome, |r| r.business.updated),
        1,
        "{}",
        describe(&outcome)
    );
    let series = world
        .business
        .get_appointment(&id)
        .await
        .expect("read")
        .expect("there")
        .item
        .series
        .expect("a series");
    assert_eq!(
        series.cancelled.iter().copied().collect::<Vec<_>>(),
        [local("2027-03-22 09:00")]
    );
    // Settled: the next pass writes nothing and the probes are quiet again.
    assert!(quiet(&world.sync_with(&incremental).await));
    let after = connector_for(&world.emu)
        .changed_kinds(&world.state, &[&mailbox], &kinds)
        .await;
    assert_eq!(
        after[0].as_ref().expect("answered"),
        &Vec::<ItemKind>::new()
    );
    world.finish().await;
}
