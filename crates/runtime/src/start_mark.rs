//! Start mode "changes only" (`service.start_mode = "changes_only"`): a mailbox's first sync of
//! a kind transfers nothing that already exists; only items created or changed afterwards.
//!
//! The first pass of a mailbox and kind (no Exchange cursor and no link yet) stores a start
//! mark: a cursor of the mailbox named `start-mark:<kind>` valued with the pass's time (RFC
//! 3339), committed with that pass. Every later pass with the mark leaves out the unlinked
//! items of either side last modified before the mark.
//!
//! Invariants:
//! - Linked items, and items found on both sides (matched by their stamp), always sync.
//! - Times are compared in whole seconds (the business side's precision on SQLite): an item
//!   modified in the second of the mark, or without a known modification time, is transferred
//!   (never lose a change).
//! - With "full_window" (the default) marks are ignored and nothing is left out.

use chrono::{DateTime, SubsecRound, Utc};
use exsync_config::StartMode;
use exsync_engine::{ItemState, Observed};
use exsync_model::ItemKind;
use exsync_store::StateStore;

use crate::kind::SyncKind;

/// The cursor name of the start mark for `kind`.
pub fn start_mark_cursor_name(kind: ItemKind) -> String {
    format!("start-mark:{}", kind.as_str())
}

/// The start mark a pass applies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StartMark {
    /// Unlinked items modified before this second are left out.
    pub(crate) at: DateTime<Utc>,
    /// True when this pass sets the mark (to be committed with it).
    pub(crate) is_new: bool,
}

/// The start mark of a pass at `now`: `None` with "full_window", or in "changes_only" when
/// the mailbox and kind were synced before the mark was introduced (`first_sync` false and no
/// stored mark).
pub(crate) async fn start_mark<T: SyncKind>(
    state: &StateStore,
    mode: StartMode,
    mailbox: &str,
    first_sync: bool,
    now: DateTime<Utc>,
) -> Result<Option<StartMark>, String> {
    if mode != StartMode::ChangesOnly {
        return Ok(None);
    }
    let stored = state
        .cursor(mailbox, &start_mark_cursor_name(T::KIND))
        .await
        .map_err(|e| format!("reading the sync state: {e}"))?;
    if let Some(stored) = stored {
        let at = DateTime::parse_from_rfc3339(&stored.value)
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or(stored.updated_at);
        return Ok(Some(StartMark {
            at: at.trunc_subsecs(0),
            is_new: false,
        }));
    }
    Ok(first_sync.then(|| StartMark {
        at: now.trunc_subsecs(0),
        is_new: true,
    }))
}

/// `states` without the unlinked one-sided items last modified before `mark` (all of them
/// without a mark).
pub(crate) fn leave_out_older<T: SyncKind>(
    states: Vec<ItemState<T>>,
    mark: Option<&StartMark>,
    mailbox: &str,
) -> Vec<ItemState<T>> {
    let Some(mark) = mark else {
        return states;
    };
    let before = states.len();
    let older = |observed: &Observed<T>| observed.modified.is_some_and(|at| at < mark.at);
    let kept: Vec<ItemState<T>> = states
        .into_iter()
        .filter(|state| match state {
            ItemState::Unlinked(unlinked) => match (&unlinked.business, &unlinked.exchange) {
                (Some((_, item)), None) | (None, Some((_, item))) => !older(item),
                _ => true,
            },
            ItemState::Linked(_) => true,
        })
        .collect();
    let left_out = before - kept.len();
    tracing::debug!(
        mailbox,
        kind = %T::KIND,
        left_out,
        "start mode changes_only: unlinked items older than the start mark left out"
    );
    kept
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use exsync_engine::LinkIds;
    use exsync_model::Task;

    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + seconds, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn only_older_one_sided_unlinked_items_are_left_out() {
        let mark = StartMark {
            at: at(10),
            is_new: false,
        };
        let task = |s: i64| Observed::at(Task::new("t"), at(s));
        let states = vec![
            ItemState::new_in_business("old", task(9)),
            ItemState::new_in_business("same-second", task(10)),
            ItemState::new_in_exchange("X-old", task(1)),
            ItemState::new_in_exchange("X-unknown", Observed::new(Task::new("t"))),
            ItemState::found_on_both(LinkIds::new("b", "X-both"), task(1), task(1)),
            ItemState::linked(
                LinkIds::new("l", "X-l"),
                Task::new("t"),
                Some(task(1)),
                Some(task(1)),
            ),
        ];
        let kept = leave_out_older(states, Some(&mark), "eva@x.example");
        assert_eq!(kept.len(), 4);
        let ids: Vec<String> = kept.iter().map(|s| s.ids().to_string()).collect();
        assert_eq!(ids.len(), 4, "{ids:?}");
        assert!(!ids.iter().any(|id| id.contains("old")), "{ids:?}");
    }
}
