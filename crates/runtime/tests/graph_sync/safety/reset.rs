//! Resetting a mailbox: with deletion only linked items go, a failed delete stays linked;
//! without deletion the stamps re-link everything; no duplicates either way; a reset of one
//! kind leaves the other kinds' links, cursors and items alone.

use std::future::Future;

use exsync_business::Origin;
use exsync_engine::SyncWindow;
use exsync_model::{Appointment, BusinessId, ExchangeId, ItemKind, Task};
use exsync_runtime::graph::GraphConnector;
use exsync_runtime::{
    ALL_KINDS, Collected, ExchangeSide, ExchangeWrite, LinkedItems, SideError, Written,
    reset_mailbox,
};

use super::{business_titled, events_titled, links, world_on, world_with};
use crate::common::{Backend, describe, quiet, total};

const THREE: [&str; 3] = ["Reset 1", "Reset 2", "Reset 3"];

#[tokio::test]
async fn reset_with_deletion_removes_only_linked_items_and_the_next_pass_exports_once() {
    let world = world_with(&THREE).await;
    world.sync().await;
    // Created in Outlook after the pass: exsync never linked it.
    world
        .outlook
        .create_event(
            world.mailbox(0),
            "Private lunch",
            "2027-01-13T12:00:00",
            "2027-01-13T13:00:00",
        )
        .await;

    let reset = reset_mailbox(
        &world.state,
        &world.connector,
        world.mailbox(0),
        true,
        &ALL_KINDS,
    )
    .await
    .expect("reset");
    assert_eq!(reset.deleted_in_exchange, 3, "{reset:?}");
    assert_eq!(reset.links_forgotten, 3);
    assert!(reset.failed.is_empty(), "{reset:?}");
    assert_eq!(links(&world).await, 0);
    for subject in THREE {
        assert_eq!(events_titled(&world, subject).await, 0, "{subject}");
    }
    assert_eq!(
        events_titled(&world, "Private lunch").await,
        1,
        "not linked"
    );

    let again = world.sync().await;
    assert_eq!(
        total(&again, |r| r.exchange.created),
        3,
        "{}",
        describe(&again)
    );
    for subject in THREE {
        assert_eq!(events_titled(&world, subject).await, 1, "{subject}");
        assert_eq!(business_titled(&world, subject).await, 1, "{subject}");
    }
    assert_eq!(events_titled(&world, "Private lunch").await, 1);
    assert_eq!(business_titled(&world, "Private lunch").await, 1);
    assert!(quiet(&world.sync().await));
}

#[tokio::test]
async fn reset_without_deletion_relinks_by_stamp_without_duplicates() {
    reset_without_deletion_relinks(Backend::Sqlite).await;
}

#[tokio::test]
async fn reset_without_deletion_relinks_by_stamp_without_duplicates_on_postgres() {
    reset_without_deletion_relinks(Backend::Postgres).await;
}

async fn reset_without_deletion_relinks(backend: Backend) {
    let Some(world) = world_on(backend, &THREE).await else {
        return;
    };
    world.sync().await;
    let reset = reset_mailbox(
        &world.state,
        &world.connector,
        world.mailbox(0),
        false,
        &ALL_KINDS,
    )
    .await
    .expect("reset");
    assert_eq!((reset.deleted_in_exchange, reset.links_forgotten), (0, 3));
    assert_eq!(links(&world).await, 0);

    let again = world.sync().await;
    assert_eq!(
        total(&again, |r| r.exchange.created),
        0,
        "{}",
        describe(&again)
    );
    assert_eq!(
        total(&again, |r| r.business.created),
        0,
        "{}",
        describe(&again)
    );
    assert_eq!(total(&again, |r| r.linked), 3, "{}", describe(&again));
    assert_eq!(links(&world).await, 3);
    for subject in THREE {
        assert_eq!(events_titled(&world, subject).await, 1, "{subject}");
        assert_eq!(business_titled(&world, subject).await, 1, "{subject}");
    }
    assert!(quiet(&world.sync().await));
    world.finish().await;
}

