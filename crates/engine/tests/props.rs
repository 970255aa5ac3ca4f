//! Property tests over random sequences of edits and sync rounds on simulated replicas (see
//! `sim`), for tasks, contacts and appointments, under random directions, field ownership,
//! conflict policies and with or without modified stamps:
//!
//! - convergence: after a sync round both sides agree with each other and with the base in
//!   every field that travels (a changes-only field: the business side and the base agree),
//!   and nothing the direction carries is left unlinked;
//! - idempotence: planning right after applying yields no ops, except, once, the fields a
//!   create could not write (the target's defaults flowing back where the target owns them);
//! - no edit lost: an edit of a field without a competing edit on the other side is on both
//!   sides after the round when the field travels from its side; otherwise it is kept where it
//!   was (field travels nowhere, or only business changes travel) or overwritten *and
//!   reported*; competing edits are reported as conflicts.

mod sim;

use exsync_engine::{
    ConflictPolicy, Direction, ItemIds, ItemState, MassDeleteGuard, NoticeKind, Op, Ownership,
    Rules, Side,
};
use exsync_model::{Appointment, Contact, ItemKind, SyncItem, Task};
use proptest::prelude::*;
use sim::arb::{appointment, contact, task};
use sim::{Blank, Sim, Who, flows_for};

#[derive(Debug, Clone)]
enum Action<T> {
    Create(Who, T),
    Edit(Who, usize, usize, T),
    Delete(Who, usize),
    Sync,
    LoseLinks,
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![Just(Who::Business), Just(Who::Exchange)]
}

fn actions<T: Blank>(item: BoxedStrategy<T>) -> impl Strategy<Value = Vec<Action<T>>> {
    let action = prop_oneof![
        3 => (who(), item.clone()).prop_map(|(w, t)| Action::Create(w, t)),
        8 => (who(), any::<usize>(), any::<usize>(), item).prop_map(|(w, p, f, t)| Action::Edit(w, p, f, t)),
        2 => (who(), any::<usize>()).prop_map(|(w, p)| Action::Delete(w, p)),
        3 => Just(Action::Sync),
        1 => Just(Action::LoseLinks),
    ];
    prop::collection::vec(action, 1..40)
}

fn rules_for(kind: ItemKind) -> impl Strategy<Value = Rules> {
    let fields = exsync_engine_fields(kind);
    let ownership = prop_oneof![
        4 => Just(Ownership::Both),
        1 => Just(Ownership::BusinessToExchange),
        1 => Just(Ownership::BusinessChangesToExchange),
        1 => Just(Ownership::ExchangeToBusiness),
        1 => Just(Ownership::Never),
    ];
    (
        prop_oneof![
            Just(Direction::Both),
            Just(Direction::Export),
            Just(Direction::Import)
        ],
        prop_oneof![
            Just(ConflictPolicy::BusinessWins),
            Just(ConflictPolicy::ExchangeWins),
            Just(ConflictPolicy::NewestWins)
        ],
        prop::collection::vec(ownership, fields.len()),
    )
        .prop_map(move |(direction, policy, owners)| {
            let mut rules = Rules::default();
            rules
                .set_direction(kind, direction)
                .set_policy(kind, policy);
            rules.guard = MassDeleteGuard::default();
            for (field, owner) in fields.iter().zip(owners) {
                rules
                    .set_ownership(kind, field, owner)
                    .expect("a field of the kind");
            }
            rules
        })
}

fn exsync_engine_fields(kind: ItemKind) -> &'static [&'static str] {
    match kind {
        ItemKind::Appointment => Appointment::FIELDS,
        ItemKind::Task => Task::FIELDS,
        ItemKind::Contact => Contact::FIELDS,
    }
}

/// What the edits since the last round demand of the coming round, per linked item.
fn expectations<T: Blank>(sim: &Sim<T>, rules: &Rules) -> Vec<Expect<T>> {
    let mut out = Vec::new();
    for state in sim.states() {
        let ItemState::Linked(l) = state else {
            continue;
        };
        let (Some(b), Some(e)) = (l.business, l.exchange) else {
            continue;
        };
        let flows = flows_for(rules, Some(&e.item));
        for (field, flow) in T::FIELDS.iter().zip(&flows) {
            let changed = [
                (Side::Business, &b.item, !l.base.field_eq(&b.item, field)),
                (Side::Exchange, &e.item, !l.base.field_eq(&e.item, field)),
            ];
            if b.item.field_eq(&e.item, field) {
                if flow.any() && (changed[0].2 || changed[1].2) {
                    out.push(Expect::OnBoth {
                        ids: l.ids.clone(),
                        field,
                        value: b.item.clone(),
                    });
                }
                continue;
            }
            if changed[0].2 && changed[1].2 && flow.to_exchange && flow.to_business {
                out.push(Expect::Conflict {
                    ids: ItemIds::from(&l.ids),
                    field,
                });
                continue;
            }
            let business_edited = changed[0].2;
            for (side, value, edited) in changed {
                if !edited {
                    continue;
                }
                let (travels, returns) = match side {
                    Side::Business => (flow.to_exchange, flow.to_business),
                    // A changes-only field overwrites an Exchange edit only with a business
                    // edit; otherwise Exchange keeps it.
                    Side::Exchange => (
                        flow.to_business,
                        flow.to_exchange && (!flow.changes_only || business_edited),
                    ),
                };
                let ids = l.ids.clone();
                out.push(if travels {
                    Expect::OnBoth {
                        ids,
                        field,
                        value: value.clone(),
                    }
                } else if returns {
                    Expect::Reported {
                        ids: ItemIds::from(&ids),
                        side,
                        field,
                    }
                } else {
                    Expect::KeptOn {
                        ids,
                        side,
                        field,
                        value: value.clone(),
                    }
                });
            }
        }
    }
    out
}

