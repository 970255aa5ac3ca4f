//! A pass that finds at its commit that another process holds its mailbox's lease commits
//! nothing; the rightful holder's next pass finds everything without duplicates.

use std::time::Duration;

use exsync_business::Origin;
use exsync_model::{Appointment, BusinessId, ItemKind};
use exsync_runtime::{LeaseFence, MailboxUser, PassEnv, mailbox_lease, sync_kind, window_for};

use crate::appointments::meeting;
use crate::common::World;

#[tokio::test]
async fn a_pass_whose_lease_passed_to_another_process_commits_nothing() {
    let world = World::new().await;
    for n in 0..3 {
        world
            .business
            .upsert_appointment(
                world.login(0),
                &BusinessId::from(format!("F-{n}")),
                &meeting(
                    &format!("Fenced {n}"),
                    "2027-03-02 10:00",
                    "2027-03-02 11:00",
                ),
                Origin::Business,
            )
            .await
            .expect("written");
    }
    let mailbox = world.mailbox(0);
    // Another process took the mailbox over while this one (holder "stalled") was paused.
    assert!(
        world
            .state
            .try_acquire_lease(
                &mailbox_lease(mailbox),
                "other",
                Duration::from_secs(60),
                world.now
            )
            .await
            .expect("lease")
    );
    let env = PassEnv {
        business: &world.business,
        state: &world.state,
        rules: &world.rules,
        window: window_for(world.now, world.sync.months_past, world.sync.months_future),
        dry_run: false,
        start_mode: exsync_config::StartMode::FullWindow,
        lease: Some(LeaseFence {
            holder: "stalled",
            clock_offset: world.now - chrono::Utc::now(),
        }),
        pair_existing: true,
    };
    let who = MailboxUser {
        login: world.login(0),
        mailbox,
    };
    let (report, _) = sync_kind::<Appointment, _>(&env, who, &world.connector).await;
    let failure = report.failure.expect("the pass is refused at its commit");
    assert!(failure.contains("\"other\""), "{failure}");
    assert!(
        failure.contains("nothing of this pass was committed"),
        "{failure}"
    );
    assert_eq!(
        world
            .state
            .count_links(mailbox, ItemKind::Appointment)
            .await
            .expect("count"),
        0,
        "no link committed"
    );
    // The rightful holder syncs: the items the stalled pass wrote are found, not duplicated.
    world
        .state
        .release_lease(&mailbox_lease(mailbox), "other")
        .await
        .expect("release");
    world.sync().await;
    let events = world.outlook.events(mailbox).await;
    let fenced = events
        .iter()
        .filter(|e| {
            e["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("Fenced"))
        })
        .count();
    assert_eq!(fenced, 3, "each once");
    world.finish().await;
}
