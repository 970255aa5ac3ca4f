//! The sync window (items leaving it are unlinked, never deleted; deletions outside it are not
//! passed on) and the mass-deletion guard (held above the share, not at it; below the minimum
//! count never; deletions only).

mod common;

use chrono::{DateTime, Utc};
use common::*;
use exsync_engine::{
    Commit, ItemIds, ItemState, MassDeleteGuard, Notice, NoticeKind, Op, Reason, Rules, Scope,
    Side, SyncWindow, plan,
};
use exsync_model::{Task, ZonedDateTime};

/// Tasks are placed in time by their due date here; the window is May 2026.
fn due(subject: &str, day: u32) -> Task {
    let mut t = task(subject);
    let instant = at(0) + chrono::Duration::days(i64::from(day) - 4);
    t.due = Some(ZonedDateTime::from_utc(instant));
    t
}

fn window() -> SyncWindow {
    let from: DateTime<Utc> = at(-3 * 24 * 60); // 1 May 08:00
    SyncWindow::new(from, from + chrono::Duration::days(31)).expect("valid window")
}

fn in_may(t: &Task) -> bool {
    let w = window();
    t.due
        .as_ref()
        .and_then(|d| d.to_utc().ok())
        .is_some_and(|d| w.overlaps(d, d))
}

fn run_windowed(items: Vec<ItemState<Task>>) -> exsync_engine::Plan<Task> {
    let test = in_may;
    plan(
        &Rules::default(),
        &Scope::new(MAILBOX).with_window(&test),
        items,
    )
}

fn linked(base: Task, b: Option<Task>, e: Option<Task>) -> ItemState<Task> {
    ItemState::linked(ids(), base, b.map(seen), e.map(seen))
}

#[test]
fn an_item_leaving_the_window_is_unlinked_never_deleted() {
    let old = due("Last year", 40); // June 9: outside
    let plan = run_windowed(vec![linked(
        old.clone(),
        Some(old.clone()),
        Some(old.clone()),
    )]);
    assert_eq!(plan.ops, [Op::Unlink { ids: ids() }]);
    assert_eq!(plan.ops[0].commit(), Commit::Forget);
    // Changed on both sides but entirely outside: still only unlinked.
    let plan = run_windowed(vec![linked(
        old.clone(),
        Some(due("edited", 41)),
        Some(due("edited too", 42)),
    )]);
    assert_eq!(plan.ops, [Op::Unlink { ids: ids() }]);
    // Inside and unchanged: nothing.
    let now = due("May", 10);
    let plan = run_windowed(vec![linked(
        now.clone(),
        Some(now.clone()),
        Some(now.clone()),
    )]);
    assert!(plan.ops.is_empty());
}

