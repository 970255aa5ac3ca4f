//! The planner's table: every cell of (absent / unchanged / changed / deleted) on the business
//! side x the same on the Exchange side, against the base, for each direction, with the
//! expected plan written out per cell.
//!
//! "Changed" without a base is "new". Two cells split: changed/changed with a base into the
//! same edit, edits of different fields, and edits of the same field; new/new into equal and
//! different items. Four cells cannot be expressed (see `impossible_cells_cannot_be_built`):
//! absent/unchanged, absent/deleted, unchanged/absent and deleted/absent, because "absent"
//! means no base and "unchanged"/"deleted" mean a base, and an item has one base.
//!
//! Values: base = task "base"; a business edit changes the subject; an Exchange edit changes
//! the importance (or the subject, for the same-field conflict). Policy: business wins.

mod common;
mod table_cells;

use common::*;
use exsync_engine::{Change, Conflict, Direction, ItemState, Notice, NoticeKind, Op, Side};
use exsync_model::{Importance, Task};
use table_cells::*;

type Expected = (Vec<Op<Task>>, Vec<Conflict>, Vec<Notice>);

fn both(cell: Cell) -> Expected {
    use Side::*;
    match cell {
        Cell::AA | Cell::UU => (vec![], vec![], vec![]),
        Cell::AN => (
            vec![create_in_business(task("new in Exchange"), false)],
            vec![],
            vec![],
        ),
        Cell::NA => (
            vec![create_in_exchange(task("new in business"), false)],
            vec![],
            vec![],
        ),
        Cell::NNEqual => (
            vec![Op::Link {
                ids: ids(),
                base: task("found"),
            }],
            vec![],
            vec![],
        ),
        Cell::NNDiff => (
            vec![update(
                Some(w(task("found"), &["importance"])),
                None,
                task("found"),
            )],
            vec![conflict(Some("importance"), Business)],
            vec![],
        ),
        Cell::UC => (
            vec![update(None, Some(w(e_edit(), &["importance"])), e_edit())],
            vec![],
            vec![],
        ),
        Cell::UD => (vec![Op::DeleteInBusiness { ids: ids() }], vec![], vec![]),
        Cell::CU => (
            vec![update(Some(w(b_edit(), &["subject"])), None, b_edit())],
            vec![],
            vec![],
        ),
        Cell::CCSame => (
            vec![Op::SetBase {
                ids: ids(),
                base: task("same edit"),
            }],
            vec![],
            vec![],
        ),
        Cell::CCFields => (
            vec![update(
                Some(w(merged(), &["subject"])),
                Some(w(merged(), &["importance"])),
                merged(),
            )],
            vec![],
            vec![],
        ),
        Cell::CCConflict => (
            vec![update(Some(w(b_edit(), &["subject"])), None, b_edit())],
            vec![conflict(Some("subject"), Business)],
            vec![],
        ),
        // Business wins the edit-versus-delete conflict: its edit is kept, Exchange re-created.
        Cell::CD => (
            vec![create_in_exchange(b_edit(), true)],
            vec![conflict(None, Business)],
            vec![],
        ),
        Cell::DU => (vec![Op::DeleteInExchange { ids: ids() }], vec![], vec![]),
        // Business wins: its deletion is kept, the Exchange edit goes with the item.
        Cell::DC => (
            vec![Op::DeleteInExchange { ids: ids() }],
            vec![conflict(None, Business)],
            vec![],
        ),
        Cell::DD => (vec![Op::ForgetBase { ids: ids() }], vec![], vec![]),
    }
}

fn export(cell: Cell) -> Expected {
    use Side::*;
    match cell {
        // New Exchange items are not imported (e.g. a user's own contacts).
        Cell::AA | Cell::UU | Cell::AN => (vec![], vec![], vec![]),
        Cell::NA => (
            vec![create_in_exchange(task("new in business"), false)],
            vec![],
            vec![],
        ),
        Cell::NNEqual => (
            vec![Op::Link {
                ids: ids(),
                base: task("found"),
            }],
            vec![],
            vec![],
        ),
        Cell::NNDiff => (
            vec![update(
                Some(w(task("found"), &["importance"])),
                None,
                task("found"),
            )],
            vec![],
            vec![overwritten(Exchange, &["importance"])],
        ),
        // Outlook's edit is overwritten from the business record, and reported.
        Cell::UC => (
            vec![update(Some(w(base(), &["importance"])), None, base())],
            vec![],
            vec![overwritten(Exchange, &["importance"])],
        ),
        Cell::UD => (
            vec![create_in_exchange(base(), true)],
            vec![],
            vec![notice(Exchange, NoticeKind::DeletionUndone)],
        ),
        Cell::CU => (
            vec![update(Some(w(b_edit(), &["subject"])), None, b_edit())],
            vec![],
            vec![],
        ),
        Cell::CCSame => (
            vec![Op::SetBase {
                ids: ids(),
                base: task("same edit"),
            }],
            vec![],
            vec![],
        ),
        Cell::CCFields => (
            vec![update(
                Some(w(b_edit(), &["subject", "importance"])),
                None,
                b_edit(),
            )],
            vec![],
            vec![overwritten(Exchange, &["importance"])],
        ),
        Cell::CCConflict => (
            vec![update(Some(w(b_edit(), &["subject"])), None, b_edit())],
            vec![],
            vec![overwritten(Exchange, &["subject"])],
        ),
        Cell::CD => (
            vec![create_in_exchange(b_edit(), true)],
            vec![],
            vec![notice(Exchange, NoticeKind::DeletionUndone)],
        ),
        Cell::DU => (vec![Op::DeleteInExchange { ids: ids() }], vec![], vec![]),
        Cell::DC => (
            vec![Op::DeleteInExchange { ids: ids() }],
            vec![],
            vec![notice(
                Exchange,
                NoticeKind::EditsDeleted {
                    fields: vec!["importance"],
                },
            )],
        ),
        Cell::DD => (vec![Op::ForgetBase { ids: ids() }], vec![], vec![]),
    }
}

