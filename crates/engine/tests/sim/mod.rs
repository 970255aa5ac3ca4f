//! A simulated business application, Exchange mailbox and state store, driven by random edits
//! and sync rounds, for the property tests.
//!
//! The simulated connectors behave like the real ones where it matters: an update PATCHes only
//! the listed fields; a create writes only the listed fields and leaves the others at the
//! target's defaults ([`Blank`]); every write moves the side's modified stamp; an item created
//! in Exchange carries the business id as a stamp, so a lost state store is healed by matching.
//!
//! Invariant: [`Sim::apply`] checks each op against the engine's own claims (a write's `item`
//! is what the side holds after the write; the business record equals the new base).

#![allow(dead_code)] // shared by several property tests

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeZone, Utc};
use exsync_engine::{
    Direction, Flow, ItemState, LinkIds, Observed, Op, Plan, Plannable, Rules, Scope, plan,
};
use exsync_model::{Appointment, BusinessId, Contact, ExchangeId, Task};

pub mod arb;

/// The mailbox the simulation plans for.
pub const MAILBOX: &str = "eva@example.com";

/// What a side holds in the fields a create did not write.
pub trait Blank: Plannable {
    /// The side's defaults.
    fn blank() -> Self;
}

impl Blank for Task {
    fn blank() -> Self {
        Task::new("")
    }
}

impl Blank for Contact {
    fn blank() -> Self {
        Contact::default()
    }
}

impl Blank for Appointment {
    fn blank() -> Self {
        let start = exsync_model::ZonedDateTime::from_utc(stamp(0));
        Appointment::timed("", start.clone(), start)
    }
}

/// One simulated item with its stamp.
#[derive(Debug, Clone)]
pub struct Entry<T> {
    /// The item.
    pub item: T,
    /// Last modified (logical clock).
    pub modified: i64,
    /// On Exchange: the business id stamped on the item.
    pub stamp: Option<BusinessId>,
}

/// A side of the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The business application.
    Business,
    /// Exchange.
    Exchange,
}

/// Both replicas and the state store.
#[derive(Debug, Clone)]
pub struct Sim<T> {
    /// The business application.
    pub business: BTreeMap<BusinessId, Entry<T>>,
    /// The Exchange mailbox.
    pub exchange: BTreeMap<ExchangeId, Entry<T>>,
    /// The state store: business id -> (Exchange id, base).
    pub links: BTreeMap<BusinessId, (ExchangeId, T)>,
    /// Whether the sides report modified stamps.
    pub stamps: bool,
    clock: i64,
    next_id: u64,
}

/// The logical clock as a time.
pub fn stamp(tick: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_780_000_000 + tick, 0)
        .single()
        .unwrap_or_default()
}

/// The flows for an item of `T` as the engine decides them: narrower for a foreign meeting,
/// judged by the Exchange item, else the base.
pub fn flows_for<T: Plannable>(rules: &Rules, judge: Option<&T>) -> Vec<Flow> {
    let kind = rules.kind(T::KIND);
    let foreign = judge.is_some_and(|item| item.is_foreign(MAILBOX));
    let direction = if foreign {
        kind.direction.without_export()
    } else {
        kind.direction
    };
    kind.flows(direction)
}

impl<T: Blank> Sim<T> {
    /// Empty replicas.
    pub fn new(stamps: bool) -> Self {
        Self {
            business: BTreeMap::new(),
            exchange: BTreeMap::new(),
            links: BTreeMap::new(),
            stamps,
            clock: 0,
            next_id: 0,
        }
    }

    fn tick(&mut self) -> i64 {
        self.clock += 1;
        self.clock
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{}", self.next_id)
    }

    /// A user creates an item on one side.
    pub fn create(&mut self, who: Who, item: T) {
        let modified = self.tick();
        let entry = Entry {
            item,
            modified,
            stamp: None,
        };
        match who {
            Who::Business => {
                let id = BusinessId::from(self.fresh("b"));
                self.business.insert(id, entry);
            }
            Who::Exchange => {
                let id = ExchangeId::from(self.fresh("e"));
                self.exchange.insert(id, entry);
            }
        }
    }