#[tokio::test]
async fn a_reset_of_appointments_leaves_tasks_linked_and_in_to_do() {
    let mut world = world_with(&THREE).await;
    world
        .rules
        .set_direction(ItemKind::Task, exsync_engine::Direction::Both);
    world
        .business
        .upsert_task(
            world.login(0),
            &BusinessId::from("T-1"),
            &Task::new("Order paper"),
            Origin::Business,
        )
        .await
        .expect("written");
    world.sync().await;
    let mailbox = world.mailbox(0);
    let task_links = || async {
        world
            .state
            .links(mailbox, ItemKind::Task)
            .await
            .expect("links")
            .len()
    };
    assert_eq!((links(&world).await, task_links().await), (3, 1));
    let task_cursor = ExchangeSide::<Task>::cursor_name(&world.connector);
    let event_cursor = ExchangeSide::<Appointment>::cursor_name(&world.connector);
    let state = &world.state;
    let cursor =
        |name: &'static str| async move { state.cursor(mailbox, name).await.expect("cursor") };
    assert!(cursor(task_cursor).await.is_some() && cursor(event_cursor).await.is_some());

    let reset = reset_mailbox(
        &world.state,
        &world.connector,
        mailbox,
        true,
        &[ItemKind::Appointment],
    )
    .await
    .expect("reset");
    assert_eq!((reset.deleted_in_exchange, reset.links_forgotten), (3, 3));
    assert_eq!((links(&world).await, task_links().await), (0, 1));
    assert!(
        cursor(event_cursor).await.is_none(),
        "the events' cursor is forgotten"
    );
    assert!(
        cursor(task_cursor).await.is_some(),
        "the tasks' cursor stays"
    );
    for subject in THREE {
        assert_eq!(events_titled(&world, subject).await, 0, "{subject}");
    }
    let tasks = world
        .outlook
        .get(&format!("/users/{mailbox}/todo/lists"))
        .await;
    let list = tasks["value"]
        .as_array()
        .and_then(|lists| {
            lists
                .iter()
                .find(|l| l["wellknownListName"] == "defaultList")
        })
        .and_then(|l| l["id"].as_str())
        .expect("the default list")
        .to_owned();
    let in_to_do = world
        .outlook
        .get(&format!("/users/{mailbox}/todo/lists/{list}/tasks"))
        .await;
    assert_eq!(in_to_do["value"][0]["title"], "Order paper", "{in_to_do}");

    let again = world.sync().await;
    let of = |kind: ItemKind, count: fn(&exsync_runtime::KindReport) -> usize| {
        again
            .reports
            .iter()
            .filter(|r| r.kind == kind)
            .map(count)
            .sum::<usize>()
    };
    assert_eq!(
        of(ItemKind::Appointment, |r| r.exchange.created),
        3,
        "{}",
        describe(&again)
    );
    assert_eq!(
        of(ItemKind::Task, |r| r.exchange.created + r.business.created),
        0,
        "the task stays linked: {}",
        describe(&again)
    );
    assert!(quiet(&world.sync().await));
}

#[tokio::test]
async fn a_failed_delete_keeps_its_link_and_is_reported() {
    let world = world_with(&THREE).await;
    world.sync().await;
    let all = world
        .state
        .links(world.mailbox(0), ItemKind::Appointment)
        .await
        .expect("links");
    let refused = ExchangeId::from(all[0].exchange_id.clone().expect("created"));
    let connector = RefusingDelete {
        inner: &world.connector,
        refused: refused.clone(),
    };
    let reset = reset_mailbox(&world.state, &connector, world.mailbox(0), true, &ALL_KINDS)
        .await
        .expect("reset");
    assert_eq!((reset.deleted_in_exchange, reset.links_forgotten), (2, 2));
    assert_eq!(reset.failed.len(), 1, "{reset:?}");
    assert!(reset.failed[0].item.contains(refused.as_str()), "{reset:?}");
    assert!(reset.failed[0].reason.contains("refused by the test"));
    let left = world
        .state
        .links(world.mailbox(0), ItemKind::Appointment)
        .await
        .expect("links");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].exchange_id.as_deref(), Some(refused.as_str()));
}

/// The emulator's connector, except that deleting `refused` fails.
struct RefusingDelete<'c> {
    inner: &'c GraphConnector,
    refused: ExchangeId,
}

impl RefusingDelete<'_> {
    fn refuses<T>(&self, write: &ExchangeWrite<'_, T>) -> bool {
        matches!(write, ExchangeWrite::Delete { id } if **id == self.refused)
    }
}

impl<T> ExchangeSide<T> for RefusingDelete<'_>
where
    GraphConnector: ExchangeSide<T>,
    T: Clone + Send + Sync,
{
    fn cursor_name(&self) -> &'static str {
        ExchangeSide::<T>::cursor_name(self.inner)
    }

    fn collect<'a>(
        &'a self,
        mailbox: &'a str,
        cursor: Option<&'a str>,
        window: &'a SyncWindow,
        linked: &'a LinkedItems<'a, T>,
    ) -> impl Future<Output = Result<Collected<T>, SideError>> + Send + 'a {
        self.inner.collect(mailbox, cursor, window, linked)
    }

    async fn apply<'a>(
        &'a self,
        mailbox: &'a str,
        writes: &'a [ExchangeWrite<'a, T>],
    ) -> Vec<Result<Written, SideError>> {
        let passed: Vec<ExchangeWrite<'a, T>> = writes
            .iter()
            .filter(|w| !self.refuses(w))
            .cloned()
            .collect();
        let mut done = ExchangeSide::<T>::apply(self.inner, mailbox, &passed)
            .await
            .into_iter();
        writes
            .iter()
            .map(|w| {
                if self.refuses(w) {
                    Err(SideError::item("refused by the test"))
                } else {
                    done.next()
                        .unwrap_or_else(|| Err(SideError::item("no result")))
                }
            })
            .collect()
    }
}
