//! The operations a plan asks the runtime to carry out, and what to commit after each.
//!
//! Invariant: a plan holds at most one [`Op`] per item, and each op names everything the
//! runtime must commit once its writes succeeded ([`Op::commit`]): the runtime applies an op's
//! writes (Exchange first, then the business application, or in any order), and only when
//! *all* of them succeeded commits the op's link and base. When some write failed it commits
//! nothing: the next plan sees the half-written item and derives the remaining writes without
//! losing an edit (the side that was written now agrees with the other side on those fields).
//!
//! | op | writes | then commit |
//! |---|---|---|
//! | `CreateInExchange` | create `write.item` (only `write.fields`) in Exchange | link `business_id` <-> the new Exchange id (replacing the link to `replaces`, a deleted Exchange item), base = `write.item` |
//! | `CreateInBusiness` | create in the business application | link the new business id <-> `exchange_id` (replacing the link of `replaces`), base = `write.item` |
//! | `Update` | patch `exchange.fields` in Exchange and/or `business.fields` in the business application | upsert the link `ids` with `base` (the item may have been unlinked before) |
//! | `DeleteInExchange` / `DeleteInBusiness` | delete on that side | drop the link and its base |
//! | `Link` / `SetBase` | nothing | upsert the link with `base` |
//! | `Unlink` / `ForgetBase` | nothing | drop the link and its base (the items stay where they are / are gone on both sides) |

use exsync_model::{BusinessId, ExchangeId, FieldName};
use serde::Serialize;

use crate::state::{ItemIds, LinkIds, Side};

/// Fields to write to one side: the whole item for reference, and the fields to send (the
/// connector PATCHes only these; on a create the other fields keep the side's defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Write<T> {
    /// The full item as the side should hold it after the write.
    pub item: T,
    /// The fields to write, in `FIELDS` order; never empty.
    pub fields: Vec<FieldName>,
}

/// One thing to do for one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op<T> {
    /// Create the business record in Exchange.
    CreateInExchange {
        /// The business record it comes from.
        business_id: BusinessId,
        /// The Exchange item it replaces (deleted there, re-created because the rules say
        /// so); `None` for a new item.
        replaces: Option<ExchangeId>,
        /// What to create.
        write: Write<T>,
    },
    /// Create the Exchange item in the business application.
    CreateInBusiness {
        /// The Exchange item it comes from.
        exchange_id: ExchangeId,
        /// The business record it replaces (deleted there, re-created); `None` for a new item.
        replaces: Option<BusinessId>,
        /// What to create.
        write: Write<T>,
    },
    /// Write changed fields to one side or both, then commit the merged base.
    Update {
        /// Both ids.
        ids: LinkIds,
        /// What to write to Exchange, if anything (boxed: keeps every op small).
        exchange: Option<Box<Write<T>>>,
        /// What to write to the business application, if anything.
        business: Option<Box<Write<T>>>,
        /// The new base.
        base: T,
    },
    /// Delete the item in Exchange (it was deleted in the business application).
    DeleteInExchange {
        /// Both ids.
        ids: LinkIds,
    },
    /// Delete the record in the business application (it was deleted in Exchange).
    DeleteInBusiness {
        /// Both ids.
        ids: LinkIds,
    },
    /// Link two equal items that were not linked yet.
    Link {
        /// Both ids.
        ids: LinkIds,
        /// The agreed state.
        base: T,
    },
    /// Both sides agree on a new state already (e.g. the same edit on both): record it.
    SetBase {
        /// Both ids.
        ids: LinkIds,
        /// The agreed state.
        base: T,
    },
    /// Drop the link but leave both items alone (the item left the sync window).
    Unlink {
        /// Both ids.
        ids: LinkIds,
    },
    /// Drop the link of an item deleted on both sides.
    ForgetBase {
        /// Both ids.
        ids: LinkIds,
    },
}

/// What to commit once an op's writes succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit<'a, T> {
    /// Link the item (for a create: with the id the new item got) and store this base.
    Base(&'a T),
    /// Drop the link and its base.
    Forget,
}

impl<T> Op<T> {
    /// The ids of the item the op is about.
    pub fn ids(&self) -> ItemIds {
        match self {
            Op::CreateInExchange {
                business_id,
                replaces,
                ..
            } => ItemIds {
                business: Some(business_id.clone()),
                exchange: replaces.clone(),
            },
            Op::CreateInBusiness {
                exchange_id,
                replaces,
                ..
            } => ItemIds {
                business: replaces.clone(),
                exchange: Some(exchange_id.clone()),
            },
            Op::Update { ids, .. }
            | Op::DeleteInExchange { ids }
            | Op::DeleteInBusiness { ids }
            | Op::Link { ids, .. }
            | Op::SetBase { ids, .. }
            | Op::Unlink { ids }
            | Op::ForgetBase { ids } => ItemIds::from(ids),
        }
    }

    /// What to commit after the op's writes succeeded.
    pub fn commit(&self) -> Commit<'_, T> {
        match self {
            Op::CreateInExchange { write, .. } | Op::CreateInBusiness { write, .. } => {
                Commit::Base(&write.item)
            }
            Op::Update { base, .. } | Op::Link { base, .. } | Op::SetBase { base, .. } => {
                Commit::Base(base)
            }
            Op::DeleteInExchange { .. }
            | Op::DeleteInBusiness { .. }
            | Op::Unlink { .. }
            | Op::ForgetBase { .. } => Commit::Forget,
        }
    }

    /// The side this op deletes on, if it deletes.
    pub fn deletes_on(&self) -> Option<Side> {
        match self {
            Op::DeleteInExchange { .. } => Some(Side::Exchange),
            Op::DeleteInBusiness { .. } => Some(Side::Business),
            _ => None,
        }
    }

    /// True when the op writes to `side` (create, update or delete there).
    pub fn writes_to(&self, side: Side) -> bool {
        match self {
            Op::CreateInExchange { .. } | Op::DeleteInExchange { .. } => side == Side::Exchange,
            Op::CreateInBusiness { .. } | Op::DeleteInBusiness { .. } => side == Side::Business,
            Op::Update {
                exchange, business, ..
            } => match side {
                Side::Exchange => exchange.is_some(),
                Side::Business => business.is_some(),
            },
            Op::Link { .. } | Op::SetBase { .. } | Op::Unlink { .. } | Op::ForgetBase { .. } => {
                false
            }
        }
    }
}