    /// A user changes one field of the `pick`-th item of a side to its value in `from`.
    pub fn edit(&mut self, who: Who, pick: usize, field: usize, from: &T) {
        let modified = self.tick();
        let name = T::FIELDS[field % T::FIELDS.len()];
        let entry = match who {
            Who::Business => nth(&mut self.business, pick),
            Who::Exchange => nth(&mut self.exchange, pick),
        };
        if let Some(entry) = entry {
            entry.item.copy_field(from, name);
            entry.modified = modified;
        }
    }

    /// A user deletes the `pick`-th item of a side.
    pub fn delete(&mut self, who: Who, pick: usize) {
        match who {
            Who::Business => {
                if let Some(id) = nth_key(&self.business, pick) {
                    self.business.remove(&id);
                }
            }
            Who::Exchange => {
                if let Some(id) = nth_key(&self.exchange, pick) {
                    self.exchange.remove(&id);
                }
            }
        }
    }

    /// The state store is lost (restored empty): items are matched again by their stamps.
    pub fn lose_links(&mut self) {
        self.links.clear();
    }

    fn observed(&self, entry: &Entry<T>) -> Observed<T> {
        Observed {
            item: entry.item.clone(),
            modified: self.stamps.then(|| stamp(entry.modified)),
        }
    }

    /// What the runtime would hand the planner in a full pass.
    pub fn states(&self) -> Vec<ItemState<T>> {
        let mut states = Vec::new();
        let linked_exchange: BTreeSet<&ExchangeId> = self.links.values().map(|(e, _)| e).collect();
        let mut matched: BTreeSet<ExchangeId> = BTreeSet::new();
        for (bid, (eid, base)) in &self.links {
            states.push(ItemState::linked(
                LinkIds::new(bid.clone(), eid.clone()),
                base.clone(),
                self.business.get(bid).map(|e| self.observed(e)),
                self.exchange.get(eid).map(|e| self.observed(e)),
            ));
        }
        for (bid, entry) in &self.business {
            if self.links.contains_key(bid) {
                continue;
            }
            let twin = self.exchange.iter().find(|(eid, e)| {
                e.stamp.as_ref() == Some(bid)
                    && !linked_exchange.contains(eid)
                    && !matched.contains(*eid)
            });
            match twin {
                Some((eid, e)) => {
                    matched.insert(eid.clone());
                    states.push(ItemState::found_on_both(
                        LinkIds::new(bid.clone(), eid.clone()),
                        self.observed(entry),
                        self.observed(e),
                    ));
                }
                None => states.push(ItemState::new_in_business(
                    bid.clone(),
                    self.observed(entry),
                )),
            }
        }
        for (eid, entry) in &self.exchange {
            if !linked_exchange.contains(eid) && !matched.contains(eid) {
                states.push(ItemState::new_in_exchange(
                    eid.clone(),
                    self.observed(entry),
                ));
            }
        }
        states
    }

    /// Plans a full pass.
    pub fn plan(&self, rules: &Rules) -> Plan<T> {
        let scope = Scope::new(MAILBOX).with_linked_total(self.links.len());
        plan(rules, &scope, self.states())
    }

    /// Runs a plan as the runtime would (held deletions released, as `exsync approve` does).
    pub fn apply(&mut self, mut plan: Plan<T>) {
        plan.release_held();
        for op in plan.ops {
            self.apply_op(op);
        }
    }

    fn created(&mut self, write: &exsync_engine::Write<T>) -> Entry<T> {
        let mut item = T::blank();
        for field in &write.fields {
            item.copy_field(&write.item, field);
        }
        Entry {
            item,
            modified: self.tick(),
            stamp: None,
        }
    }

