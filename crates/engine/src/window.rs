//! The sync window: which items are in scope. The runtime decides whether an item lies in the
//! window (an appointment by overlap, a series by whether its range overlaps, tasks and
//! contacts always); the engine only asks.
//!
//! How the planner uses the window:
//!
//! - an item is in scope when any side that holds it lies in the window, so a move out of the
//!   window made on one side is still synced (and the item is unlinked on the next pass);
//! - a linked item that both sides hold, outside the window on both, is unlinked (`Unlink`),
//!   never deleted: the items stay where they are;
//! - a linked item deleted on one side and outside the window on the other is unlinked and the
//!   deletion is not passed on (reported): the item is out of scope, and a windowed query
//!   cannot tell "moved out" from "deleted";
//! - unlinked items outside the window are neither created nor linked; when one comes back
//!   into the window the runtime must hand it over matched by the business id stamped on the
//!   Exchange item (`ItemState::found_on_both`), so it is linked again, not duplicated;
//! - an item deleted on both sides is forgotten wherever it was.
//!
//! Invariant: a [`SyncWindow`] is a non-empty half-open UTC interval `[from, to)`; the time is
//! passed in by the runtime, never read from a clock here.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Tells whether an item lies in the sync window.
pub trait InWindow<T> {
    /// True when `item` is in scope.
    fn contains(&self, item: &T) -> bool;
}

impl<T, F: Fn(&T) -> bool> InWindow<T> for F {
    fn contains(&self, item: &T) -> bool {
        self(item)
    }
}

/// The window that holds everything (tasks and contacts have no window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Everything;

impl<T> InWindow<T> for Everything {
    fn contains(&self, _item: &T) -> bool {
        true
    }
}

/// The sync window `[from, to)` in UTC (by default six months back, 17 months ahead; the
/// runtime computes the bounds from its clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct SyncWindow {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

/// A window whose end is not after its start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the sync window ends ({to}) before it starts ({from}): check the months into the past and the future"
)]
pub struct EmptyWindow {
    /// The start given.
    pub from: DateTime<Utc>,
    /// The end given.
    pub to: DateTime<Utc>,
}

impl SyncWindow {
    /// The window `[from, to)`; `to` must lie after `from`.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Self, EmptyWindow> {
        if to <= from {
            return Err(EmptyWindow { from, to });
        }
        Ok(Self { from, to })
    }

    /// The first instant in the window.
    pub fn from(&self) -> DateTime<Utc> {
        self.from
    }

    /// The first instant after the window.
    pub fn to(&self) -> DateTime<Utc> {
        self.to
    }

    /// True when `[start, end)` overlaps the window; an instant (`start == end`) overlaps when
    /// it lies in the window. An `end` before `start` is read as the instant `start`.
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        if end <= start {
            return self.from <= start && start < self.to;
        }
        start < self.to && end > self.from
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn t(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, day, 0, 0, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn overlap_is_half_open() {
        let w = SyncWindow::new(t(10), t(20)).expect("valid");
        assert!(w.overlaps(t(9), t(11)));
        assert!(!w.overlaps(t(9), t(10)), "ends where the window starts");
        assert!(!w.overlaps(t(20), t(21)), "starts where the window ends");
        assert!(w.overlaps(t(19), t(25)));
        assert!(w.overlaps(t(1), t(30)), "covers the window");
        assert!(w.overlaps(t(10), t(10)), "an instant at the start");
        assert!(!w.overlaps(t(20), t(20)), "an instant at the end");
        assert!(SyncWindow::new(t(20), t(20)).is_err());
    }
}
