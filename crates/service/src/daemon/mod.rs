//! The service (`exsync run`): every enabled user's mailbox kept in sync near real time.
//!
//! One loop owns the [`Schedule`]; around it run the journal watcher (business changes, users
//! switched on or off), the lease keeper (which mailboxes this instance syncs) and up to
//! `max_passes` passes plus [`MAX_PROBE_BATCHES`] batches of probes at once, all in this task. Settings arrive
//! through a watch channel, so a reloaded configuration applies from the next job on.
//!
//! Invariants:
//! - A mailbox is synced only under its lease, by one job at a time.
//! - On stop, no new job starts; jobs in flight get [`STOP_GRACE`] to finish and commit (a
//!   pass cut short commits nothing, and its writes are idempotent on the next run), then
//!   every lease is given back so other instances take over at once.

mod jobs;
mod journal;
mod leases;
mod roster;
mod schedule;

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use exsync_business::BusinessDb;
use exsync_runtime::MailboxConnector;
use exsync_store::StateStore;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

pub use jobs::{JobBatch, JobContext, JobResult, LiveSettings, probes_per_batch};
pub use journal::{Noticed, notices_of};
pub use leases::{LeaseChanges, LeaseKeeper, mailbox_resource};
pub use schedule::{Job, JobEnd, KindSet, Schedule, Timing, Waiting, mailbox_key};

use crate::{Readiness, StatusBoard};

/// Probe batches running at once besides the passes (each is one `$batch` asking up to 20
/// mailbox-and-kind delta links).
pub const MAX_PROBE_BATCHES: usize = 4;

/// How long jobs in flight may take to finish once the service is told to stop.
pub const STOP_GRACE: Duration = Duration::from_secs(8);

/// The roster is read again at least this often (besides on every users-table change).
const ROSTER_REFRESH: Duration = Duration::from_secs(60);

/// What the service runs on.
pub struct Service<'a, X> {
    /// The business database.
    pub business: &'a BusinessDb,
    /// The sync state (shared with other instances on PostgreSQL).
    pub state: &'a StateStore,
    /// The Exchange connector.
    pub connector: &'a X,
    /// Where every pass and error is recorded.
    pub board: &'a StatusBoard,
    /// Ready once the first roster is read and leases taken.
    pub readiness: &'a Readiness,
    /// This process's lease holder name (unique per process).
    pub holder: String,
    /// How long a lease lasts unless renewed.
    pub lease_time: Duration,
    /// Passes at once.
    pub max_passes: usize,
}

