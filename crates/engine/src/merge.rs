//! The per-field three-way merge of an item both sides hold.
//!
//! For every field that travels at all (see [`Flow`]), with base `o`, business value `b` and
//! Exchange value `e`:
//!
//! - `b == e`: agreed, nothing to write (the base is refreshed if it differs).
//! - the field travels both ways: the side that changed it (`!= o`) is copied to the other;
//!   changed on both sides (or no base): a [`Conflict`], the policy picks the winner.
//! - the field travels one way only: the source side is authoritative and its value is written
//!   to the other side; an edit there is overwritten and reported as a
//!   [`NoticeKind::EditsOverwritten`].
//! - the field travels one way, changes only ([`Flow::changes_only`]): the source side's value
//!   is written when the source changed it against the base (an edit on the other side is then
//!   overwritten and reported); otherwise the other side keeps its own value, quietly.
//!
//! Fields that travel nowhere ([`Ownership::Never`](crate::Ownership::Never), or the blocked
//! direction) are ignored: each side keeps its own value and the base's value is meaningless.
//!
//! Invariant: after the op's writes, both sides hold the same value in every travelling field
//! (a changes-only field: the business side and the base do; Exchange may keep its own), and
//! that value is the new base; the business record equals the new base exactly.

use exsync_model::FieldName;

use crate::item::Plannable;
use crate::op::{Op, Write};
use crate::plan::{Effective, Planner};
use crate::report::{Conflict, Notice, NoticeKind, Plan, Reason};
use crate::rules::Flow;
use crate::state::{ItemIds, LinkIds, Observed, Side};

/// Edits the rules discard, grouped for the notices.
struct Discarded {
    entries: Vec<(Side, Reason, FieldName)>,
}

impl Discarded {
    fn into_notices(mut self, ids: &LinkIds) -> Vec<Notice> {
        let mut notices: Vec<Notice> = Vec::new();
        // Stable order: business first, then by reason; fields keep `FIELDS` order.
        self.entries
            .sort_by_key(|(side, reason, _)| (*side, *reason as u8));
        for (side, reason, field) in self.entries {
            match notices.last_mut() {
                Some(Notice {
                    side: s,
                    reason: r,
                    kind: NoticeKind::EditsOverwritten { fields },
                    ..
                }) if *s == side && *r == reason => fields.push(field),
                _ => notices.push(Notice {
                    ids: ItemIds::from(ids),
                    side,
                    kind: NoticeKind::EditsOverwritten {
                        fields: vec![field],
                    },
                    reason,
                }),
            }
        }
        notices
    }
}

impl<T: Plannable> Planner<'_, T> {
    /// Merges an item both sides hold; `base` is `None` when the item was not linked yet.
    pub(crate) fn merge(
        &self,
        out: &mut Plan<T>,
        ids: LinkIds,
        base: Option<T>,
        b: Observed<T>,
        e: Observed<T>,
        eff: Effective<'_>,
    ) {
        let mut to_exchange: Vec<FieldName> = Vec::new();
        let mut to_business: Vec<FieldName> = Vec::new();
        let mut discarded = Discarded {
            entries: Vec::new(),
        };
        let mut base_stale = base.is_none();
        for (i, (field, flow)) in T::FIELDS.iter().zip(eff.flows).enumerate() {
            if !flow.any() {
                continue;
            }
            let changed = |item: &T| base.as_ref().is_none_or(|o| !o.field_eq(item, field));
            if b.item.field_eq(&e.item, field) {
                base_stale = base_stale || changed(&b.item);
                continue;
            }
            let (b_changed, e_changed) = (changed(&b.item), changed(&e.item));
            let source = match (flow.to_exchange, flow.to_business) {
                (true, true) if b_changed && e_changed => {
                    let winner = self.field_winner(b.modified, e.modified);
                    out.conflicts.push(Conflict {
                        ids: ItemIds::from(&ids),
                        field: Some(field),
                        winner,
                    });
                    winner
                }
                (true, true) if e_changed => Side::Exchange,
                // The business value did not change: Exchange keeps its own edit.
                (true, false) if flow.changes_only && !b_changed => continue,
                (true, _) => {
                    if e_changed && !flow.to_business {
                        let reason = self.blocked_reason(eff, i, Side::Exchange);
                        discarded.entries.push((Side::Exchange, reason, field));
                    }
                    Side::Business
                }
                (false, _) => {
                    if b_changed {
                        let reason = self.blocked_reason(eff, i, Side::Business);
                        discarded.entries.push((Side::Business, reason, field));
                    }
                    Side::Exchange
                }
            };
            match source {
                Side::Business => to_exchange.push(field),
                Side::Exchange => to_business.push(field),
            }
        }
        let notices = discarded.into_notices(&ids);
        out.notices.extend(notices);
        if to_exchange.is_empty() && to_business.is_empty() {
            if base_stale {
                let op = if base.is_none() {
                    Op::Link { ids, base: b.item }
                } else {
                    Op::SetBase { ids, base: b.item }
                };
                out.ops.push(op);
            }
            return;
        }
        let exchange = (!to_exchange.is_empty()).then(|| {
            let mut item = e.item.clone();
            for field in &to_exchange {
                item.copy_field(&b.item, field);
            }
            Box::new(Write {
                item,
                fields: to_exchange,
            })
        });
        let mut merged = b.item;
        for field in &to_business {
            merged.copy_field(&e.item, field);
        }
        let business = (!to_business.is_empty()).then(|| {
            Box::new(Write {
                item: merged.clone(),
                fields: to_business,
            })
        });
        out.ops.push(Op::Update {
            ids,
            exchange,
            business,
            base: merged,
        });
    }
}

/// True when `flow` lets the value of `from` travel to the other side.
pub(crate) fn travels_from(flow: Flow, from: Side) -> bool {
    match from {
        Side::Business => flow.to_exchange,
        Side::Exchange => flow.to_business,
    }
}
