//! Resetting a mailbox: with deletion only linked items go, a failed delete stays linked;
//! without deletion the stamps re-link everything; no duplicates either way.

use std::future::Future;

use exsync_engine::SyncWindow;
use exsync_model::{ExchangeId, ItemKind};
use exsync_runtime::graph::GraphConnector;
use exsync_runtime::{
    Collected, ExchangeSide, ExchangeWrite, LinkedItems, SideError, Written, reset_mailbox,
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

    let reset = reset_mailbox(&world.state, &world.connector, world.mailbox(0), true)
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
    let reset = reset_mailbox(&world.state, &world.connector, world.mailbox(0), false)
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
    let reset = reset_mailbox(&world.state, &connector, world.mailbox(0), true)
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