enum Expect<T> {
    OnBoth {
        ids: exsync_engine::LinkIds,
        field: &'static str,
        value: T,
    },
    KeptOn {
        ids: exsync_engine::LinkIds,
        side: Side,
        field: &'static str,
        value: T,
    },
    Reported {
        ids: ItemIds,
        side: Side,
        field: &'static str,
    },
    Conflict {
        ids: ItemIds,
        field: &'static str,
    },
}

fn sync_round<T: Blank>(sim: &mut Sim<T>, rules: &Rules) -> Result<(), TestCaseError> {
    let expect = expectations(sim, rules);
    let plan = sim.plan(rules);
    let mut seen = std::collections::HashSet::new();
    for op in plan
        .ops
        .iter()
        .chain(plan.held.iter().flat_map(|h| &h.deletions))
    {
        prop_assert!(seen.insert(op.ids()), "two ops for {}", op.ids());
    }
    let created: Vec<(ItemIds, Vec<&'static str>)> = plan
        .ops
        .iter()
        .filter_map(|op| match op {
            Op::CreateInExchange { write, .. } | Op::CreateInBusiness { write, .. } => {
                Some((op.ids(), write.fields.clone()))
            }
            _ => None,
        })
        .collect();
    let report = plan.clone();
    sim.apply(plan);
    for e in &expect {
        match e {
            Expect::OnBoth { ids, field, value } => {
                let b = &sim.business[&ids.business].item;
                let x = &sim.exchange[&ids.exchange].item;
                prop_assert!(
                    b.field_eq(value, field) && x.field_eq(value, field),
                    "{field} edit of {} lost",
                    ItemIds::from(ids)
                );
            }
            Expect::KeptOn {
                ids,
                side,
                field,
                value,
            } => {
                let held = match side {
                    Side::Business => &sim.business[&ids.business].item,
                    Side::Exchange => &sim.exchange[&ids.exchange].item,
                };
                prop_assert!(
                    held.field_eq(value, field),
                    "untravelling {field} edit overwritten"
                );
            }
            Expect::Reported { ids, side, field } => {
                let reported = report.notices.iter().any(|n| {
                    &n.ids == ids && n.side == *side && matches!(&n.kind, NoticeKind::EditsOverwritten { fields } if fields.contains(field))
                });
                prop_assert!(
                    reported,
                    "overwritten {field} edit on {side:?} of {ids} not reported"
                );
            }
            Expect::Conflict { ids, field } => {
                let reported = report
                    .conflicts
                    .iter()
                    .any(|c| &c.ids == ids && c.field == Some(*field));
                prop_assert!(reported, "conflict on {field} of {ids} not reported");
            }
        }
    }
    // Idempotence: at most one follow-up, only for the fields creates left at defaults.
    let again = sim.plan(rules);
    if !again.ops.is_empty() {
        for op in &again.ops {
            let Op::Update {
                exchange, business, ..
            } = op
            else {
                return Err(TestCaseError::fail(format!("follow-up op {op:?}")));
            };
            let fields = created
                .iter()
                .find(|(ids, _)| {
                    let now = op.ids();
                    ids.business == now.business || ids.exchange == now.exchange
                })
                .map(|(_, f)| f);
            let Some(written) = fields else {
                return Err(TestCaseError::fail(format!(
                    "follow-up for an item not created: {op:?}"
                )));
            };
            for w in exchange.iter().chain(business.iter()) {
                prop_assert!(
                    w.fields.iter().all(|f| !written.contains(f)),
                    "re-wrote created fields"
                );
            }
        }
        sim.apply(again);
    }
    let quiet = sim.plan(rules);
    prop_assert!(
        quiet.ops.is_empty() && quiet.conflicts.is_empty(),
        "not idempotent: {quiet:?}"
    );
    sim.assert_converged(rules);
    Ok(())
}

fn run_sequence<T: Blank>(
    rules: &Rules,
    stamps: bool,
    actions: Vec<Action<T>>,
) -> Result<(), TestCaseError> {
    let mut sim = Sim::new(stamps);
    for action in actions {
        match action {
            Action::Create(w, item) => sim.create(w, item),
            Action::Edit(w, pick, field, from) => sim.edit(w, pick, field, &from),
            Action::Delete(w, pick) => sim.delete(w, pick),
            Action::Sync => sync_round(&mut sim, rules)?,
            Action::LoseLinks => sim.lose_links(),
        }
    }
    sync_round(&mut sim, rules)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn tasks_converge_idempotently_without_losing_edits(
        rules in rules_for(ItemKind::Task), stamps in any::<bool>(), actions in actions(task())
    ) {
        run_sequence(&rules, stamps, actions)?;
    }

    #[test]
    fn contacts_converge_idempotently_without_losing_edits(
        rules in rules_for(ItemKind::Contact), stamps in any::<bool>(), actions in actions(contact())
    ) {
        run_sequence(&rules, stamps, actions)?;
    }

    #[test]
    fn appointments_converge_idempotently_without_losing_edits(
        rules in rules_for(ItemKind::Appointment), stamps in any::<bool>(), actions in actions(appointment())
    ) {
        run_sequence(&rules, stamps, actions)?;
    }
}
