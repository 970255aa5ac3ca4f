//! The status board: what the daemon knows about every mailbox and its running counters,
//! shared between the sync loop (writer) and the admin endpoint (reader).
//!
//! Invariant: the board never reads the clock; every time comes in as a parameter, so a
//! snapshot is a pure function of what was recorded and the `now` it is taken at.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use exsync_model::ItemKind;
use exsync_runtime::{KindReport, SideCounts};
use serde::{Deserialize, Serialize};

use crate::credential::{CredentialSetting, CredentialStatus};

/// What the board keeps per mailbox.
#[derive(Debug, Clone, Default)]
struct MailboxState {
    enabled: bool,
    last_success: Option<DateTime<Utc>>,
    last_pass: Option<DateTime<Utc>>,
    pending: u64,
    oldest_unsynced_change: Option<DateTime<Utc>>,
    /// The mass-deletion guard's message per kind; a later pass of that kind clears it.
    held: BTreeMap<ItemKind, String>,
    last_error: Option<String>,
}

/// Everything behind the board's lock.
#[derive(Debug, Default)]
struct BoardState {
    mailboxes: BTreeMap<(String, String), MailboxState>,
    passes_ok: u64,
    passes_failed: u64,
    /// (side, kind, operation) -> items written.
    written: BTreeMap<(&'static str, ItemKind, &'static str), u64>,
    rejected: BTreeMap<ItemKind, u64>,
    throttles: u64,
    errors: u64,
    credential: Option<CredentialSetting>,
}

/// The shared status board; cloning it is cheap and every clone sees the same state.
#[derive(Debug, Clone, Default)]
pub struct StatusBoard {
    inner: Arc<Mutex<BoardState>>,
}

/// One mailbox as shown by `/status` and `exsync status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxStatus {
    /// The business user's login.
    pub login: String,
    /// The mailbox address.
    pub mailbox: String,
    /// Whether sync is enabled for this mailbox.
    pub enabled: bool,
    /// When a pass last completed without a mailbox-wide failure.
    pub last_success: Option<DateTime<Utc>>,
    /// When a pass last ran, successful or not.
    pub last_pass: Option<DateTime<Utc>>,
    /// Seconds since the oldest unsynced change, or since the last success; `None` before
    /// the first success when no change is pending.
    pub lag_seconds: Option<i64>,
    /// Changes waiting to be synced.
    pub pending: u64,
    /// The mass-deletion guard's message(s), when deletions are held.
    pub held: Option<String>,
    /// The last failure or rejection message.
    pub last_error: Option<String>,
}

/// Items written, per side, kind and operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenCount {
    /// `exchange` or `business`.
    pub side: String,
    /// The item kind.
    pub kind: ItemKind,
    /// `created`, `updated` or `deleted`.
    pub operation: String,
    /// How many items.
    pub count: u64,
}

/// Items rejected, per kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedCount {
    /// The item kind.
    pub kind: ItemKind,
    /// How many items.
    pub count: u64,
}

/// A consistent copy of the board taken at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusSnapshot {
    /// The instant lags were computed at.
    pub taken_at: DateTime<Utc>,
    /// Every mailbox, ordered by login then address.
    pub mailboxes: Vec<MailboxStatus>,
    /// Passes without a mailbox-wide failure.
    pub passes_ok: u64,
    /// Passes stopped by a mailbox-wide failure.
    pub passes_failed: u64,
    /// Items written, ordered by side, kind, operation.
    pub items_written: Vec<WrittenCount>,
    /// Items rejected, ordered by kind.
    pub items_rejected: Vec<RejectedCount>,
    /// Throttled responses (HTTP 429) seen in total.
    pub throttles: u64,
    /// Errors recorded (failed passes and other errors).
    pub errors: u64,
    /// When the Entra client secret (or certificate) expires, if known.
    pub secret_expires_at: Option<DateTime<Utc>>,
    /// The app registration's credential and the days until it expires (Exchange Online
    /// only).
    #[serde(default)]
    pub credential: Option<CredentialStatus>,
}

