//! The mass-deletion guard: a plan that would delete more than a set share of a mailbox's
//! linked items of a kind is held, because such a plan usually means a broken source (an
//! emptied business table, a reset mailbox), not thousands of real deletions.
//!
//! Decision: only the deletions are held. They move from [`Plan::ops`] into [`Plan::held`], so
//! a runtime that runs `ops` cannot run them by mistake, and their links and bases stay as they
//! are: the next plan proposes them again until the administrator allows them
//! ([`Plan::release_held`]). Creates, updates and link bookkeeping still run, so the rest of
//! the mailbox stays in sync while the administrator looks into it.
//!
//! Invariant: a held plan's `ops` contain no `DeleteInExchange` / `DeleteInBusiness`.

use crate::report::{Held, Plan};
use crate::rules::MassDeleteGuard;
use crate::state::Side;

/// Holds the plan's deletions when they exceed the guard's share of `linked` items.
pub(crate) fn apply<T>(plan: &mut Plan<T>, guard: MassDeleteGuard, linked: usize) {
    let mut in_exchange = 0usize;
    let mut in_business = 0usize;
    for op in &plan.ops {
        match op.deletes_on() {
            Some(Side::Exchange) => in_exchange += 1,
            Some(Side::Business) => in_business += 1,
            None => {}
        }
    }
    let deletions = in_exchange + in_business;
    if !guard.holds(deletions, linked) {
        return;
    }
    let (held, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut plan.ops)
        .into_iter()
        .partition(|op| op.deletes_on().is_some());
    plan.ops = kept;
    let percent = (deletions as u128 * 100).div_ceil((linked.max(1)) as u128);
    let message = format!(
        "plan would delete {deletions} of {linked} {kind}s in mailbox {mailbox} \
         ({in_exchange} in Exchange, {in_business} in the business application; \
         {percent} % > {max} %): held; check the business database and the mailbox in \
         Exchange; if the deletions are meant, approve them",
        kind = plan.kind,
        mailbox = plan.mailbox,
        max = guard.max_percent(),
    );
    plan.held = Some(Held {
        deletions: held,
        in_exchange,
        in_business,
        linked,
        max_percent: guard.max_percent(),
        message,
    });
}
