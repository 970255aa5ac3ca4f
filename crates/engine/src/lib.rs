//! exsync's sync engine: the pure three-way planner.
//!
//! Given, per item, the *base* (the last state both sides agreed on), what the business
//! application holds now and what Exchange holds now ([`ItemState`]), plus the [`Rules`] and
//! the mailbox's [`Scope`] (window, link count), [`plan`] returns a [`Plan`]: at most one
//! [`Op`] per item, the [`Conflict`]s the policy resolved, [`Notice`]s about edits and
//! deletions the rules discarded or undid, and deletions the mass-deletion guard [`Held`]. It
//! does no I/O, spawns nothing and reads no clock: the runtime collects the states, runs the
//! ops through the connectors and commits each op's base once its writes succeeded
//! ([`Op::commit`]).
//!
//! Where the decisions live: `state` (the table's rows and columns), `merge` (per-field
//! three-way merge, ownership, conflicts), `lifecycle` (deletions, re-creations, creates),
//! `window`, `guard`, `rules`, `op` (what to commit when), `report`.
//!
//! Invariant: planning is a pure function of its inputs; an item that is unchanged on both
//! sides and in the window is settled by comparison alone, without a clone or an allocation.
//!
//! ```
//! use exsync_engine::{ItemState, LinkIds, Observed, Op, Rules, Scope, plan};
//! use exsync_model::Task;
//!
//! let base = Task::new("Call Huber");
//! let mut edited = base.clone();
//! edited.subject = "Call Huber about the offer".into();
//! let item = ItemState::linked(
//!     LinkIds::new("42", "AAMk1"),
//!     base.clone(),
//!     Some(Observed::new(edited.clone())),
//!     Some(Observed::new(base)),
//! );
//! let plan = plan(&Rules::default(), &Scope::new("eva@example.com"), [item]);
//! match &plan.ops[..] {
//!     [Op::Update { exchange: Some(write), business: None, base, .. }] => {
//!         assert_eq!(write.fields, ["subject"]);
//!         assert_eq!(base, &edited);
//!     }
//!     other => panic!("unexpected plan {other:?}"),
//! }
//! ```

mod guard;
mod item;
mod lifecycle;
mod merge;
mod op;
mod plan;
mod report;
mod rules;
mod state;
mod window;

pub use item::Plannable;
pub use op::{Commit, Op, Write};
pub use plan::{Scope, StateInput, plan};
pub use report::{Conflict, Held, Notice, NoticeKind, Plan, Reason};
pub use rules::{
    ConflictPolicy, Direction, Flow, KindRules, MassDeleteGuard, Ownership, Rules, RulesError,
};
pub use state::{Change, ItemIds, ItemState, LinkIds, Linked, Observed, Side, Unlinked};
pub use window::{EmptyWindow, Everything, InWindow, SyncWindow};