impl StatusBoard {
    /// An empty board.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, BoardState> {
        // A panic while holding the lock leaves counters that are still meaningful.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records one pass for one mailbox and kind at `now`: its writes, rejections, held
    /// deletions and failure.
    pub fn record_pass(&self, report: &KindReport, now: DateTime<Utc>) {
        let mut state = self.lock();
        let kind = report.kind;
        for (side, counts) in [
            ("exchange", &report.exchange),
            ("business", &report.business),
        ] {
            add_side(&mut state.written, side, kind, counts);
        }
        if !report.rejected.is_empty() {
            *state.rejected.entry(kind).or_default() += report.rejected.len() as u64;
        }
        if report.failure.is_some() {
            state.passes_failed += 1;
            state.errors += 1;
        } else {
            state.passes_ok += 1;
        }
        let mailbox = mailbox_entry(&mut state, &report.login, &report.mailbox);
        mailbox.last_pass = Some(now);
        if report.failure.is_none() {
            mailbox.last_success = Some(now);
        }
        match &report.held {
            Some(message) => {
                mailbox.held.insert(kind, message.clone());
            }
            None => {
                mailbox.held.remove(&kind);
            }
        }
        if let Some(failure) = &report.failure {
            mailbox.last_error = Some(failure.clone());
        } else if let Some(rejection) = report.rejected.last() {
            mailbox.last_error = Some(format!("{}: {}", rejection.item, rejection.reason));
        } else if let Some(ambiguous) = report.ambiguous.last() {
            // Items left unpaired stay unsynced until an admin removes the extra copies.
            mailbox.last_error = Some(ambiguous.reason.clone());
        }
    }

    /// Records an error outside a pass (e.g. a token failure) for a mailbox.
    pub fn record_error(&self, login: &str, mailbox: &str, message: &str) {
        let mut state = self.lock();
        state.errors += 1;
        mailbox_entry(&mut state, login, mailbox).last_error = Some(message.to_owned());
    }

    /// Sets whether sync is enabled for a mailbox (adding it to the board).
    pub fn set_enabled(&self, login: &str, mailbox: &str, enabled: bool) {
        mailbox_entry(&mut self.lock(), login, mailbox).enabled = enabled;
    }

    /// Sets the number of pending changes and when the oldest of them happened.
    pub fn set_pending(
        &self,
        login: &str,
        mailbox: &str,
        pending: u64,
        oldest_change: Option<DateTime<Utc>>,
    ) {
        let mut state = self.lock();
        let entry = mailbox_entry(&mut state, login, mailbox);
        entry.pending = pending;
        entry.oldest_unsynced_change = if pending == 0 { None } else { oldest_change };
    }

    /// Sets the total of throttled responses seen so far (the connector keeps the count).
    pub fn set_throttles(&self, total: u64) {
        self.lock().throttles = total;
    }

    /// Sets the app registration's credential as configured (`None`: nothing expires, as
    /// with the emulator or Exchange Server).
    pub fn set_credential(&self, credential: Option<CredentialSetting>) {
        self.lock().credential = credential;
    }

    /// A consistent copy of the board, with lags computed at `now`.
    pub fn snapshot(&self, now: DateTime<Utc>) -> StatusSnapshot {
        let state = self.lock();
        let mailboxes = state
            .mailboxes
            .iter()
            .map(|((login, mailbox), m)| MailboxStatus {
                login: login.clone(),
                mailbox: mailbox.clone(),
                enabled: m.enabled,
                last_success: m.last_success,
                last_pass: m.last_pass,
                lag_seconds: m
                    .oldest_unsynced_change
                    .or(m.last_success)
                    .map(|since| (now - since).num_seconds().max(0)),
                pending: m.pending,
                held: (!m.held.is_empty())
                    .then(|| m.held.values().cloned().collect::<Vec<_>>().join("; ")),
                last_error: m.last_error.clone(),
            })
            .collect();
        StatusSnapshot {
            taken_at: now,
            mailboxes,
            passes_ok: state.passes_ok,
            passes_failed: state.passes_failed,
            items_written: state
                .written
                .iter()
                .map(|(&(side, kind, operation), &count)| WrittenCount {
                    side: side.to_owned(),
                    kind,
                    operation: operation.to_owned(),
                    count,
                })
                .collect(),
            items_rejected: state
                .rejected
                .iter()
                .map(|(&kind, &count)| RejectedCount { kind, count })
                .collect(),
            throttles: state.throttles,
            errors: state.errors,
            secret_expires_at: state.credential.and_then(|c| c.expires_at()),
            credential: state.credential.map(|c| c.status(now)),
        }
    }
}

