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
mod loop_parts;
mod roster;
mod schedule;
mod vocabulary;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use exsync_business::BusinessDb;
use exsync_config::MailboxAddressing;
use exsync_runtime::MailboxConnector;
use exsync_store::StateStore;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

pub use jobs::{JobBatch, JobContext, JobResult, LiveSettings, probes_per_batch};
pub use journal::{Noticed, notices_of};
pub use leases::{LeaseChanges, LeaseKeeper, mailbox_resource};
pub use schedule::{Due, Job, JobEnd, KindSet, Schedule, Timing, Waiting, mailbox_key};

use crate::{NotReady, Readiness, StatusBoard};
use loop_parts::{LoopState, finish_all, give_back, heartbeat, note, stop_service, while_polling};

/// Probe batches running at once besides the passes (each is one `$batch` asking up to 20
/// mailbox-and-kind delta links).
pub const MAX_PROBE_BATCHES: usize = 4;

/// How long jobs in flight may take to finish once the service is told to stop.
pub const STOP_GRACE: Duration = Duration::from_secs(8);

/// The longest the loop waits for one of its own database calls (roster, lease give-back).
pub(crate) const DATABASE_CALL_LIMIT: Duration = Duration::from_secs(5);

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
    /// Which name addresses a user's mailbox (`exchange.mailbox_addressing`).
    pub addressing: MailboxAddressing,
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
        holder: &service.holder,
    };
    let mut current = settings.borrow_and_update().clone();
    let mut state = LoopState {
        schedule: Schedule::new(current.timing),
        keeper: LeaseKeeper::new(service.holder.clone(), service.lease_time),
        passes: 0,
        probes: 0,
        done: Vec::new(),
        roster_ok: true,
        leases_ok: true,
    };
    let mut running = FuturesUnordered::new();
    let mut stop = pin!(stop);
    let mut watcher = pin!(watcher);
    let mut watcher_done = false;
    let mut roster_due = Instant::now();
    let mut heartbeat_due = Instant::now();
    loop {
        for results in std::mem::take(&mut state.done) {
            finish_all(&service, &mut state, results, &mut running).await;
        }
        let now = Instant::now();
        if now >= roster_due {
            roster_due = now + ROSTER_REFRESH;
            // Bounded, so that a hanging database never holds back a stop for long.
            let read = tokio::time::timeout(
                DATABASE_CALL_LIMIT,
                roster::read_roster(service.business, service.board, service.addressing),
            );
            let read = match while_polling(read, &mut running, &mut state.done).await {
                Ok(read) => read.map_err(|e| e.to_string()),
                Err(_) => Err(format!("no answer within {DATABASE_CALL_LIMIT:?}")),
            };
            match read {
                Ok(roster) => {
                    state.roster_ok = true;
                    for key in state.schedule.set_roster(&roster, now.into_std()) {
                        give_back(
                            &service,
                            &mut state.keeper,
                            &key,
                            &mut running,
                            &mut state.done,
                        )
                        .await;
                    }
                    heartbeat_due = now;
                }
                Err(error) => {
                    state.roster_ok = false;
                    tracing::error!(%error, "reading the users of the business database failed");
                    service
                        .readiness
                        .set_not_ready(NotReady::RosterUnreadable(error.to_string()));
                }
            }
        }
        if now >= heartbeat_due {
            heartbeat_due = now + state.keeper.heartbeat_interval();
            heartbeat(&service, &mut state, &mut running).await;
        }
        if state.roster_ok && state.leases_ok {
            service.readiness.set_ready();
        }
        let now_std = Instant::now().into_std();
        // One look tells whether anything is due; only then are the candidates sought.
        let due = state.schedule.due(now_std);
        let mut started = false;
        while due.pass_now(now_std) && state.passes < service.max_passes.max(1) {
            let Some(job) = state.schedule.next_pass(now_std) else {
                break;
            };
            started = true;
            state.passes += 1;
            running.push(jobs::run_batch(
                &context,
                JobBatch::Pass(job),
                current.clone(),
            ));
        }
        let per_batch = if due.probe_now(now_std) {
            jobs::probes_per_batch(context.connector.probe_requests(&current.synced_kinds()))
        } else {
            0
        };
        while due.probe_now(now_std) && state.probes < MAX_PROBE_BATCHES {
            let horizon = now_std + current.timing.poll / 2;
            let batch = state.schedule.next_probes(now_std, horizon, per_batch);
            if batch.is_empty() {
                break;
            }
            started = true;
            state.probes += 1;
            running.push(jobs::run_batch(
                &context,
                JobBatch::Probes(batch),
                current.clone(),
            ));
        }
        let due = if started {
            state.schedule.due(now_std)
        } else {
            due
        };
        let wake = Instant::from_std(due.wakeup(
            now_std,
            current.timing.poll,
            state.passes < service.max_passes.max(1),
            state.probes < MAX_PROBE_BATCHES,
        ))
        .min(heartbeat_due)
        .min(roster_due);
        tokio::select! {
            () = &mut stop => break,
            Some(results) = running.next(), if !running.is_empty() => state.done.push(results),
            Some(notice) = notices.recv() => {
                note(&service, &mut state.schedule, notice, &mut roster_due);
            }
            Ok(()) = settings.changed() => {
                current = settings.borrow_and_update().clone();
                state.schedule.set_timing(current.timing, Instant::now().into_std());
                tracing::info!("new settings apply from the next pass on");
            }
            () = &mut watcher, if !watcher_done => {
                watcher_done = true;
                tracing::error!("the journal watcher ended; business changes are now found by full passes only");
            }
            () = tokio::time::sleep_until(wake) => {}
        }
    }
    stop_service(&service, &mut state, running).await;
}
