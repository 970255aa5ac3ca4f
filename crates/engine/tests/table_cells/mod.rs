//! The cells of the planner's table and the values they are built from, plus helpers that
//! spell expected ops, conflicts and notices for the one item of a row.
//!
//! Invariant: `state(cell)` classifies as `classes(cell)` (checked by the table test).

#![allow(dead_code)]

use crate::common::*;
use exsync_engine::{
    Change, Conflict, ItemIds, ItemState, Notice, NoticeKind, Op, Reason, Side, Write,
};
use exsync_model::{FieldName, Task};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// absent / absent
    AA,
    /// absent / new
    AN,
    /// new / absent
    NA,
    /// new / new, equal
    NNEqual,
    /// new / new, different importance
    NNDiff,
    UU,
    UC,
    UD,
    CU,
    /// both changed the subject to the same value
    CCSame,
    /// business changed the subject, Exchange the importance
    CCFields,
    /// both changed the subject, to different values
    CCConflict,
    CD,
    DU,
    DC,
    DD,
}

pub const CELLS: [Cell; 16] = [
    Cell::AA,
    Cell::AN,
    Cell::NA,
    Cell::NNEqual,
    Cell::NNDiff,
    Cell::UU,
    Cell::UC,
    Cell::UD,
    Cell::CU,
    Cell::CCSame,
    Cell::CCFields,
    Cell::CCConflict,
    Cell::CD,
    Cell::DU,
    Cell::DC,
    Cell::DD,
];

pub fn base() -> Task {
    task("base")
}
/// The business edit: subject.
pub fn b_edit() -> Task {
    task("business edit")
}
/// The Exchange edit: importance.
pub fn e_edit() -> Task {
    important("base")
}
/// Both edits merged.
pub fn merged() -> Task {
    important("business edit")
}

pub fn linked(b: Option<Task>, e: Option<Task>) -> ItemState<Task> {
    ItemState::linked(ids(), base(), b.map(seen), e.map(seen))
}

pub fn state(cell: Cell) -> ItemState<Task> {
    match cell {
        Cell::AA => ItemState::Unlinked(exsync_engine::Unlinked {
            business: None,
            exchange: None,
        }),
        Cell::AN => ItemState::new_in_exchange("e1", seen(task("new in Exchange"))),
        Cell::NA => ItemState::new_in_business("b1", seen(task("new in business"))),
        Cell::NNEqual => ItemState::found_on_both(ids(), seen(task("found")), seen(task("found"))),
        Cell::NNDiff => {
            ItemState::found_on_both(ids(), seen(task("found")), seen(important("found")))
        }
        Cell::UU => linked(Some(base()), Some(base())),
        Cell::UC => linked(Some(base()), Some(e_edit())),
        Cell::UD => linked(Some(base()), None),
        Cell::CU => linked(Some(b_edit()), Some(base())),
        Cell::CCSame => linked(Some(task("same edit")), Some(task("same edit"))),
        Cell::CCFields => linked(Some(b_edit()), Some(e_edit())),
        Cell::CCConflict => linked(Some(b_edit()), Some(task("Exchange edit"))),
        Cell::CD => linked(Some(b_edit()), None),
        Cell::DU => linked(None, Some(base())),
        Cell::DC => linked(None, Some(e_edit())),
        Cell::DD => linked(None, None),
    }
}

pub fn classes(cell: Cell) -> (Change, Change) {
    use Change::*;
    match cell {
        Cell::AA => (Absent, Absent),
        Cell::AN => (Absent, New),
        Cell::NA => (New, Absent),
        Cell::NNEqual | Cell::NNDiff => (New, New),
        Cell::UU => (Unchanged, Unchanged),
        Cell::UC => (Unchanged, Changed),
        Cell::UD => (Unchanged, Deleted),
        Cell::CU => (Changed, Unchanged),
        Cell::CCSame | Cell::CCFields | Cell::CCConflict => (Changed, Changed),
        Cell::CD => (Changed, Deleted),
        Cell::DU => (Deleted, Unchanged),
        Cell::DC => (Deleted, Changed),
        Cell::DD => (Deleted, Deleted),
    }
}

pub fn w(item: Task, fields: &[FieldName]) -> Write<Task> {
    Write {
        item,
        fields: fields.to_vec(),
    }
}
pub fn update(
    exchange: Option<Write<Task>>,
    business: Option<Write<Task>>,
    base: Task,
) -> Op<Task> {
    Op::Update {
        ids: ids(),
        exchange: exchange.map(Box::new),
        business: business.map(Box::new),
        base,
    }
}
pub fn create_in_exchange(item: Task, replaces: bool) -> Op<Task> {
    Op::CreateInExchange {
        business_id: "b1".into(),
        replaces: replaces.then(|| "e1".into()),
        write: w(item, &all::<Task>()),
    }
}
pub fn create_in_business(item: Task, replaces: bool) -> Op<Task> {
    Op::CreateInBusiness {
        exchange_id: "e1".into(),
        replaces: replaces.then(|| "b1".into()),
        write: w(item, &all::<Task>()),
    }
}
pub fn conflict(field: Option<FieldName>, winner: Side) -> Conflict {
    Conflict {
        ids: ItemIds::from(&ids()),
        field,
        winner,
    }
}
pub fn notice(side: Side, kind: NoticeKind) -> Notice {
    Notice {
        ids: ItemIds::from(&ids()),
        side,
        kind,
        reason: Reason::Direction,
    }
}
pub fn overwritten(side: Side, fields: &[FieldName]) -> Notice {
    notice(
        side,
        NoticeKind::EditsOverwritten {
            fields: fields.to_vec(),
        },
    )
}
