//! Pairing instead of copying: before the planner creates anything, the unlinked items of both
//! sides are matched by content ([`PairKey`]), so a mailbox and a business database that
//! already hold the same items (an earlier sync tool put them there) are linked, not doubled.
//!
//! A key shared by exactly one unlinked item on each side makes a pair; the planner then
//! merges the two like any item found on both sides (differences are updates under the
//! conflict policy) and the runtime stamps the Exchange item with its business id.
//!
//! Invariants:
//! - Nothing is guessed: when a key is shared by more than one item on either side (and by at
//!   least one on the other), every item of that key is held out of the pass — neither linked
//!   nor copied — and reported, naming each item and what to do.
//! - Items without a key, or whose key only one side has, go on as before (they are copied).
//! - The result does not depend on the order the sides listed their items.

mod keys;

use std::collections::BTreeMap;

use exsync_engine::Observed;
use exsync_i18n::tr;
use exsync_model::{BusinessId, ItemKind};

use crate::exchange::ExchangeItem;

pub use keys::{PairKey, normalise_subject};

/// Unlinked items held out because more than one candidate matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguity {
    /// The items, as reports name them ("business 4711 / Exchange AAMk...").
    pub items: String,
    /// What matched and what to do.
    pub message: String,
}

/// The outcome of pairing the unlinked items of one mailbox and kind.
pub struct Pairing<T> {
    /// Pairs found: a business record and the Exchange item holding the same thing.
    pub pairs: Vec<(BusinessId, Observed<T>, ExchangeItem<T>)>,
    /// Business records without a twin (to be created in Exchange).
    pub business: Vec<(BusinessId, Observed<T>)>,
    /// Exchange items without a twin (to be created in the business database).
    pub exchange: Vec<ExchangeItem<T>>,
    /// Items held out because several candidates match.
    pub ambiguous: Vec<Ambiguity>,
    /// Items that look alike on one side only (an earlier tool's duplicates): reported.
    pub lookalikes: Vec<String>,
}

/// Pairs `business` with `exchange` (both unlinked, not rejected) by their keys.
pub fn pair<T: PairKey>(
    kind: ItemKind,
    business: Vec<(BusinessId, Observed<T>)>,
    exchange: Vec<ExchangeItem<T>>,
) -> Pairing<T> {
    let mut out = Pairing {
        pairs: Vec::new(),
        business: Vec::new(),
        exchange: Vec::new(),
        ambiguous: Vec::new(),
        lookalikes: Vec::new(),
    };
    type Group<T> = (Vec<(BusinessId, Observed<T>)>, Vec<ExchangeItem<T>>);
    let mut groups: BTreeMap<String, Group<T>> = BTreeMap::new();
    for (id, item) in business {
        match item.item.pair_key() {
            Some(key) => groups.entry(key).or_default().0.push((id, item)),
            None => out.business.push((id, item)),
        }
    }
    for item in exchange {
        match item.item.pair_key() {
            Some(key) => groups.entry(key).or_default().1.push(item),
            None => out.exchange.push(item),
        }
    }
    for (_key, (mut b, mut e)) in groups {
        b.sort_by(|x, y| x.0.as_str().cmp(y.0.as_str()));
        e.sort_by(|x, y| x.id.as_str().cmp(y.id.as_str()));
        match (b.len(), e.len()) {
            (1, 1) => {
                if let (Some((id, item)), Some(found)) = (b.pop(), e.pop()) {
                    out.pairs.push((id, item, found));
                }
            }
            (0, _) | (_, 0) => {
                if b.len() > 1 || e.len() > 1 {
                    out.lookalikes.push(lookalikes(kind, &b, &e));
                }
                out.business.extend(b);
                out.exchange.extend(e);
            }
            _ => out.ambiguous.push(ambiguity(kind, &b, &e)),
        }
    }
    out
}

fn business_ids<T>(b: &[(BusinessId, Observed<T>)]) -> String {
    b.iter()
        .map(|(id, _)| id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn exchange_ids<T>(e: &[ExchangeItem<T>]) -> String {
    e.iter()
        .map(|item| item.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn ambiguity<T: PairKey>(
    kind: ItemKind,
    b: &[(BusinessId, Observed<T>)],
    e: &[ExchangeItem<T>],
) -> Ambiguity {
    let what = b
        .first()
        .map(|(_, item)| item.item.describe())
        .unwrap_or_default();
    let message = tr!(
        "pairing-ambiguous",
        kind = kind.as_str(),
        business_count = b.len(),
        business_ids = business_ids(b),
        outlook_count = e.len(),
        outlook_ids = exchange_ids(e),
        what = what,
    );
    Ambiguity {
        items: format!(
            "business {} / Exchange {}",
            business_ids(b),
            exchange_ids(e)
        ),
        message,
    }
}

fn lookalikes<T: PairKey>(
    kind: ItemKind,
    b: &[(BusinessId, Observed<T>)],
    e: &[ExchangeItem<T>],
) -> String {
    if e.is_empty() {
        let what = b
            .first()
            .map(|(_, item)| item.item.describe())
            .unwrap_or_default();
        tr!(
            "pairing-lookalike-business",
            kind = kind.as_str(),
            count = b.len(),
            ids = business_ids(b),
            what = what,
        )
    } else {
        let what = e
            .first()
            .map(|item| item.item.describe())
            .unwrap_or_default();
        tr!(
            "pairing-lookalike-outlook",
            kind = kind.as_str(),
            count = e.len(),
            ids = exchange_ids(e),
            what = what,
        )
    }
}

#[cfg(test)]
mod tests;
