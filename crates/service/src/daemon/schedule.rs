//! The service's schedule: which mailbox gets a pass or a probe next. Pure logic over an
//! explicit clock, so every rule is tested without waiting.
//!
//! Rules:
//! - Only mailboxes this instance holds the lease on are scheduled, one job per mailbox at a
//!   time.
//! - A pass goes first to mailboxes with changes waiting (after a short debounce, so a burst
//!   becomes one pass), oldest change first; then to due full passes, most overdue first. A full
//!   pass overdue by a whole interval ranks with waiting changes, so no mailbox starves.
//! - Every mailbox is probed for Exchange changes every poll interval; a probe finding changes
//!   makes them waiting changes.
//! - The first pass of a mailbox is a full one; later full passes follow every full-pass
//!   interval, spread by a per-mailbox offset so that they do not all fall due together.
//! - A failed job backs the mailbox off (doubling, at most five minutes); waiting changes stay.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub use super::vocabulary::{Due, Job, JobEnd, KindSet, Waiting, mailbox_key};

/// The timing the schedule follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Between two probes of a mailbox.
    pub poll: Duration,
    /// Between two full passes of a mailbox.
    pub full: Duration,
    /// Quiet time after the last noticed change before its pass starts.
    pub debounce: Duration,
    /// A pass starts at the latest this long after the first noticed change.
    pub max_debounce: Duration,
}