fn mailbox_entry<'a>(
    state: &'a mut BoardState,
    login: &str,
    mailbox: &str,
) -> &'a mut MailboxState {
    state
        .mailboxes
        .entry((login.to_owned(), mailbox.to_owned()))
        .or_insert_with(|| MailboxState {
            enabled: true,
            ..MailboxState::default()
        })
}

fn add_side(
    written: &mut BTreeMap<(&'static str, ItemKind, &'static str), u64>,
    side: &'static str,
    kind: ItemKind,
    counts: &SideCounts,
) {
    for (operation, count) in [
        ("created", counts.created),
        ("updated", counts.updated),
        ("deleted", counts.deleted),
    ] {
        if count > 0 {
            *written.entry((side, kind, operation)).or_default() += count as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + seconds, 0)
            .single()
            .expect("valid time")
    }

    #[test]
    fn a_pass_adds_its_writes_and_a_failure_keeps_the_last_success() {
        let board = StatusBoard::new();
        let mut ok = KindReport::new("eva", "eva@x.example", ItemKind::Task);
        ok.exchange.created = 2;
        ok.business.deleted = 1;
        board.record_pass(&ok, at(0));
        board.record_pass(&ok, at(10));
        let mut failed = KindReport::new("eva", "eva@x.example", ItemKind::Task);
        failed.failure = Some("mailbox not found".into());
        board.record_pass(&failed, at(20));

        let snapshot = board.snapshot(at(25));
        assert_eq!((snapshot.passes_ok, snapshot.passes_failed), (2, 1));
        assert_eq!(snapshot.errors, 1);
        let created = snapshot
            .items_written
            .iter()
            .find(|w| w.side == "exchange" && w.operation == "created")
            .map(|w| w.count);
        assert_eq!(created, Some(4));
        let mailbox = &snapshot.mailboxes[0];
        assert_eq!(mailbox.last_success, Some(at(10)));
        assert_eq!(mailbox.last_pass, Some(at(20)));
        assert_eq!(mailbox.lag_seconds, Some(15));
        assert_eq!(mailbox.last_error.as_deref(), Some("mailbox not found"));
    }

    #[test]
    fn items_left_unpaired_show_as_the_mailbox_error() {
        let board = StatusBoard::new();
        let mut report = KindReport::new("eva", "eva@x.example", ItemKind::Appointment);
        report.ambiguous.push(exsync_runtime::Rejection {
            item: "business 4711 / Exchange X1, X2".into(),
            reason: "2 Outlook items (X1, X2) match business appointment 4711".into(),
        });
        board.record_pass(&report, at(0));
        let snapshot = board.snapshot(at(1));
        assert_eq!(
            snapshot.mailboxes[0].last_error.as_deref(),
            Some("2 Outlook items (X1, X2) match business appointment 4711")
        );
    }

    #[test]
    fn lag_counts_from_the_oldest_pending_change_and_held_clears_on_the_next_pass() {
        let board = StatusBoard::new();
        let mut held = KindReport::new("eva", "eva@x.example", ItemKind::Contact);
        held.held = Some("12 deletions held".into());
        board.record_pass(&held, at(100));
        board.set_pending("eva", "eva@x.example", 3, Some(at(40)));
        let snapshot = board.snapshot(at(130));
        assert_eq!(snapshot.mailboxes[0].lag_seconds, Some(90));
        assert_eq!(
            snapshot.mailboxes[0].held.as_deref(),
            Some("12 deletions held")
        );

        board.set_pending("eva", "eva@x.example", 0, None);
        board.record_pass(
            &KindReport::new("eva", "eva@x.example", ItemKind::Contact),
            at(200),
        );
        let snapshot = board.snapshot(at(205));
        assert_eq!(snapshot.mailboxes[0].lag_seconds, Some(5));
        assert_eq!(snapshot.mailboxes[0].held, None);
    }
}