#[test]
fn a_move_out_of_the_window_is_still_synced() {
    let inside = due("Visit", 10);
    let moved = due("Visit", 45);
    let plan = run_windowed(vec![linked(
        inside.clone(),
        Some(moved.clone()),
        Some(inside),
    )]);
    match &plan.ops[..] {
        [
            Op::Update {
                exchange: Some(w),
                business: None,
                base,
                ..
            },
        ] => {
            assert_eq!(w.fields, ["due"]);
            assert_eq!(base, &moved);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_deletion_outside_the_window_is_not_passed_on() {
    let old = due("Old", 50);
    let plan = run_windowed(vec![linked(old.clone(), Some(old.clone()), None)]);
    assert_eq!(plan.ops, [Op::Unlink { ids: ids() }]);
    assert_eq!(
        plan.notices,
        [Notice {
            ids: ItemIds::from(&ids()),
            side: Side::Exchange,
            kind: NoticeKind::DeletionNotPropagated,
            reason: Reason::OutsideWindow,
        }]
    );
    // Inside, the same deletion is passed on.
    let now = due("Now", 12);
    let plan = run_windowed(vec![linked(now.clone(), Some(now.clone()), None)]);
    assert_eq!(plan.ops, [Op::DeleteInBusiness { ids: ids() }]);
}

#[test]
fn items_outside_the_window_are_neither_created_nor_linked() {
    let old = due("Old", 60);
    let plan = run_windowed(vec![
        ItemState::new_in_business("b1", seen(old.clone())),
        ItemState::new_in_exchange("e1", seen(old.clone())),
        ItemState::found_on_both(ids(), seen(old.clone()), seen(old.clone())),
    ]);
    assert!(plan.ops.is_empty(), "{plan:?}");
    // Back inside (the window moved on): found on both, linked without a duplicate.
    let now = due("Now", 20);
    let plan = run_windowed(vec![ItemState::found_on_both(
        ids(),
        seen(now.clone()),
        seen(now.clone()),
    )]);
    assert_eq!(
        plan.ops,
        [Op::Link {
            ids: ids(),
            base: now
        }]
    );
}

/// `deleted` of `linked` linked tasks deleted in the business app, plus one new task.
fn mass(linked_count: usize, deleted: usize, guard: MassDeleteGuard) -> exsync_engine::Plan<Task> {
    let mut rules = Rules::default();
    rules.guard = guard;
    let items = (0..linked_count)
        .map(|i| {
            let t = task(&format!("task {i}"));
            let ids = exsync_engine::LinkIds::new(format!("b{i}"), format!("e{i}"));
            let business = (i >= deleted).then(|| seen(t.clone()));
            ItemState::linked(ids, t.clone(), business, Some(seen(t)))
        })
        .chain([ItemState::new_in_business("new", seen(task("new")))])
        .collect::<Vec<_>>();
    run(&rules, items)
}

#[test]
fn mass_deletion_is_held_above_the_share_and_not_at_it() {
    let guard = MassDeleteGuard::new(30, 10).expect("valid");
    let at_threshold = mass(100, 30, guard);
    assert!(!at_threshold.is_held());
    assert_eq!(at_threshold.ops.len(), 31);

    let mut above = mass(100, 31, guard);
    let held = above.held.as_ref().expect("held");
    assert_eq!(
        (held.in_exchange, held.in_business, held.linked),
        (31, 0, 100)
    );
    assert_eq!(held.deletions.len(), 31);
    assert!(
        held.deletions
            .iter()
            .all(|op| op.deletes_on() == Some(Side::Exchange))
    );
    assert_eq!(
        held.message,
        "plan would delete 31 of 100 tasks in mailbox eva@example.com (31 in Exchange, 0 in the \
         business application; 31 % > 30 %): held; check the business database and the mailbox \
         in Exchange; if the deletions are meant, approve them"
    );
    // Only the deletions are held: the create still runs.
    assert_eq!(above.ops.len(), 1);
    assert!(matches!(above.ops[0], Op::CreateInExchange { .. }));
    above.release_held();
    assert!(!above.is_held());
    assert_eq!(above.ops.len(), 32);
}

#[test]
fn the_guard_ignores_small_counts_and_uses_the_stores_total() {
    let guard = MassDeleteGuard::new(30, 10).expect("valid");
    assert!(
        !mass(10, 9, guard).is_held(),
        "9 deletions stay below the minimum of 10"
    );
    assert!(mass(10, 10, guard).is_held());
    // An incremental pass sees only the changed items; the store knows 1000 are linked.
    let mut rules = Rules::default();
    rules.guard = guard;
    let items: Vec<_> = (0..12)
        .map(|i| {
            let t = task(&format!("t{i}"));
            let ids = exsync_engine::LinkIds::new(format!("b{i}"), format!("e{i}"));
            ItemState::linked(ids, t.clone(), None, Some(seen(t)))
        })
        .collect();
    let scope = Scope::new(MAILBOX).with_linked_total(1000);
    let incremental = plan(&rules, &scope, items.clone());
    assert!(!incremental.is_held(), "12 of 1000");
    let without_total = plan(&rules, &Scope::new(MAILBOX), items);
    assert!(without_total.is_held(), "12 of the 12 given");
}
