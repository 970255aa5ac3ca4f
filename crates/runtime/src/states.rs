//! Gathering the planner's input for one mailbox and kind: each linked item with its base and
//! what each side holds now, then the unlinked items of each side, matched by the business id
//! stamped on Exchange items, and the rest paired by content (`pairing`) when asked to.
//!
//! Invariants: an item rejected on either side (unreadable row, unreadable Exchange item) is
//! left out entirely, so it is neither deleted nor re-created; an Exchange item absent from
//! the collected changes is taken as unchanged (equal to its base); an item is deleted only
//! when its side's listing lacks it (business) or Exchange confirmed it gone.

use std::collections::{HashMap, HashSet};

use chrono::SubsecRound;

use exsync_engine::{ItemState, LinkIds, Observed};
use exsync_model::{BusinessId, ExchangeId};

use crate::exchange::{Collected, ExchangeItem};
use crate::kind::SyncKind;
use crate::pairing::{Ambiguity, pair};

/// A link with its decoded base.
#[derive(Debug, Clone)]
pub struct LinkedBase<T> {
    /// The business record.
    pub business_id: BusinessId,
    /// The Exchange item.
    pub exchange_id: ExchangeId,
    /// The Exchange change key of the base version.
    pub change_key: Option<String>,
    /// The agreed state.
    pub base: T,
}

/// What each side holds now, keyed by id.
#[derive(Debug)]
pub struct SidesNow<T> {
    /// Business records that read cleanly, with when they were last written.
    pub business: HashMap<BusinessId, Observed<T>>,
    /// Business records whose rows are malformed (left alone).
    pub business_rejected: HashSet<BusinessId>,
    /// What the connector collected.
    pub exchange: Collected<T>,
}

/// The planner's input, and the change keys known for Exchange items.
pub struct Gathered<T> {
    /// One state per item.
    pub states: Vec<ItemState<T>>,
    /// Change keys of Exchange items read this pass, by id.
    pub change_keys: HashMap<ExchangeId, String>,
    /// Exchange items paired by content with a business record (to be stamped).
    pub paired: HashSet<ExchangeId>,
    /// Unlinked items held out because several candidates match.
    pub ambiguous: Vec<Ambiguity>,
    /// Unlinked items that look alike on one side (reported, copied).
    pub lookalikes: Vec<String>,
    /// True when unlinked items were held out (ambiguous, or stamped with a malformed
    /// record): the Exchange cursor must not move past them, so the next pass sees them again.
    pub hold_cursor: bool,
}

/// Builds one [`ItemState`] per item; with `pair_existing`, unlinked items both sides hold
/// are paired by content instead of being created on the other side.
pub fn gather<T: SyncKind>(
    links: &[LinkedBase<T>],
    now: SidesNow<T>,
    pair_existing: bool,
) -> Gathered<T> {
    let SidesNow {
        mut business,
        business_rejected,
        exchange,
    } = now;
    let rejected_exchange: HashSet<&ExchangeId> = exchange.rejected.iter().map(|r| &r.id).collect();
    let deleted: HashSet<&ExchangeId> = exchange.deleted.iter().collect();
    let mut present: HashMap<ExchangeId, ExchangeItem<T>> = HashMap::new();
    let mut change_keys = HashMap::new();
    for item in exchange.present {
        if let Some(key) = &item.change_key {
            change_keys.insert(item.id.clone(), key.clone());
        }
        present.insert(item.id.clone(), item);
    }
    let mut states = Vec::with_capacity(links.len() + business.len());
    for link in links {
        let skip = business_rejected.contains(&link.business_id)
            || rejected_exchange.contains(&link.exchange_id);
        let business_now = business.remove(&link.business_id);
        let exchange_now = present.remove(&link.exchange_id);
        if skip {
            continue;
        }
        let exchange_now = if deleted.contains(&link.exchange_id) {
            None
        } else {
            Some(match exchange_now {
                Some(mut item) => {
                    item.item.align_to(&link.base);
                    observed(item)
                }
                None => Observed::new(link.base.clone()),
            })
        };
        states.push(ItemState::linked(
            LinkIds::new(link.business_id.clone(), link.exchange_id.clone()),
            link.base.clone(),
            business_now,
            exchange_now,
        ));
    }
    let mut stamped: HashMap<BusinessId, ExchangeItem<T>> = HashMap::new();
    let mut unstamped = Vec::new();
    let mut held_out = false;
    for (_, item) in present {
        if rejected_exchange.contains(&item.id) {
            continue;
        }
        match &item.business_id {
            Some(id) if business.contains_key(id) && !stamped.contains_key(id) => {
                stamped.insert(id.clone(), item);
            }
            // Its business record is malformed this pass: left alone, neither imported as a
            // new record nor paired with another one.
            Some(id) if business_rejected.contains(id) => held_out = true,
            _ => unstamped.push(item),
        }
    }
    let mut business: Vec<(BusinessId, Observed<T>)> = business.into_iter().collect();
    business.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    let mut unmatched = Vec::new();
    for (id, item) in business {
        if business_rejected.contains(&id) {
            continue;
        }
        match stamped.remove(&id) {
            Some(found) => states.push(found_on_both(id, item, found)),
            None => unmatched.push((id, item)),
        }
    }
    unstamped.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    let mut gathered = Gathered {
        states,
        change_keys,
        paired: HashSet::new(),
        ambiguous: Vec::new(),
        lookalikes: Vec::new(),
        hold_cursor: held_out,
    };
    let (unmatched, unstamped) = if pair_existing {
        let pairing = pair(T::KIND, unmatched, unstamped);
        for (id, item, found) in pairing.pairs {
            gathered.paired.insert(found.id.clone());
            gathered.states.push(found_on_both(id, item, found));
        }
        gathered.hold_cursor |= !pairing.ambiguous.is_empty();
        gathered.ambiguous = pairing.ambiguous;
        gathered.lookalikes = pairing.lookalikes;
        (pairing.business, pairing.exchange)
    } else {
        (unmatched, unstamped)
    };
    for (id, item) in unmatched {
        gathered.states.push(ItemState::new_in_business(id, item));
    }
    for item in unstamped {
        let id = item.id.clone();
        gathered
            .states
            .push(ItemState::new_in_exchange(id, observed(item)));
    }
    gathered
}

