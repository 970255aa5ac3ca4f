//! Helpers shared by the engine's integration tests: small items, ids and a one-call planner.
//!
//! Invariant: every helper is deterministic (fixed ids, fixed stamps), so expected plans can be
//! written out literally.

#![allow(dead_code)] // each test binary uses a different subset

use chrono::{DateTime, TimeZone, Utc};
use exsync_engine::{
    ConflictPolicy, Direction, ItemState, LinkIds, Observed, Plan, Plannable, Rules, Scope, plan,
};
use exsync_model::{FieldName, Importance, ItemKind, SyncItem, Task};

/// The mailbox every test plans for.
pub const MAILBOX: &str = "eva@example.com";

/// The ids of the one linked item of a table row.
pub fn ids() -> LinkIds {
    LinkIds::new("b1", "e1")
}

/// A task with a subject and otherwise defaults.
pub fn task(subject: &str) -> Task {
    Task::new(subject)
}

/// `task(subject)` with high importance.
pub fn important(subject: &str) -> Task {
    let mut t = Task::new(subject);
    t.importance = Importance::High;
    t
}

/// An unstamped observation.
pub fn seen<T>(item: T) -> Observed<T> {
    Observed::new(item)
}

/// A stamp `minutes` after a fixed instant.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, 8, 0, 0)
        .single()
        .map(|t| t + chrono::Duration::minutes(minutes))
        .unwrap_or_default()
}

/// Every field of `T`.
pub fn all<T: SyncItem>() -> Vec<FieldName> {
    T::FIELDS.to_vec()
}

/// Default rules with `direction` for every kind.
pub fn rules(direction: Direction) -> Rules {
    let mut rules = Rules::default();
    for kind in ItemKind::ALL {
        rules.set_direction(kind, direction);
    }
    rules
}

/// Default rules with `policy` for every kind.
pub fn with_policy(policy: ConflictPolicy) -> Rules {
    let mut rules = Rules::default();
    for kind in ItemKind::ALL {
        rules.set_policy(kind, policy);
    }
    rules
}

/// Plans `items` for [`MAILBOX`] with no window.
pub fn run<T: Plannable>(rules: &Rules, items: Vec<ItemState<T>>) -> Plan<T> {
    plan(rules, &Scope::new(MAILBOX), items)
}
