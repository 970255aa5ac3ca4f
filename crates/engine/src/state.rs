//! What the planner is given per item: the base (last state both sides agreed on) and what each
//! side holds now, with the ids that name the item on each side.
//!
//! Invariant (by construction): a side is *deleted* exactly when the item is linked (has a
//! base) and the side no longer holds it, and *absent* exactly when the item is not linked and
//! the side does not hold it. So the impossible cells of the 4 x 4 table (absent on one side
//! while unchanged or deleted on the other) cannot be expressed, and every linked item carries
//! both ids.

use chrono::{DateTime, Utc};
use exsync_model::{BusinessId, ExchangeId};
use serde::Serialize;

/// One of the two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The business application.
    Business,
    /// The Exchange mailbox.
    Exchange,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Business => Side::Exchange,
            Side::Exchange => Side::Business,
        }
    }

    /// How reports name the side.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Business => "business application",
            Side::Exchange => "Exchange",
        }
    }
}

/// Both ids of a linked item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct LinkIds {
    /// The business record.
    pub business: BusinessId,
    /// The Exchange item.
    pub exchange: ExchangeId,
}

impl LinkIds {
    /// Both ids.
    pub fn new(business: impl Into<BusinessId>, exchange: impl Into<ExchangeId>) -> Self {
        Self {
            business: business.into(),
            exchange: exchange.into(),
        }
    }
}

/// Whatever ids an item has, for reports (an unlinked item has only one).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
pub struct ItemIds {
    /// The business record, if there is one.
    pub business: Option<BusinessId>,
    /// The Exchange item, if there is one.
    pub exchange: Option<ExchangeId>,
}

impl From<&LinkIds> for ItemIds {
    fn from(ids: &LinkIds) -> Self {
        Self {
            business: Some(ids.business.clone()),
            exchange: Some(ids.exchange.clone()),
        }
    }
}

impl std::fmt::Display for ItemIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.business, &self.exchange) {
            (Some(b), Some(e)) => write!(f, "business {b} / Exchange {e}"),
            (Some(b), None) => write!(f, "business {b}"),
            (None, Some(e)) => write!(f, "Exchange {e}"),
            (None, None) => f.write_str("unnamed item"),
        }
    }
}

/// An item as one side holds it now, with that side's last-modified stamp (used by
/// [`ConflictPolicy::NewestWins`](crate::ConflictPolicy::NewestWins); `None` when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed<T> {
    /// The item.
    pub item: T,
    /// When the side last changed it.
    pub modified: Option<DateTime<Utc>>,
}

impl<T> Observed<T> {
    /// An item without a stamp.
    pub fn new(item: T) -> Self {
        Self {
            item,
            modified: None,
        }
    }

    /// An item with its last-modified stamp.
    pub fn at(item: T, modified: DateTime<Utc>) -> Self {
        Self {
            item,
            modified: Some(modified),
        }
    }
}

/// A linked item: both sides agreed on `base` once; each side holds it still, or deleted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked<T> {
    /// Both ids.
    pub ids: LinkIds,
    /// The last state both sides agreed on.
    pub base: T,
    /// The business record now; `None` = deleted there.
    pub business: Option<Observed<T>>,
    /// The Exchange item now; `None` = deleted there.
    pub exchange: Option<Observed<T>>,
}

/// An item without a link: new on one side, or found on both (matched by the business id
/// stamped on the Exchange item, e.g. after the state store was lost or the item came back
/// into the sync window).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlinked<T> {
    /// The business record, if there is one.
    pub business: Option<(BusinessId, Observed<T>)>,
    /// The Exchange item, if there is one.
    pub exchange: Option<(ExchangeId, Observed<T>)>,
}

/// Everything the planner knows about one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemState<T> {
    /// Linked: there is a base.
    Linked(Linked<T>),
    /// Not linked: no base.
    Unlinked(Unlinked<T>),
}

/// How one side stands against the base: the rows and columns of the planner's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Not linked and not there.
    Absent,
    /// Not linked and there: new (changed against nothing).
    New,
    /// Linked and equal to the base.
    Unchanged,
    /// Linked and different from the base.
    Changed,
    /// Linked and gone.
    Deleted,
}

impl<T: PartialEq> ItemState<T> {
    /// A linked item: its base and what each side holds now (`None` = deleted there).
    pub fn linked(
        ids: LinkIds,
        base: T,
        business: Option<Observed<T>>,
        exchange: Option<Observed<T>>,
    ) -> Self {
        ItemState::Linked(Linked {
            ids,
            base,
            business,
            exchange,
        })
    }

    /// An item only the business application holds, not linked.
    pub fn new_in_business(id: impl Into<BusinessId>, item: Observed<T>) -> Self {
        ItemState::Unlinked(Unlinked {
            business: Some((id.into(), item)),
            exchange: None,
        })
    }

    /// An item only Exchange holds, not linked.
    pub fn new_in_exchange(id: impl Into<ExchangeId>, item: Observed<T>) -> Self {
        ItemState::Unlinked(Unlinked {
            business: None,
            exchange: Some((id.into(), item)),
        })
    }

    /// An item found on both sides without a link (matched by the stamped business id).
    pub fn found_on_both(ids: LinkIds, business: Observed<T>, exchange: Observed<T>) -> Self {
        ItemState::Unlinked(Unlinked {
            business: Some((ids.business, business)),
            exchange: Some((ids.exchange, exchange)),
        })
    }

    /// How each side stands against the base: `(business, exchange)`.
    pub fn changes(&self) -> (Change, Change) {
        match self {
            ItemState::Linked(l) => {
                let class = |side: Option<&Observed<T>>| match side {
                    None => Change::Deleted,
                    Some(o) if o.item == l.base => Change::Unchanged,
                    Some(_) => Change::Changed,
                };
                (class(l.business.as_ref()), class(l.exchange.as_ref()))
            }
            ItemState::Unlinked(u) => {
                let class = |present: bool| {
                    if present { Change::New } else { Change::Absent }
                };
                (class(u.business.is_some()), class(u.exchange.is_some()))
            }
        }
    }

    /// The item's ids, for reports.
    pub fn ids(&self) -> ItemIds {
        match self {
            ItemState::Linked(l) => ItemIds::from(&l.ids),
            ItemState::Unlinked(u) => ItemIds {
                business: u.business.as_ref().map(|(id, _)| id.clone()),
                exchange: u.exchange.as_ref().map(|(id, _)| id.clone()),
            },
        }
    }
}
