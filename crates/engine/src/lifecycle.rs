//! Existence rules: what happens to a linked item one side deleted, and how creates are built.
//!
//! A linked item deleted on side D and still held on side P:
//!
//! | situation | result |
//! |---|---|
//! | P outside the window | `Unlink`; the deletion is not passed on (notice) |
//! | the item travels both ways, P has no edit that would travel | delete on P |
//! | both ways, P edited it | conflict: `BusinessWins` / `ExchangeWins` pick the side whose action is kept; `NewestWins` keeps the edit. Keep the edit = re-create on D |
//! | the item travels D -> P only | delete on P (an edit there is reported lost) |
//! | the item travels P -> D only | re-create on D from P (notice: deletion undone) |
//! | the item travels nowhere (a foreign meeting under export) | `Unlink` (notice) |
//!
//! Invariant: a deletion is passed on only where the rules let the deleting side write, and an
//! edit is only ever lost to a deletion with a report (conflict or notice).

use exsync_model::{FieldName, SyncItem};

use crate::item::Plannable;
use crate::merge::travels_from;
use crate::op::{Op, Write};
use crate::plan::{Planner, changed_fields};
use crate::report::{Conflict, Notice, NoticeKind, Plan, Reason};
use crate::rules::{ConflictPolicy, Flow};
use crate::state::{ItemIds, LinkIds, Observed, Side};

/// The write that creates `item` on `target`: every field that travels there.
pub(crate) fn create_write<T: SyncItem>(item: T, flows: &[Flow], target: Side) -> Write<T> {
    let fields = T::FIELDS
        .iter()
        .zip(flows)
        .filter(|(_, flow)| travels_from(**flow, target.other()))
        .map(|(field, _)| *field)
        .collect::<Vec<FieldName>>();
    Write { item, fields }
}

impl<T: Plannable> Planner<'_, T> {
    /// A linked item `present` is still held on side `kept`; the other side deleted it.
    pub(crate) fn one_deleted(
        &self,
        out: &mut Plan<T>,
        ids: LinkIds,
        base: T,
        kept: Side,
        present: Observed<T>,
    ) {
        let gone = kept.other();
        let report_ids = ItemIds::from(&ids);
        if !self.window.contains(&present.item) {
            out.notices.push(Notice {
                ids: report_ids,
                side: gone,
                kind: NoticeKind::DeletionNotPropagated,
                reason: Reason::OutsideWindow,
            });
            out.ops.push(Op::Unlink { ids });
            return;
        }
        let eff = self.effective_for(match kept {
            Side::Exchange => &present.item,
            Side::Business => &base,
        });
        // A deletion travels like the deleting side's edits; a re-creation like the other's.
        let (propagate, recreate) = match gone {
            Side::Business => (eff.direction.exports(), eff.direction.imports()),
            Side::Exchange => (eff.direction.imports(), eff.direction.exports()),
        };
        let edits = |pick: fn(Flow) -> bool| changed_fields(&base, &present.item, eff.flows, pick);
        let keep_edit = match (propagate, recreate) {
            (true, true) => {
                let travelling = match kept {
                    Side::Business => edits(|f| f.to_exchange),
                    Side::Exchange => edits(|f| f.to_business),
                };
                if travelling.is_empty() {
                    false
                } else {
                    let winner = match self.policy {
                        ConflictPolicy::BusinessWins => Side::Business,
                        ConflictPolicy::ExchangeWins => Side::Exchange,
                        ConflictPolicy::NewestWins => kept,
                    };
                    out.conflicts.push(Conflict {
                        ids: report_ids,
                        field: None,
                        winner,
                    });
                    winner == kept
                }
            }
            (true, false) => {
                let lost = edits(Flow::any);
                if !lost.is_empty() {
                    out.notices.push(Notice {
                        ids: report_ids,
                        side: kept,
                        kind: NoticeKind::EditsDeleted { fields: lost },
                        reason: self.blocked_item_reason(eff, kept),
                    });
                }
                false
            }
            (false, true) => {
                out.notices.push(Notice {
                    ids: report_ids,
                    side: gone,
                    kind: NoticeKind::DeletionUndone,
                    reason: self.blocked_item_reason(eff, gone),
                });
                true
            }
            (false, false) => {
                out.notices.push(Notice {
                    ids: report_ids,
                    side: gone,
                    kind: NoticeKind::DeletionNotPropagated,
                    reason: self.blocked_item_reason(eff, gone),
                });
                out.ops.push(Op::Unlink { ids });
                return;
            }
        };
        let op = match (keep_edit, gone) {
            (true, Side::Exchange) => Op::CreateInExchange {
                business_id: ids.business,
                replaces: Some(ids.exchange),
                write: create_write(present.item, eff.flows, Side::Exchange),
            },
            (true, Side::Business) => Op::CreateInBusiness {
                exchange_id: ids.exchange,
                replaces: Some(ids.business),
                write: create_write(present.item, eff.flows, Side::Business),
            },
            (false, Side::Exchange) => Op::DeleteInBusiness { ids },
            (false, Side::Business) => Op::DeleteInExchange { ids },
        };
        out.ops.push(op);
    }
}
