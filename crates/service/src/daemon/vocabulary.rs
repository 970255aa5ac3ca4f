//! The words the schedule and the service loop share: kinds to sync, jobs and how they end,
//! what waits, and when the next job of each class is due.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use exsync_model::ItemKind;

/// A set of item kinds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindSet(u8);

impl KindSet {
    /// Every kind.
    pub const ALL: KindSet = KindSet(0b111);

    fn bit(kind: ItemKind) -> u8 {
        match kind {
            ItemKind::Appointment => 1,
            ItemKind::Task => 2,
            ItemKind::Contact => 4,
        }
    }

    /// The set of `kinds`.
    pub fn of(kinds: impl IntoIterator<Item = ItemKind>) -> Self {
        KindSet(
            kinds
                .into_iter()
                .fold(0, |bits, kind| bits | Self::bit(kind)),
        )
    }

    /// Whether empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The union.
    pub fn with(self, other: KindSet) -> Self {
        KindSet(self.0 | other.0)
    }

    /// The kinds, in sync order.
    pub fn kinds(self) -> Vec<ItemKind> {
        [ItemKind::Appointment, ItemKind::Task, ItemKind::Contact]
            .into_iter()
            .filter(|kind| self.0 & Self::bit(*kind) != 0)
            .collect()
    }
}

/// What to run for a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Ask Exchange whether anything changed.
    Probe {
        /// The user.
        login: String,
        /// The mailbox address.
        mailbox: String,
    },
    /// A pass over some kinds.
    Pass {
        /// The user.
        login: String,
        /// The mailbox address.
        mailbox: String,
        /// The kinds to sync.
        kinds: KindSet,
        /// A full pass (re-reads what incremental ones cannot see).
        full: bool,
    },
}

impl Job {
    /// The mailbox the job is for.
    pub fn mailbox(&self) -> &str {
        match self {
            Job::Probe { mailbox, .. } | Job::Pass { mailbox, .. } => mailbox,
        }
    }
}

/// How a job ended, as the schedule needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobEnd {
    /// A probe; the kinds that changed in Exchange.
    Probed(KindSet),
    /// A pass that wrote something.
    Passed,
    /// A pass that wrote nothing. Usually harmless (a probe saw exsync's own writes echoed),
    /// but when it repeats, the probes keep finding changes no pass can settle (a cursor kept
    /// for a failing item or held deletions): they back off instead of passing every poll.
    PassedIdle,
    /// The mailbox could not be reached or read (auth, permission, network): back off.
    Failed,
}

/// A mailbox's waiting changes, for the status board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The user.
    pub login: String,
    /// The mailbox address.
    pub mailbox: String,
    /// Changes noticed and not yet synced.
    pub count: u64,
    /// When the oldest of them was noticed.
    pub since: Option<DateTime<Utc>>,
}

/// The key of a mailbox address (addresses compare case-insensitively).
pub fn mailbox_key(mailbox: &str) -> String {
    mailbox.to_ascii_lowercase()
}

/// When the first job of each class may start ([`Schedule::due`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Due {
    /// The first pass.
    pub pass: Option<Instant>,
    /// The first probe.
    pub probe: Option<Instant>,
}

impl Due {
    /// Whether a pass may start at `now`.
    pub fn pass_now(&self, now: Instant) -> bool {
        self.pass.is_some_and(|at| at <= now)
    }

    /// Whether a probe may start at `now`.
    pub fn probe_now(&self, now: Instant) -> bool {
        self.probe.is_some_and(|at| at <= now)
    }

    /// When to look again: the first due time of a class with a free slot, at the latest
    /// after `poll`.
    pub fn wakeup(
        &self,
        now: Instant,
        poll: Duration,
        pass_slot: bool,
        probe_slot: bool,
    ) -> Instant {
        let pass = self.pass.filter(|_| pass_slot);
        let probe = self.probe.filter(|_| probe_slot);
        pass.into_iter()
            .chain(probe)
            .min()
            .unwrap_or(now + poll)
            .min(now + poll)
            .max(now)
    }
}
