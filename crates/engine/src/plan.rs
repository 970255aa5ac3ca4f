//! The planner's entry point: walks the items once, sorts each into its cell of the
//! (absent / new / unchanged / changed / deleted) x (business / Exchange) table, and hands it to
//! the merge ([`crate::merge`]) or to the existence rules ([`crate::lifecycle`]); then applies
//! the mass-deletion guard ([`crate::guard`]).
//!
//! Invariants: pure (no I/O, no clock: time comes in through the window and the stamps); at
//! most one op per item; an item that is unchanged on both sides and inside the window costs
//! two comparisons and one window test, and allocates nothing.

use exsync_model::{FieldName, SyncItem};

use crate::item::Plannable;
use crate::op::Op;
use crate::report::{Notice, NoticeKind, Plan, Reason};
use crate::rules::{ConflictPolicy, Direction, Flow, Rules};
use crate::state::{ItemIds, ItemState, Linked, Side, Unlinked};
use crate::window::{Everything, InWindow};

/// Where a plan applies: the mailbox, its window and how many items of the kind it links.
pub struct Scope<'a, T> {
    /// The mailbox's primary address (decides which meetings are foreign).
    pub mailbox: &'a str,
    /// How many items of the kind the state store links for this mailbox. An incremental
    /// pass hands the planner only the changed items, so the guard needs the total from the
    /// store; the planner uses the larger of this and the linked items it was given.
    pub linked_total: usize,
    /// Which items lie in the sync window.
    pub window: &'a dyn InWindow<T>,
}

impl<'a, T> Scope<'a, T> {
    /// A scope with no window (everything in scope) and no known link count.
    pub fn new(mailbox: &'a str) -> Self {
        Self {
            mailbox,
            linked_total: 0,
            window: &Everything,
        }
    }

    /// Sets the window test.
    pub fn with_window(mut self, window: &'a dyn InWindow<T>) -> Self {
        self.window = window;
        self
    }

    /// Sets the number of linked items the state store holds for the mailbox and kind.
    pub fn with_linked_total(mut self, linked_total: usize) -> Self {
        self.linked_total = linked_total;
        self
    }
}

/// The rules that apply to one item: its direction and field flows.
#[derive(Clone, Copy)]
pub(crate) struct Effective<'p> {
    /// The direction for this item (the kind's, or narrower for a foreign meeting).
    pub direction: Direction,
    /// The flow of every field, in `FIELDS` order.
    pub flows: &'p [Flow],
    /// True for a foreign meeting.
    pub foreign: bool,
}

/// What the planner knows while it walks the items; the plan being built is passed along
/// separately (`out`).
pub(crate) struct Planner<'a, T> {
    pub direction: Direction,
    pub policy: ConflictPolicy,
    own_flows: Vec<Flow>,
    foreign_flows: Vec<Flow>,
    mailbox: &'a str,
    pub window: &'a dyn InWindow<T>,
}