/// Runs the service until `stop` completes; settings come from `settings` (the latest value
/// applies to every job started after it changed).
pub async fn run_service<X: MailboxConnector>(
    service: Service<'_, X>,
    mut settings: watch::Receiver<Arc<LiveSettings>>,
    stop: impl Future<Output = ()>,
) {
    let (notices_in, mut notices) = mpsc::unbounded_channel();
    let watcher = journal::watch_journal(service.business.clone(), notices_in);
    let context = JobContext {
        business: service.business,
        state: service.state,
        connector: service.connector,
    };
    let mut current = settings.borrow_and_update().clone();
    let mut schedule = Schedule::new(current.timing);
    let mut keeper = LeaseKeeper::new(service.holder.clone(), service.lease_time);
    let mut running = FuturesUnordered::new();
    let (mut passes, mut probes) = (0usize, 0usize);
    let mut stop = pin!(stop);
    let mut watcher = pin!(watcher);
    let mut roster_due = Instant::now();
    let mut heartbeat_due = Instant::now();
    loop {
        let now = Instant::now();
        if now >= roster_due {
            roster_due = now + ROSTER_REFRESH;
            match roster::read_roster(service.business, service.board).await {
                Ok(roster) => {
                    for key in schedule.set_roster(&roster, now.into_std()) {
                        forget(&service, &mut keeper, &key).await;
                    }
                    heartbeat_due = now;
                }
                Err(error) => {
                    tracing::error!(%error, "reading the users of the business database failed");
                    service.readiness.set_not_ready(format!(
                        "cannot read the users of the business database: {error}"
                    ));
                }
            }
        }
        if now >= heartbeat_due {
            heartbeat_due = now + keeper.heartbeat_interval();
            heartbeat(&service, &mut keeper, &mut schedule, now).await;
        }
        let now_std = Instant::now().into_std();
        while passes < service.max_passes.max(1) {
            let Some(job) = schedule.next_pass(now_std) else {
                break;
            };
            passes += 1;
            running.push(jobs::run_batch(
                &context,
                JobBatch::Pass(job),
                current.clone(),
            ));
        }
        let per_batch = jobs::probes_per_batch(current.synced_kinds().len());
        while probes < MAX_PROBE_BATCHES {
            let batch: Vec<Job> = std::iter::from_fn(|| schedule.next_probe(now_std))
                .take(per_batch)
                .collect();
            if batch.is_empty() {
                break;
            }
            probes += 1;
            running.push(jobs::run_batch(
                &context,
                JobBatch::Probes(batch),
                current.clone(),
            ));
        }
        let pass_slot_free = passes < service.max_passes.max(1);
        let probe_slot_free = probes < MAX_PROBE_BATCHES;
        let wake =
            Instant::from_std(schedule.next_wakeup(now_std, pass_slot_free, probe_slot_free))
                .min(heartbeat_due)
                .min(roster_due);
        tokio::select! {
            () = &mut stop => break,
            Some(results) = running.next(), if !running.is_empty() => {
                match results.first().map(|r| &r.job) {
                    Some(Job::Pass { .. }) => passes -= 1,
                    _ => probes -= 1,
                }
                for result in results {
                    finish(&service, &mut keeper, &mut schedule, result).await;
                }
            }
            Some(notice) = notices.recv() => {
                note(&service, &mut schedule, notice, &mut roster_due);
            }
            Ok(()) = settings.changed() => {
                current = settings.borrow_and_update().clone();
                schedule.set_timing(current.timing);
                tracing::info!("new settings apply from the next pass on");
            }
            () = &mut watcher => {
                tracing::error!("the journal watcher ended");
            }
            () = tokio::time::sleep_until(wake) => {}
        }
    }
    let drained = tokio::time::timeout(STOP_GRACE, async {
        while let Some(results) = running.next().await {
            for result in results {
                finish(&service, &mut keeper, &mut schedule, result).await;
            }
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            "passes still running after {STOP_GRACE:?} were cut short; they committed nothing and run again next time"
        );
    }
    drop(running);
    if let Err(error) = keeper.release_all(service.state).await {
        tracing::warn!(%error, "could not give back the mailbox leases; they lapse on their own");
    }
}

/// Renews and claims leases; schedules what was gained, drops what was lost.
async fn heartbeat<X>(
    service: &Service<'_, X>,
    keeper: &mut LeaseKeeper,
    schedule: &mut Schedule,
    now: Instant,
) {
    let wanted: BTreeSet<String> = schedule.keys().map(str::to_owned).collect();
    let busy = |key: &str| schedule.is_running(key) || schedule.has_waiting(key);
    match keeper
        .heartbeat(service.state, &wanted, busy, Utc::now())
        .await
    {
        Ok(changes) => {
            for key in &changes.gained {
                schedule.set_owned(key, true, now.into_std());
            }
            for key in &changes.lost {
                schedule.set_owned(key, false, now.into_std());
            }
            service.readiness.set_ready();
        }
        Err(error) => {
            tracing::error!(%error, "renewing the mailbox leases failed");
            service
                .readiness
                .set_not_ready(format!("cannot renew the mailbox leases: {error}"));
        }
    }
}

/// Records a finished job.
async fn finish<X: MailboxConnector>(
    service: &Service<'_, X>,
    keeper: &mut LeaseKeeper,
    schedule: &mut Schedule,
    result: JobResult,
) {
    let now = Instant::now().into_std();
    for report in &result.reports {
        service.board.record_pass(report, result.ended_at);
        if report.exchange.any() || report.business.any() || report.failed() {
            tracing::info!(target: "exsync::sync", "{report}");
        }
    }
    if let (Some(error), Job::Probe { login, mailbox }) = (&result.error, &result.job) {
        tracing::warn!(mailbox = mailbox.as_str(), "{error}");
        service.board.record_error(login, mailbox, error);
    }
    service.board.set_throttles(service.connector.throttled());
    if let Some(waiting) = schedule.finished(&result.job, result.end, now, result.ended_at) {
        service.board.set_pending(
            &waiting.login,
            &waiting.mailbox,
            waiting.count,
            waiting.since,
        );
    }
    let key = mailbox_key(result.job.mailbox());
    if !schedule.keys().any(|k| k == key) {
        forget(service, keeper, &key).await;
    }
}

/// A mailbox left the roster: give its lease back unless a job still runs for it.
async fn forget<X>(service: &Service<'_, X>, keeper: &mut LeaseKeeper, key: &str) {
    if let Err(error) = keeper.give_back(service.state, key).await {
        tracing::warn!(mailbox = key, %error, "could not give back the lease; it lapses on its own");
    }
}

/// Applies a journal notice to the schedule.
fn note<X>(
    service: &Service<'_, X>,
    schedule: &mut Schedule,
    notice: Noticed,
    roster_due: &mut Instant,
) {
    let (now, wall) = (Instant::now().into_std(), Utc::now());
    let touched = match notice {
        Noticed::Items {
            login,
            kinds,
            count,
        } => schedule.notice(login.as_deref(), kinds, count, now, wall),
        Noticed::Users => {
            *roster_due = Instant::now();
            Vec::new()
        }
        Noticed::Everything => {
            *roster_due = Instant::now();
            schedule.notice(None, KindSet::ALL, 1, now, wall)
        }
    };
    for waiting in touched {
        service.board.set_pending(
            &waiting.login,
            &waiting.mailbox,
            waiting.count,
            waiting.since,
        );
    }
}
