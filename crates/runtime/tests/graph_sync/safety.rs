//! Safety: approving held mass deletions (`approve_deletions`), resetting a mailbox
//! (`reset_mailbox`, with and without deleting in Exchange), and the start mode
//! "changes only". Each test runs real passes against the emulator; this file holds what the
//! tests share.

mod approval;
mod reset;
mod start_mode;

use exsync_business::Origin;
use exsync_model::{BusinessId, ItemKind};
use exsync_runtime::OnceOutcome;

use crate::appointments::meeting;
use crate::common::{Backend, World};

/// A world syncing only the first user's appointments, with `subjects` in the business
/// database, synced once.
pub async fn world_with(subjects: &[&str]) -> World {
    world_on(Backend::Sqlite, subjects)
        .await
        .expect("a SQLite world")
}

/// [`world_with`] on `backend`; `None` when PostgreSQL is not configured.
pub async fn world_on(backend: Backend, subjects: &[&str]) -> Option<World> {
    let mut world = World::on(backend).await?;
    world.only_first_user_and(ItemKind::Appointment).await;
    for (i, subject) in subjects.iter().enumerate() {
        add(&world, &format!("S-{i}"), subject).await;
    }
    Some(world)
}

pub async fn add(world: &World, id: &str, subject: &str) {
    world
        .business
        .upsert_appointment(
            world.login(0),
            &BusinessId::from(id),
            &meeting(subject, "2027-01-12 10:00", "2027-01-12 11:00"),
            Origin::Business,
        )
        .await
        .expect("written");
}

pub async fn events_titled(world: &World, subject: &str) -> usize {
    world
        .outlook
        .events_titled(world.mailbox(0), subject)
        .await
        .len()
}

pub async fn business_titled(world: &World, subject: &str) -> usize {
    world
        .business
        .list_appointments(world.login(0), None)
        .await
        .expect("listing")
        .into_iter()
        .filter(|row| row.as_ref().is_ok_and(|(_, a)| a.subject == subject))
        .count()
}

pub async fn links(world: &World) -> usize {
    world
        .state
        .links(world.mailbox(0), ItemKind::Appointment)
        .await
        .expect("links")
        .len()
}

pub fn held(outcome: &OnceOutcome) -> Option<String> {
    outcome.reports.iter().find_map(|r| r.held.clone())
}