impl Timing {
    /// The service's timing for `poll` and `full` intervals.
    pub fn new(poll: Duration, full: Duration) -> Self {
        Timing {
            poll,
            full,
            debounce: Duration::from_millis(300),
            max_debounce: Duration::from_secs(2),
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    login: String,
    mailbox: String,
    owned: bool,
    running: Option<Job>,
    pending: KindSet,
    pending_count: u64,
    first_notice: Option<Instant>,
    last_notice: Option<Instant>,
    oldest_change: Option<DateTime<Utc>>,
    next_probe: Instant,
    next_full: Instant,
    not_before: Instant,
    failures: u32,
    idle_passes: u32,
    leaving: bool,
}

/// The mailboxes and their due times.
#[derive(Debug, Clone)]
pub struct Schedule {
    timing: Timing,
    mailboxes: BTreeMap<String, Entry>,
}

impl Schedule {
    /// An empty schedule.
    pub fn new(timing: Timing) -> Self {
        Schedule {
            timing,
            mailboxes: BTreeMap::new(),
        }
    }

    /// New intervals (the configuration was reloaded): due times further away than a new
    /// interval come closer.
    pub fn set_timing(&mut self, timing: Timing, now: Instant) {
        self.timing = timing;
        for entry in self.mailboxes.values_mut() {
            entry.next_full = entry.next_full.min(now + timing.full);
            entry.next_probe = entry.next_probe.min(now + timing.poll);
        }
    }

    /// The mailboxes to sync now: `(login, mailbox)` of every enabled user. Returns the keys
    /// of mailboxes that left and whose leases may be given back now; one whose job still
    /// runs stays as "leaving" until [`Schedule::finished`] (so that it is never synced twice
    /// at once, even when it comes back meanwhile).
    pub fn set_roster(&mut self, roster: &[(String, String)], now: Instant) -> Vec<String> {
        let wanted: BTreeMap<String, &(String, String)> = roster
            .iter()
            .map(|entry| (mailbox_key(&entry.1), entry))
            .collect();
        let left: Vec<String> = self
            .mailboxes
            .keys()
            .filter(|key| !wanted.contains_key(*key))
            .cloned()
            .collect();
        let mut released = Vec::new();
        for key in left {
            match self.mailboxes.get_mut(&key) {
                Some(entry) if entry.running.is_some() => entry.leaving = true,
                _ => {
                    self.mailboxes.remove(&key);
                    released.push(key);
                }
            }
        }
        for (key, (login, mailbox)) in wanted {
            let offset = spread(&key, self.timing.poll);
            let entry = self.mailboxes.entry(key).or_insert_with(|| Entry {
                login: login.clone(),
                mailbox: mailbox.clone(),
                owned: false,
                running: None,
                pending: KindSet::default(),
                pending_count: 0,
                first_notice: None,
                last_notice: None,
                oldest_change: None,
                next_probe: now + offset,
                next_full: now,
                not_before: now,
                failures: 0,
                idle_passes: 0,
                leaving: false,
            });
            entry.login.clone_from(login);
            entry.mailbox.clone_from(mailbox);
            entry.leaving = false;
        }
        released
    }

    /// The keys of every mailbox on the roster.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.mailboxes
            .iter()
            .filter(|(_, e)| !e.leaving)
            .map(|(key, _)| key.as_str())
    }

    /// Whether this instance holds `key`'s lease, as the schedule knows it.
    pub fn is_owned(&self, key: &str) -> bool {
        self.mailboxes.get(key).is_some_and(|entry| entry.owned)
    }

    /// Whether this instance holds `key`'s lease (only such mailboxes are scheduled).
    pub fn set_owned(&mut self, key: &str, owned: bool, now: Instant) {
        if let Some(entry) = self.mailboxes.get_mut(key) {
            if owned && !entry.owned {
                // Another instance may have synced it until now: start with a full pass.
                entry.next_full = now;
            }
            entry.owned = owned;
        }
    }

    /// Whether a job runs for `key`.
    pub fn is_running(&self, key: &str) -> bool {
        self.mailboxes
            .get(key)
            .is_some_and(|entry| entry.running.is_some())
    }

    /// Whether `key` has changes waiting.
    pub fn has_waiting(&self, key: &str) -> bool {
        self.mailboxes
            .get(key)
            .is_some_and(|entry| !entry.pending.is_empty())
    }

    /// Changes of `kinds` noticed for `login`'s mailbox (`None`: every mailbox, e.g. company
    /// contacts or a journal that may have missed something).
    pub fn notice(
        &mut self,
        login: Option<&str>,
        kinds: KindSet,
        count: u64,
        now: Instant,
        wall: DateTime<Utc>,
    ) -> Vec<Waiting> {
        let mut touched = Vec::new();
        for entry in self.mailboxes.values_mut() {
            // A mailbox another instance syncs is that instance's to wake; gaining it starts
            // with a full pass anyway.
            if !entry.owned || entry.leaving || login.is_some_and(|login| login != entry.login) {
                continue;
            }
            mark(entry, kinds, count, now, wall);
            touched.push(waiting(entry));
        }
        touched
    }

    /// Changes of `kinds` a probe found in `key`'s Exchange mailbox (no debounce: Exchange
    /// already reported them together).
    fn notice_exchange(&mut self, key: &str, kinds: KindSet, now: Instant, wall: DateTime<Utc>) {
        let debounce = self.timing.max_debounce;
        if let Some(entry) = self.mailboxes.get_mut(key) {
            mark(entry, kinds, 1, now, wall);
            let ready = now.checked_sub(debounce).unwrap_or(now);
            entry.first_notice = Some(ready);
            entry.last_notice = Some(ready);
        }
    }

    /// The next pass to start at `now`, marked running; `None` if none is due.
    pub fn next_pass(&mut self, now: Instant) -> Option<Job> {
        let timing = self.timing;
        let (key, _) = self
            .mailboxes
            .iter()
            .filter(|(_, e)| e.owned && !e.leaving && e.running.is_none() && e.not_before <= now)
            .filter_map(|(key, e)| pass_rank(e, now, timing).map(|rank| (key, rank)))
            .min_by_key(|(_, rank)| *rank)?;
        let key = key.clone();
        let entry = self.mailboxes.get_mut(&key)?;
        let full = entry.next_full <= now;
        let kinds = if full { KindSet::ALL } else { entry.pending };
        entry.pending = KindSet::default();
        entry.first_notice = None;
        entry.last_notice = None;
        let job = Job::Pass {
            login: entry.login.clone(),
            mailbox: entry.mailbox.clone(),
            kinds,
            full,
        };
        entry.running = Some(job.clone());
        Some(job)
    }

    /// The next probe to start at `now`, marked running; `None` if none is due.
    pub fn next_probe(&mut self, now: Instant) -> Option<Job> {
        self.next_probes(now, now, 1).pop()
    }

    /// Up to `max` probes to start together at `now`, marked running: none unless one is
    /// due, then the most overdue ones, filled up with those due before `horizon` (asked a
    /// little early, so that probes share requests instead of each mailbox's going alone).
    pub fn next_probes(&mut self, now: Instant, horizon: Instant, max: usize) -> Vec<Job> {
        let mut due: Vec<(Instant, &String)> = self
            .mailboxes
            .iter()
            .filter(|(_, e)| e.owned && !e.leaving && e.running.is_none() && e.not_before <= now)
            .filter(|(_, e)| e.pending.is_empty() && e.next_full > now)
            .filter(|(_, e)| e.next_probe <= horizon.max(now))
            .map(|(key, e)| (e.next_probe, key))
            .collect();
        if !due.iter().any(|(at, _)| *at <= now) {
            return Vec::new();
        }
        due.sort();
        let keys: Vec<String> = due.into_iter().take(max).map(|(_, k)| k.clone()).collect();
        keys.iter()
            .filter_map(|key| {
                let entry = self.mailboxes.get_mut(key)?;
                let job = Job::Probe {
                    login: entry.login.clone(),
                    mailbox: entry.mailbox.clone(),
                };
                entry.running = Some(job.clone());
                Some(job)
            })
            .collect()
    }

    /// Records how `job` ended at `now`; what the status board should show as waiting. A
    /// mailbox that left the roster while the job ran is dropped now ([`Schedule::take_left`]).
    pub fn finished(
        &mut self,
        job: &Job,
        end: JobEnd,
        now: Instant,
        wall: DateTime<Utc>,
    ) -> Option<Waiting> {
        let key = mailbox_key(job.mailbox());
        let timing = self.timing;
        if let JobEnd::Probed(kinds) = end
            && !kinds.is_empty()
        {
            self.notice_exchange(&key, kinds, now, wall);
        }
        let entry = self.mailboxes.get_mut(&key)?;
        entry.running = None;
        entry.next_probe = now + timing.poll;
        match (end, job) {
            (JobEnd::Failed, Job::Pass { kinds, .. }) => {
                entry.pending = entry.pending.with(*kinds);
                let ready = now.checked_sub(timing.max_debounce).unwrap_or(now);
                entry.first_notice.get_or_insert(ready);
                entry.last_notice.get_or_insert(ready);
                back_off(entry, now, timing);
            }
            (JobEnd::Failed, Job::Probe { .. }) => back_off(entry, now, timing),
            (end, Job::Pass { full, .. }) => {
                entry.failures = 0;
                if end == JobEnd::PassedIdle {
                    // The first idle pass costs nothing extra; repeated ones double the wait
                    // before the next probe, up to a full-pass interval.
                    entry.idle_passes = entry.idle_passes.saturating_add(1);
                    let factor = 1u32 << (entry.idle_passes - 1).min(10);
                    entry.next_probe = now + (timing.poll * factor).min(timing.full);
                } else {
                    entry.idle_passes = 0;
                }
                if *full {
                    entry.next_full = now + timing.full + spread(&key, timing.full / 10);
                }
                if entry.pending.is_empty() {
                    entry.pending_count = 0;
                    entry.oldest_change = None;
                }
            }
            (end, Job::Probe { .. }) => {
                entry.failures = 0;
                if end == JobEnd::Probed(KindSet::default()) {
                    entry.idle_passes = 0;
                }
            }
        }
        Some(waiting(entry))
    }

    /// Drops `key` if it left the roster and its job ended; `true` if its lease may be given
    /// back now.
    pub fn take_left(&mut self, key: &str) -> bool {
        let done = self
            .mailboxes
            .get(key)
            .is_some_and(|entry| entry.leaving && entry.running.is_none());
        if done {
            self.mailboxes.remove(key);
        }
        done
    }

    /// When the first pass and the first probe may start (`None`: nothing of that class is
    /// waiting), in one look over the mailboxes.
    pub fn due(&self, now: Instant) -> Due {
        let timing = self.timing;
        let mut due = Due::default();
        for e in self.mailboxes.values() {
            if !e.owned || e.leaving || e.running.is_some() {
                continue;
            }
            let pass = if e.pending.is_empty() {
                e.next_full
            } else {
                ready_at(e, timing).min(e.next_full)
            };
            let pass = pass.max(e.not_before);
            due.pass = Some(due.pass.map_or(pass, |d| d.min(pass)));
            if e.pending.is_empty() && e.next_full > now {
                let probe = e.next_probe.max(e.not_before);
                due.probe = Some(due.probe.map_or(probe, |d| d.min(probe)));
            }
        }
        due
    }

    /// The earliest instant a job may become startable, bounded by one poll interval:
    /// passes only count when `pass_slot_free`, probes when `probe_slot_free` (a due job
    /// without a free slot starts when a running one ends, which wakes the loop anyway).
    pub fn next_wakeup(
        &self,
        now: Instant,
        pass_slot_free: bool,
        probe_slot_free: bool,
    ) -> Instant {
        self.due(now)
            .wakeup(now, self.timing.poll, pass_slot_free, probe_slot_free)
    }
}

fn mark(entry: &mut Entry, kinds: KindSet, count: u64, now: Instant, wall: DateTime<Utc>) {
    entry.pending = entry.pending.with(kinds);
    entry.pending_count += count;
    entry.first_notice.get_or_insert(now);
    entry.last_notice = Some(now);
    entry.oldest_change.get_or_insert(wall);
}

fn waiting(entry: &Entry) -> Waiting {
    Waiting {
        login: entry.login.clone(),
        mailbox: entry.mailbox.clone(),
        count: entry.pending_count,
        since: entry.oldest_change,
    }
}

/// When waiting changes become ready: after the debounce, at the latest `max_debounce` after
/// the first.
fn ready_at(entry: &Entry, timing: Timing) -> Instant {
    match (entry.first_notice, entry.last_notice) {
        (Some(first), Some(last)) => (last + timing.debounce).min(first + timing.max_debounce),
        _ => entry.next_full,
    }
}

/// Lower ranks first: (class, due). Class 0 = waiting changes or a full pass overdue by a
/// whole interval; class 1 = a due full pass.
fn pass_rank(entry: &Entry, now: Instant, timing: Timing) -> Option<(u8, Instant)> {
    let waiting = (!entry.pending.is_empty() && ready_at(entry, timing) <= now)
        .then(|| (0, entry.first_notice.unwrap_or(now)));
    let full = (entry.next_full <= now).then(|| {
        let starving = entry.next_full + timing.full <= now;
        (u8::from(!starving), entry.next_full)
    });
    waiting.into_iter().chain(full).min()
}

fn back_off(entry: &mut Entry, now: Instant, timing: Timing) {
    entry.failures = entry.failures.saturating_add(1);
    let factor = 1u32 << entry.failures.min(8);
    let wait = (timing.poll * factor).min(Duration::from_secs(300));
    entry.not_before = now + wait;
}

/// A fixed offset in `0..span` for a mailbox, so that due times spread out.
fn spread(key: &str, span: Duration) -> Duration {
    let millis = span.as_millis().max(1) as u64;
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    Duration::from_millis(hash % millis)
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