/// Plans one mailbox's items of one kind.
///
/// `items` yields every item to look at (a full pass: all linked items and all unlinked items
/// on both sides; an incremental pass: the changed ones, with `scope.linked_total` set), owned
/// (moved into the ops that need them) or borrowed (cloned only into the ops that need them;
/// see [`StateInput`]). A side must be reported missing only when the item is gone for sure,
/// not merely outside a windowed query: an item moved out of the window is still present (the
/// runtime confirms a deletion by looking the item up).
pub fn plan<T, I>(rules: &Rules, scope: &Scope<'_, T>, items: I) -> Plan<T>
where
    T: Plannable,
    I: IntoIterator,
    I::Item: StateInput<T>,
{
    let kind_rules = rules.kind(T::KIND);
    let planner = Planner {
        direction: kind_rules.direction,
        policy: kind_rules.policy,
        own_flows: kind_rules.flows(kind_rules.direction),
        foreign_flows: kind_rules.flows(kind_rules.direction.without_export()),
        mailbox: scope.mailbox,
        window: scope.window,
    };
    let mut out = Plan::empty(T::KIND, scope.mailbox);
    if planner.direction == Direction::Off {
        return out;
    }
    let mut linked_seen = 0usize;
    for input in items {
        if let ItemState::Linked(linked) = input.state() {
            linked_seen += 1;
            if planner.unchanged(linked, &mut out) {
                continue;
            }
        }
        match input.into_state() {
            ItemState::Linked(linked) => planner.linked(linked, &mut out),
            ItemState::Unlinked(unlinked) => planner.unlinked(unlinked, &mut out),
        }
    }
    let linked = scope.linked_total.max(linked_seen);
    crate::guard::apply(&mut out, rules.guard, linked);
    out
}

/// An item state handed to [`plan`] by value or by reference. The planner looks at every
/// state through [`StateInput::state`] and takes ownership ([`StateInput::into_state`], a
/// clone for a reference) only of the few that become ops, so an unchanged item costs no
/// copy either way.
pub trait StateInput<T> {
    /// The state, to look at.
    fn state(&self) -> &ItemState<T>;
    /// The state, owned.
    fn into_state(self) -> ItemState<T>;
}

impl<T> StateInput<T> for ItemState<T> {
    fn state(&self) -> &ItemState<T> {
        self
    }

    fn into_state(self) -> ItemState<T> {
        self
    }
}

impl<T: Clone> StateInput<T> for &ItemState<T> {
    fn state(&self) -> &ItemState<T> {
        self
    }

    fn into_state(self) -> ItemState<T> {
        self.clone()
    }
}

impl<'a, T: Plannable> Planner<'a, T> {
    /// The rules for an item that is foreign or not.
    pub fn effective(&self, foreign: bool) -> Effective<'_> {
        if foreign {
            Effective {
                direction: self.direction.without_export(),
                flows: &self.foreign_flows,
                foreign: true,
            }
        } else {
            Effective {
                direction: self.direction,
                flows: &self.own_flows,
                foreign: false,
            }
        }
    }

    /// The rules for an item, judged by `judge`: the Exchange item (which alone knows who
    /// organises a meeting), else the base, else the business record.
    pub fn effective_for(&self, judge: &T) -> Effective<'_> {
        self.effective(judge.is_foreign(self.mailbox))
    }

    fn in_window(&self, item: &T) -> bool {
        self.window.contains(item)
    }

    /// The fast path: true when the item is linked, unchanged on both sides and therefore
    /// settled by comparing (plus an `Unlink` when it left the window). Allocates only for the
    /// `Unlink`.
    fn unchanged(&self, linked: &Linked<T>, out: &mut Plan<T>) -> bool {
        let (Some(b), Some(e)) = (&linked.business, &linked.exchange) else {
            return false;
        };
        if b.item != linked.base || e.item != linked.base {
            return false;
        }
        if !self.in_window(&linked.base) {
            out.ops.push(Op::Unlink {
                ids: linked.ids.clone(),
            });
        }
        true
    }

    fn linked(&self, linked: Linked<T>, out: &mut Plan<T>) {
        let Linked {
            ids,
            base,
            business,
            exchange,
        } = linked;
        match (business, exchange) {
            (Some(b), Some(e)) => {
                if !self.in_window(&b.item) && !self.in_window(&e.item) {
                    out.ops.push(Op::Unlink { ids });
                    return;
                }
                let eff = self.effective_for(&e.item);
                if eff.direction == Direction::Off {
                    self.report_not_synced(out, &ids, &base, &b.item, &e.item);
                    return;
                }
                self.merge(out, ids, Some(base), b, e, eff);
            }
            (Some(b), None) => self.one_deleted(out, ids, base, Side::Business, b),
            (None, Some(e)) => self.one_deleted(out, ids, base, Side::Exchange, e),
            (None, None) => out.ops.push(Op::ForgetBase { ids }),
        }
    }

    fn unlinked(&self, unlinked: Unlinked<T>, out: &mut Plan<T>) {
        match (unlinked.business, unlinked.exchange) {
            (Some((business_id, b)), Some((exchange_id, e))) => {
                if !self.in_window(&b.item) && !self.in_window(&e.item) {
                    return;
                }
                // Even an item that travels nowhere (a foreign meeting under export) is
                // linked: the pair is known, and linking it creates nothing.
                let eff = self.effective_for(&e.item);
                let ids = crate::state::LinkIds {
                    business: business_id,
                    exchange: exchange_id,
                };
                self.merge(out, ids, None, b, e, eff);
            }
            (Some((business_id, b)), None) => {
                if !self.direction.exports() || !self.in_window(&b.item) {
                    return;
                }
                let eff = self.effective_for(&b.item);
                if !eff.direction.exports() {
                    // A record of someone else's meeting: only its Exchange twin could be
                    // written, and that is gone (e.g. the organizer cancelled it).
                    out.notices.push(Notice {
                        ids: ItemIds {
                            business: Some(business_id),
                            exchange: None,
                        },
                        side: Side::Business,
                        kind: NoticeKind::NotCreated,
                        reason: Reason::ForeignMeeting,
                    });
                    return;
                }
                let write = crate::lifecycle::create_write(b.item, eff.flows, Side::Exchange);
                out.ops.push(Op::CreateInExchange {
                    business_id,
                    replaces: None,
                    write,
                });
            }
            (None, Some((exchange_id, e))) => {
                let eff = self.effective_for(&e.item);
                if eff.direction.imports() && self.in_window(&e.item) {
                    let write = crate::lifecycle::create_write(e.item, eff.flows, Side::Business);
                    out.ops.push(Op::CreateInBusiness {
                        exchange_id,
                        replaces: None,
                        write,
                    });
                }
            }
            (None, None) => {}
        }
    }

    /// A foreign meeting under export travels nowhere: report edits on either side.
    fn report_not_synced(
        &self,
        out: &mut Plan<T>,
        ids: &crate::state::LinkIds,
        base: &T,
        b: &T,
        e: &T,
    ) {
        for (side, item, reason) in [
            (Side::Business, b, Reason::ForeignMeeting),
            (Side::Exchange, e, Reason::Direction),
        ] {
            let fields = changed_fields(base, item, &self.own_flows, Flow::any);
            if !fields.is_empty() {
                out.notices.push(Notice {
                    ids: ItemIds::from(ids),
                    side,
                    kind: NoticeKind::EditsNotSynced { fields },
                    reason,
                });
            }
        }
    }

    /// Why `side`'s value of field `i` may not travel to the other side of this item.
    pub fn blocked_reason(&self, eff: Effective<'_>, i: usize, side: Side) -> Reason {
        let allowed = |flows: &[Flow]| {
            flows.get(i).is_some_and(|f| match side {
                Side::Business => f.to_exchange,
                Side::Exchange => f.to_business,
            })
        };
        let direction_allows = match side {
            Side::Business => self.direction.exports(),
            Side::Exchange => self.direction.imports(),
        };
        if eff.foreign && allowed(&self.own_flows) {
            Reason::ForeignMeeting
        } else if !direction_allows {
            Reason::Direction
        } else {
            Reason::Ownership
        }
    }

    /// Why a whole item may not travel from `side` (existence: deletions and re-creations).
    pub fn blocked_item_reason(&self, eff: Effective<'_>, side: Side) -> Reason {
        let direction_allows = match side {
            Side::Business => self.direction.exports(),
            Side::Exchange => self.direction.imports(),
        };
        if eff.foreign && direction_allows {
            Reason::ForeignMeeting
        } else {
            Reason::Direction
        }
    }

    /// Decides a conflict on one field: who wins under the policy.
    pub fn field_winner(
        &self,
        business_modified: Option<chrono::DateTime<chrono::Utc>>,
        exchange_modified: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Side {
        match self.policy {
            ConflictPolicy::BusinessWins => Side::Business,
            ConflictPolicy::ExchangeWins => Side::Exchange,
            ConflictPolicy::NewestWins => match (business_modified, exchange_modified) {
                (Some(b), Some(e)) if e > b => Side::Exchange,
                _ => Side::Business,
            },
        }
    }
}

/// The fields (among those whose flow passes `pick`) in which `item` differs from `base`.
pub(crate) fn changed_fields<T: SyncItem>(
    base: &T,
    item: &T,
    flows: &[Flow],
    pick: impl Fn(Flow) -> bool,
) -> Vec<FieldName> {
    T::FIELDS
        .iter()
        .zip(flows)
        .filter(|(field, flow)| pick(**flow) && !base.field_eq(item, field))
        .map(|(field, _)| *field)
        .collect()
}
