//! The service loop's parts around the schedule: driving running jobs while awaiting the
//! database, the lease heartbeat, recording finished jobs, journal notices, and the stop.
//!
//! Invariant: these run inside the loop's task, one at a time; only [`while_polling`] awaits
//! with jobs running, and it keeps their results for the loop to record afterwards.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use chrono::Utc;
use exsync_runtime::MailboxConnector;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::time::Instant;

use crate::NotReady;

use super::{
    DATABASE_CALL_LIMIT, Job, JobResult, KindSet, LeaseKeeper, Noticed, STOP_GRACE, Schedule,
    Service, mailbox_key,
};

/// What the loop keeps between turns.
pub(super) struct LoopState {
    pub(super) schedule: Schedule,
    pub(super) keeper: LeaseKeeper,
    pub(super) passes: usize,
    pub(super) probes: usize,
    /// Results of jobs that ended while the loop awaited something else.
    pub(super) done: Vec<Vec<JobResult>>,
    pub(super) roster_ok: bool,
    pub(super) leases_ok: bool,
}

/// Awaits `work` while still driving the running jobs (their results are kept in `done`),
/// so that no pass waits on the loop's own database calls (with SQLite, a pass holding the
/// write lock would otherwise make the loop's next write wait for the busy timeout).
pub(super) async fn while_polling<F, J>(
    work: F,
    running: &mut FuturesUnordered<J>,
    done: &mut Vec<Vec<JobResult>>,
) -> F::Output
where
    F: Future,
    J: Future<Output = Vec<JobResult>>,
{
    let mut work = pin!(work);
    loop {
        tokio::select! {
            output = &mut work => return output,
            Some(results) = running.next(), if !running.is_empty() => done.push(results),
        }
    }
}

/// Stops: no new job; jobs in flight get [`STOP_GRACE`] (their leases extended to cover it),
/// then every lease is given back.
pub(super) async fn stop_service<X: MailboxConnector, J: Future<Output = Vec<JobResult>>>(
    service: &Service<'_, X>,
    state: &mut LoopState,
    mut running: FuturesUnordered<J>,
) {
    let deadline = Instant::now() + STOP_GRACE;
    if !running.is_empty() {
        let extended = state.keeper.extend(
            service.state,
            STOP_GRACE + Duration::from_secs(2),
            Utc::now(),
        );
        if let Ok(Err(error)) = tokio::time::timeout(Duration::from_secs(1), extended).await {
            tracing::warn!(%error, "could not extend the mailbox leases for the last passes");
        }
    }
    let drained = tokio::time::timeout_at(deadline, async {
        while let Some(results) = running.next().await {
            record(service, state, results);
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            "passes still running after {STOP_GRACE:?} were cut short; they committed nothing and run again next time"
        );
    }
    drop(running);
    let released = tokio::time::timeout(
        Duration::from_secs(1),
        state.keeper.release_all(service.state),
    );
    match released.await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            tracing::warn!(%error, "could not give back the mailbox leases; they lapse on their own");
        }
        Err(_) => {
            tracing::warn!("giving back the mailbox leases took too long; they lapse on their own")
        }
    }
}

/// Renews and claims leases; schedules what was gained, drops what was lost, and makes the
/// schedule agree with what the keeper holds even after an error.
pub(super) async fn heartbeat<X, J: Future<Output = Vec<JobResult>>>(
    service: &Service<'_, X>,
    state: &mut LoopState,
    running: &mut FuturesUnordered<J>,
) {
    let now = Instant::now().into_std();
    let wanted: BTreeSet<String> = state.schedule.keys().map(str::to_owned).collect();
    let schedule = &state.schedule;
    let busy = |key: &str| schedule.is_running(key) || schedule.has_waiting(key);
    let beat = state
        .keeper
        .heartbeat(service.state, &wanted, busy, Utc::now());
    let beat = tokio::time::timeout(HEARTBEAT_LIMIT, beat);
    match while_polling(beat, running, &mut state.done).await {
        Ok(Ok(changes)) => {
            // Lost first: a lease lost and won back in one heartbeat starts with a full pass.
            for key in &changes.lost {
                state.schedule.set_owned(key, false, now);
            }
            for key in &changes.gained {
                state.schedule.set_owned(key, true, now);
            }
            state.leases_ok = true;
        }
        Ok(Err(error)) => {
            state.leases_ok = false;
            tracing::error!(%error, "renewing the mailbox leases failed");
            service
                .readiness
                .set_not_ready(NotReady::LeasesFailed(error.to_string()));
        }
        Err(_) => {
            state.leases_ok = false;
            tracing::error!("renewing the mailbox leases took longer than {HEARTBEAT_LIMIT:?}");
            service.readiness.set_not_ready(NotReady::LeasesSlow);
        }
    }
    let keys: Vec<String> = state.schedule.keys().map(str::to_owned).collect();
    for key in keys {
        let holds = state.keeper.holds(&key);
        if state.schedule.is_owned(&key) != holds {
            state.schedule.set_owned(&key, holds, now);
        }
    }
}

/// The longest a heartbeat may take before it counts as failed.
const HEARTBEAT_LIMIT: Duration = Duration::from_secs(5);

/// Records finished jobs, and gives back the leases of mailboxes that left meanwhile.
pub(super) async fn finish_all<X: MailboxConnector, J: Future<Output = Vec<JobResult>>>(
    service: &Service<'_, X>,
    state: &mut LoopState,
    results: Vec<JobResult>,
    running: &mut FuturesUnordered<J>,
) {
    for key in record(service, state, results) {
        give_back(service, &mut state.keeper, &key, running, &mut state.done).await;
    }
}

/// Records finished jobs on the board and in the schedule; the keys of mailboxes that left
/// the roster and whose last job just ended.
fn record<X: MailboxConnector>(
    service: &Service<'_, X>,
    state: &mut LoopState,
    results: Vec<JobResult>,
) -> Vec<String> {
    let mut left = Vec::new();
    match results.first().map(|result| &result.job) {
        Some(Job::Pass { .. }) => state.passes -= 1,
        Some(Job::Probe { .. }) => state.probes -= 1,
        None => {}
    }
    for result in results {
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
        if let Some(waiting) =
            state
                .schedule
                .finished(&result.job, result.end, now, result.ended_at)
        {
            service.board.set_pending(
                &waiting.login,
                &waiting.mailbox,
                waiting.count,
                waiting.since,
            );
        }
        let key = mailbox_key(result.job.mailbox());
        if state.schedule.take_left(&key) {
            left.push(key);
        }
    }
    service.board.set_throttles(service.connector.throttled());
    left
}

/// Gives back `key`'s lease (bounded; a lease not given back lapses on its own), while the
/// running jobs go on.
pub(super) async fn give_back<X, J: Future<Output = Vec<JobResult>>>(
    service: &Service<'_, X>,
    keeper: &mut LeaseKeeper,
    key: &str,
    running: &mut FuturesUnordered<J>,
    done: &mut Vec<Vec<JobResult>>,
) {
    let call = tokio::time::timeout(DATABASE_CALL_LIMIT, keeper.give_back(service.state, key));
    match while_polling(call, running, done).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            tracing::warn!(mailbox = key, %error, "could not give back the lease; it lapses on its own");
        }
        Err(_) => tracing::warn!(
            mailbox = key,
            "giving back the lease took too long; it lapses on its own"
        ),
    }
}

/// Applies a journal notice to the schedule.
pub(super) fn note<X>(
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
