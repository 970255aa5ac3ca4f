//! Resetting one mailbox (`exsync reset`), for every item kind or the kinds asked for
//! (`--kind appointments`, as bnWin's `AlleTermineVorloeschen` is about appointments only):
//! optionally delete in Exchange the items of those kinds exsync created or linked, then forget
//! their links, cursors, approval markers and start marks, so the next pass syncs them afresh.
//! The other kinds keep everything.
//!
//! Invariants:
//! - Only linked items are deleted in Exchange (links are exactly what exsync created or
//!   linked); an item exsync never linked is never touched. A series is deleted through its
//!   master (its occurrences go with it).
//! - An item whose delete failed stays linked and is reported with the reason; the rest goes
//!   on. Without deletion the Exchange items keep exsync's business-id stamp, so the next pass
//!   links them again instead of creating duplicates.
//! - The caller holds the mailbox's lease (no pass of the mailbox runs meanwhile).

use exsync_model::{Appointment, Contact, ItemKind, Task};
use exsync_store::StateStore;

use crate::approval::approval_cursor_name;
use crate::exchange::{ExchangeSide, ExchangeWrite};
use crate::kind::SyncKind;
use crate::once::ALL_KINDS;
use crate::report::Rejection;
use crate::start_mark::start_mark_cursor_name;

/// What resetting a mailbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResetOutcome {
    /// The mailbox.
    pub mailbox: String,
    /// Items deleted in Exchange (or already gone there).
    pub deleted_in_exchange: usize,
    /// Links forgotten.
    pub links_forgotten: usize,
    /// Items whose delete failed: they stay linked.
    pub failed: Vec<Rejection>,
}

/// Resets `mailbox` (the name the runtime addresses it by) for each of `kinds` (see
/// [`ALL_KINDS`]); nothing of the other kinds is touched.
pub async fn reset_mailbox<X>(
    state: &StateStore,
    exchange: &X,
    mailbox: &str,
    delete_exchange_items: bool,
    kinds: &[ItemKind],
) -> Result<ResetOutcome, String>
where
    X: ExchangeSide<Appointment> + ExchangeSide<Task> + ExchangeSide<Contact>,
{
    let mut outcome = ResetOutcome {
        mailbox: mailbox.to_owned(),
        ..ResetOutcome::default()
    };
    for kind in ALL_KINDS.into_iter().filter(|k| kinds.contains(k)) {
        let cursor = match kind {
            ItemKind::Appointment => {
                reset_kind::<Appointment, X>(
                    state,
                    exchange,
                    mailbox,
                    delete_exchange_items,
                    &mut outcome,
                )
                .await?
            }
            ItemKind::Task => {
                reset_kind::<Task, X>(
                    state,
                    exchange,
                    mailbox,
                    delete_exchange_items,
                    &mut outcome,
                )
                .await?
            }
            ItemKind::Contact => {
                reset_kind::<Contact, X>(
                    state,
                    exchange,
                    mailbox,
                    delete_exchange_items,
                    &mut outcome,
                )
                .await?
            }
        };
        for name in [
            cursor.to_owned(),
            approval_cursor_name(kind),
            start_mark_cursor_name(kind),
        ] {
            state
                .delete_cursor(mailbox, &name)
                .await
                .map_err(|e| format!("forgetting cursor {name} of {mailbox}: {e}"))?;
        }
    }
    Ok(outcome)
}

/// Deletes (optionally) and unlinks the items of kind `T`; returns the connector's cursor name.
async fn reset_kind<T: SyncKind, X: ExchangeSide<T>>(
    state: &StateStore,
    exchange: &X,
    mailbox: &str,
    delete_exchange_items: bool,
    outcome: &mut ResetOutcome,
) -> Result<&'static str, String> {
    let links = state
        .links(mailbox, T::KIND)
        .await
        .map_err(|e| format!("reading the links of {mailbox}: {e}"))?;
    let mut keep = std::collections::HashSet::new();
    if delete_exchange_items {
        let ids: Vec<exsync_model::ExchangeId> = links
            .iter()
            .filter_map(|l| l.exchange_id.clone().map(Into::into))
            .collect();
        let writes: Vec<ExchangeWrite<'_, T>> =
            ids.iter().map(|id| ExchangeWrite::Delete { id }).collect();
        let results = if writes.is_empty() {
            Vec::new()
        } else {
            exchange.apply(mailbox, &writes).await
        };
        for (index, id) in ids.iter().enumerate() {
            match results.get(index) {
                Some(Ok(_)) => outcome.deleted_in_exchange += 1,
                failed => {
                    let reason = match failed {
                        Some(Err(error)) => format!("deleting in Exchange: {error}"),
                        _ => "the connector returned no result".to_owned(),
                    };
                    outcome.failed.push(Rejection {
                        item: format!("{} Exchange {id} in {mailbox}", T::KIND),
                        reason: format!("{reason}; it stays linked, run the reset again"),
                    });
                    keep.insert(id.as_str().to_owned());
                }
            }
        }
    }
    for link in links {
        if link
            .exchange_id
            .as_ref()
            .is_some_and(|id| keep.contains(id))
        {
            continue;
        }
        state
            .unlink(mailbox, T::KIND, &link.business_id)
            .await
            .map_err(|e| format!("forgetting the link of {}: {e}", link.business_id))?;
        outcome.links_forgotten += 1;
    }
    Ok(exchange.cursor_name())
}