/// A business record and the Exchange item found to hold the same thing (by stamp or by
/// pairing), with the Exchange item's spelling aligned to the record's.
fn found_on_both<T: SyncKind>(
    id: BusinessId,
    item: Observed<T>,
    mut found: ExchangeItem<T>,
) -> ItemState<T> {
    found.item.align_to(&item.item);
    ItemState::found_on_both(LinkIds::new(id, found.id.clone()), item, observed(found))
}

/// An Exchange item as the planner sees it. Its stamp is cut to whole seconds, the precision
/// of the business side's `updated_at` on SQLite: within one second the stamps tie, and a tie
/// goes to the business application (see `ConflictPolicy::NewestWins`).
fn observed<T>(item: ExchangeItem<T>) -> Observed<T> {
    Observed {
        item: item.item,
        modified: item.modified.map(|at| at.trunc_subsecs(0)),
    }
}

#[cfg(test)]
mod tests {
    use exsync_engine::Change;
    use exsync_model::Task;

    use super::*;
    use crate::exchange::Unreadable;

    fn collected(present: Vec<ExchangeItem<Task>>, deleted: Vec<&str>) -> Collected<Task> {
        Collected {
            present,
            deleted: deleted.into_iter().map(ExchangeId::from).collect(),
            rejected: Vec::new(),
            next_cursor: String::new(),
            initial: false,
        }
    }

    fn x(id: &str, stamp: Option<&str>, subject: &str) -> ExchangeItem<Task> {
        ExchangeItem {
            id: id.into(),
            change_key: Some(format!("ck-{id}")),
            business_id: stamp.map(BusinessId::from),
            item: Task::new(subject),
            modified: None,
        }
    }

    fn link(b: &str, e: &str, subject: &str) -> LinkedBase<Task> {
        LinkedBase {
            business_id: b.into(),
            exchange_id: e.into(),
            change_key: None,
            base: Task::new(subject),
        }
    }

    #[test]
    fn unseen_exchange_items_are_unchanged_and_confirmed_deletions_are_deleted() {
        let links = [link("1", "A", "one"), link("2", "B", "two")];
        let business = HashMap::from([
            ("1".into(), Observed::new(Task::new("one"))),
            ("2".into(), Observed::new(Task::new("two"))),
        ]);
        let gathered = gather(
            &links,
            SidesNow {
                business,
                business_rejected: HashSet::new(),
                exchange: collected(vec![], vec!["B"]),
            },
            true,
        );
        let changes: Vec<_> = gathered.states.iter().map(ItemState::changes).collect();
        assert_eq!(
            changes,
            [
                (Change::Unchanged, Change::Unchanged),
                (Change::Unchanged, Change::Deleted)
            ]
        );
    }

    #[test]
    fn stamped_exchange_items_are_matched_to_their_business_record() {
        let business = HashMap::from([("7".into(), Observed::new(Task::new("call")))]);
        let gathered = gather(
            &[],
            SidesNow {
                business,
                business_rejected: HashSet::new(),
                exchange: collected(
                    vec![x("X", Some("7"), "call"), x("Y", None, "other")],
                    vec![],
                ),
            },
            true,
        );
        let changes: Vec<_> = gathered.states.iter().map(ItemState::changes).collect();
        assert_eq!(
            changes,
            [(Change::New, Change::New), (Change::Absent, Change::New)]
        );
        assert_eq!(gathered.states[0].ids().exchange, Some("X".into()));
        assert_eq!(
            gathered
                .change_keys
                .get(&ExchangeId::from("Y"))
                .map(String::as_str),
            Some("ck-Y")
        );
    }

    #[test]
    fn an_item_stamped_with_a_malformed_record_is_neither_imported_nor_paired() {
        let business = HashMap::from([("8".into(), Observed::new(Task::new("call")))]);
        let gathered = gather(
            &[],
            SidesNow {
                business,
                business_rejected: HashSet::from(["7".into()]),
                exchange: collected(vec![x("X", Some("7"), "call")], vec![]),
            },
            true,
        );
        let changes: Vec<_> = gathered.states.iter().map(ItemState::changes).collect();
        assert_eq!(
            changes,
            [(Change::New, Change::Absent)],
            "only record 8, unpaired"
        );
        assert!(gathered.paired.is_empty());
        assert!(gathered.hold_cursor, "the next pass must see X again");
    }

    #[test]
    fn rejected_items_are_left_out_on_both_sides() {
        let links = [link("1", "A", "one"), link("2", "B", "two")];
        let mut exchange = collected(vec![], vec![]);
        exchange.rejected.push(Unreadable {
            id: "B".into(),
            reason: "bad".into(),
        });
        let gathered = gather(
            &links,
            SidesNow {
                business: HashMap::new(),
                business_rejected: HashSet::from(["1".into()]),
                exchange,
            },
            true,
        );
        assert!(gathered.states.is_empty(), "neither item may be deleted");
    }
}