fn import(cell: Cell) -> Expected {
    use Side::*;
    match cell {
        Cell::AA | Cell::UU | Cell::NA => (vec![], vec![], vec![]),
        Cell::AN => (
            vec![create_in_business(task("new in Exchange"), false)],
            vec![],
            vec![],
        ),
        Cell::NNEqual => (
            vec![Op::Link {
                ids: ids(),
                base: task("found"),
            }],
            vec![],
            vec![],
        ),
        Cell::NNDiff => (
            vec![update(
                None,
                Some(w(important("found"), &["importance"])),
                important("found"),
            )],
            vec![],
            vec![overwritten(Business, &["importance"])],
        ),
        Cell::UC => (
            vec![update(None, Some(w(e_edit(), &["importance"])), e_edit())],
            vec![],
            vec![],
        ),
        Cell::UD => (vec![Op::DeleteInBusiness { ids: ids() }], vec![], vec![]),
        Cell::CU => (
            vec![update(None, Some(w(base(), &["subject"])), base())],
            vec![],
            vec![overwritten(Business, &["subject"])],
        ),
        Cell::CCSame => (
            vec![Op::SetBase {
                ids: ids(),
                base: task("same edit"),
            }],
            vec![],
            vec![],
        ),
        Cell::CCFields => (
            vec![update(
                None,
                Some(w(e_edit(), &["subject", "importance"])),
                e_edit(),
            )],
            vec![],
            vec![overwritten(Business, &["subject"])],
        ),
        Cell::CCConflict => (
            vec![update(
                None,
                Some(w(task("Exchange edit"), &["subject"])),
                task("Exchange edit"),
            )],
            vec![],
            vec![overwritten(Business, &["subject"])],
        ),
        Cell::CD => (
            vec![Op::DeleteInBusiness { ids: ids() }],
            vec![],
            vec![notice(
                Business,
                NoticeKind::EditsDeleted {
                    fields: vec!["subject"],
                },
            )],
        ),
        Cell::DU => (
            vec![create_in_business(base(), true)],
            vec![],
            vec![notice(Business, NoticeKind::DeletionUndone)],
        ),
        Cell::DC => (
            vec![create_in_business(e_edit(), true)],
            vec![],
            vec![notice(Business, NoticeKind::DeletionUndone)],
        ),
        Cell::DD => (vec![Op::ForgetBase { ids: ids() }], vec![], vec![]),
    }
}

fn check(direction: Direction, expected: fn(Cell) -> Expected) {
    for cell in CELLS {
        let state = state(cell);
        assert_eq!(
            state.changes(),
            classes(cell),
            "{cell:?} is built as that cell"
        );
        let borrowed = exsync_engine::plan(
            &rules(direction),
            &exsync_engine::Scope::new(MAILBOX),
            [&state],
        );
        let plan = run(&rules(direction), vec![state]);
        assert_eq!(
            borrowed, plan,
            "{direction:?} {cell:?}: borrowed input plans the same"
        );
        let (ops, conflicts, notices) = expected(cell);
        assert_eq!(plan.ops, ops, "{direction:?} {cell:?}: ops");
        assert_eq!(
            plan.conflicts, conflicts,
            "{direction:?} {cell:?}: conflicts"
        );
        assert_eq!(plan.notices, notices, "{direction:?} {cell:?}: notices");
        assert!(plan.held.is_none());
    }
}

#[test]
fn table_both_directions() {
    check(Direction::Both, both);
}

#[test]
fn table_export_only() {
    check(Direction::Export, export);
}

#[test]
fn table_import_only() {
    check(Direction::Import, import);
}

#[test]
fn table_off_plans_nothing_in_any_cell() {
    check(Direction::Off, |_| (vec![], vec![], vec![]));
}

/// Absent/unchanged, absent/deleted, unchanged/absent and deleted/absent need an item to have
/// and lack a base at once: no state classifies as one of them, whatever the sides hold.
#[test]
fn impossible_cells_cannot_be_built() {
    use Change::*;
    let impossible = [
        (Absent, Unchanged),
        (Absent, Deleted),
        (Unchanged, Absent),
        (Deleted, Absent),
    ];
    let values = [None, Some(base()), Some(b_edit()), Some(e_edit())];
    for b in &values {
        for e in &values {
            let linked = linked(b.clone(), e.clone()).changes();
            let unlinked = ItemState::Unlinked(exsync_engine::Unlinked {
                business: b.clone().map(|t| ("b1".into(), seen(t))),
                exchange: e.clone().map(|t| ("e1".into(), seen(t))),
            })
            .changes();
            for classes in [linked, unlinked] {
                assert!(!impossible.contains(&classes), "{classes:?} was built");
            }
            // The linked reading of two missing sides is deleted/deleted, never absent.
            if b.is_none() && e.is_none() {
                assert_eq!(linked, (Deleted, Deleted));
                assert_eq!(unlinked, (Absent, Absent));
            }
        }
    }
    assert_eq!(
        Importance::default(),
        Importance::Normal,
        "the edits differ from the base"
    );
}