    fn apply_op(&mut self, op: Op<T>) {
        match op {
            Op::CreateInExchange {
                business_id, write, ..
            } => {
                let eid = ExchangeId::from(self.fresh("e"));
                let mut entry = self.created(&write);
                entry.stamp = Some(business_id.clone());
                self.exchange.insert(eid.clone(), entry);
                self.links.insert(business_id, (eid, write.item));
            }
            Op::CreateInBusiness {
                exchange_id,
                replaces,
                write,
            } => {
                let bid = BusinessId::from(self.fresh("b"));
                let entry = self.created(&write);
                self.business.insert(bid.clone(), entry);
                if let Some(old) = replaces {
                    self.links.remove(&old);
                }
                if let Some(e) = self.exchange.get_mut(&exchange_id) {
                    e.stamp = Some(bid.clone());
                }
                self.links.insert(bid, (exchange_id, write.item));
            }
            Op::Update {
                ids,
                exchange,
                business,
                base,
            } => {
                if let Some(w) = exchange {
                    let modified = self.tick();
                    let entry = self
                        .exchange
                        .get_mut(&ids.exchange)
                        .expect("updated item exists");
                    patch(entry, &w, modified);
                }
                if let Some(w) = business {
                    let modified = self.tick();
                    let entry = self
                        .business
                        .get_mut(&ids.business)
                        .expect("updated item exists");
                    patch(entry, &w, modified);
                }
                let held = &self.business.get(&ids.business).expect("exists").item;
                assert_eq!(held, &base, "the business record equals the new base");
                self.links.insert(ids.business, (ids.exchange, base));
            }
            Op::DeleteInExchange { ids } => {
                assert!(self.exchange.remove(&ids.exchange).is_some());
                self.links.remove(&ids.business);
            }
            Op::DeleteInBusiness { ids } => {
                assert!(self.business.remove(&ids.business).is_some());
                self.links.remove(&ids.business);
            }
            Op::Link { ids, base } | Op::SetBase { ids, base } => {
                self.links.insert(ids.business, (ids.exchange, base));
            }
            Op::Unlink { ids } | Op::ForgetBase { ids } => {
                self.links.remove(&ids.business);
            }
        }
    }

    /// Checks that every linked pair agrees with each other and the base in every travelling
    /// field (a changes-only field: the business record and the base agree), and that nothing the direction should carry was left unlinked.
    pub fn assert_converged(&self, rules: &Rules) {
        let direction = rules.kind(T::KIND).direction;
        let mut seen_exchange = BTreeSet::new();
        for (bid, (eid, base)) in &self.links {
            assert!(seen_exchange.insert(eid), "{eid} linked twice");
            let b = &self
                .business
                .get(bid)
                .expect("linked business record exists")
                .item;
            let e = &self
                .exchange
                .get(eid)
                .expect("linked Exchange item exists")
                .item;
            let flows = flows_for(rules, Some(e));
            for (field, flow) in T::FIELDS.iter().zip(&flows) {
                if flow.any() {
                    // A changes-only field may keep Exchange's own edit.
                    assert!(
                        flow.changes_only || b.field_eq(e, field),
                        "{bid}/{eid}: {field} differs: {b:?} / {e:?}"
                    );
                    assert!(b.field_eq(base, field), "{bid}: base {field} differs");
                }
            }
        }
        if direction.exports() {
            for (bid, entry) in &self.business {
                let foreign = entry.item.is_foreign(MAILBOX);
                assert!(
                    foreign || self.links.contains_key(bid),
                    "{bid} was not exported"
                );
            }
        }
        if direction.imports() && direction != Direction::Off {
            for eid in self.exchange.keys() {
                assert!(seen_exchange.contains(eid), "{eid} was not imported");
            }
        }
    }
}

fn patch<T: Plannable>(entry: &mut Entry<T>, write: &exsync_engine::Write<T>, modified: i64) {
    assert!(!write.fields.is_empty(), "an update writes something");
    for field in &write.fields {
        entry.item.copy_field(&write.item, field);
    }
    assert_eq!(
        entry.item, write.item,
        "the write's item is what the side now holds"
    );
    entry.modified = modified;
}

fn nth<K: Ord, V>(map: &mut BTreeMap<K, V>, pick: usize) -> Option<&mut V> {
    let len = map.len();
    if len == 0 {
        return None;
    }
    map.values_mut().nth(pick % len)
}

fn nth_key<K: Ord + Clone, V>(map: &BTreeMap<K, V>, pick: usize) -> Option<K> {
    let len = map.len();
    if len == 0 {
        return None;
    }
    map.keys().nth(pick % len).cloned()
}
