//! Probes: the service's cheap look whether Exchange changed anything in some mailboxes since
//! their cursors, many mailboxes per `$batch`.

use std::time::{Duration, Instant};

use exsync_model::ItemKind;
use exsync_runtime::MailboxConnector;

use crate::common::{World, quiet};

const KINDS: [ItemKind; 3] = [ItemKind::Appointment, ItemKind::Task, ItemKind::Contact];

#[tokio::test]
async fn probes_see_exchange_changes_and_nothing_else() {
    let world = World::new().await;
    let (m0, m1) = (world.mailbox(0).to_owned(), world.mailbox(1).to_owned());
    let never_synced = world
        .connector
        .changed_kinds(&world.state, &[&m0], &KINDS)
        .await;
    assert_eq!(
        never_synced[0].as_ref().expect("answered"),
        &KINDS,
        "without cursors only a pass can tell"
    );
    world.sync().await;
    assert!(quiet(&world.sync().await), "settled");
    let mailboxes = [m0.as_str(), m1.as_str()];
    let idle = world
        .connector
        .changed_kinds(&world.state, &mailboxes, &KINDS)
        .await;
    for answer in &idle {
        assert_eq!(answer.as_ref().expect("answered"), &Vec::<ItemKind>::new());
    }
    world
        .outlook
        .create_event(&m1, "Dentist", "2027-02-03T09:00:00", "2027-02-03T10:00:00")
        .await;
    let after = world
        .connector
        .changed_kinds(&world.state, &mailboxes, &KINDS)
        .await;
    assert_eq!(
        after[0].as_ref().expect("answered"),
        &Vec::<ItemKind>::new()
    );
    assert_eq!(
        after[1].as_ref().expect("answered"),
        &[ItemKind::Appointment],
        "the new event is seen in its mailbox only"
    );
    // A probe changes no cursor: asking again sees the same change, and the pass takes it.
    let again = world
        .connector
        .changed_kinds(&world.state, &[&m1], &KINDS)
        .await;
    assert_eq!(
        again[0].as_ref().expect("answered"),
        &[ItemKind::Appointment]
    );
    world.sync().await;
    // The pass stamped the event with its new business id: a write of exsync's own, which
    // the next round must confirm, so the probe still points there once more.
    let echo = world
        .connector
        .changed_kinds(&world.state, &[&m1], &KINDS)
        .await;
    assert_eq!(
        echo[0].as_ref().expect("answered"),
        &[ItemKind::Appointment]
    );
    assert!(
        quiet(&world.sync().await),
        "the confirming pass writes nothing"
    );
    let settled = world
        .connector
        .changed_kinds(&world.state, &mailboxes, &KINDS)
        .await;
    for answer in &settled {
        assert!(
            answer.as_ref().expect("answered").is_empty(),
            "quiet once its own writes are confirmed: {settled:?}"
        );
    }
    world.finish().await;
}

#[tokio::test]
async fn a_throttled_mailbox_does_not_hold_back_the_probes_of_the_others() {
    let world = World::new().await;
    world.sync().await;
    world.sync().await;
    let (m0, m1) = (world.mailbox(0).to_owned(), world.mailbox(1).to_owned());
    assert!(world.emu.throttle_now(&m1, 60));
    let started = Instant::now();
    let answers = world
        .connector
        .changed_kinds(&world.state, &[m0.as_str(), m1.as_str()], &KINDS)
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "nobody waited for the minute-long throttle: {:?}",
        started.elapsed()
    );
    assert!(answers[0].as_ref().expect("m0 answered").is_empty());
    let error = answers[1].as_ref().expect_err("m1 is throttled");
    assert!(error.message.contains(&m1), "{}", error.message);
    world.finish().await;
}

#[tokio::test]
async fn quiet_probes_hand_their_fresh_delta_link_to_the_next_pass() {
    let world = World::new().await;
    world.sync().await;
    world.sync().await;
    let m0 = world.mailbox(0).to_owned();
    let cursor = world
        .state
        .cursor(&m0, "graph.calendar_view.delta")
        .await
        .expect("read")
        .expect("a cursor");
    let stored: serde_json::Value = serde_json::from_str(&cursor.value).expect("json");
    let stored = stored["delta_link"].as_str().expect("link").to_owned();
    // Each quiet probe is handed the next generation of the delta link.
    for _ in 0..4 {
        let answer = world
            .connector
            .changed_kinds(&world.state, &[&m0], &[ItemKind::Appointment])
            .await;
        assert!(
            answer[0].as_ref().expect("answered").is_empty(),
            "{answer:?}"
        );
    }
    let relative = stored.strip_prefix(&world.emu.graph_url()).expect("own");
    assert_eq!(
        world.outlook.status(relative).await,
        410,
        "Graph forgot the stored link"
    );
    world.emu.reset_request_counts();
    assert!(quiet(&world.sync().await));
    let delta_requests: u64 = world
        .emu
        .request_counts()
        .iter()
        .filter(|c| c.mailbox.eq_ignore_ascii_case(&m0) && c.operation == "GET calendarView/delta")
        .map(|c| c.count)
        .sum();
    assert_eq!(
        delta_requests, 2,
        "the pass followed the probe's link (an empty page, then the last): no 410, no new round"
    );
    world.finish().await;
}
