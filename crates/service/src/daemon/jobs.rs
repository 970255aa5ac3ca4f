//! Running scheduled jobs: probes (does Exchange have changes?) of several mailboxes at once,
//! or a pass over some kinds of one mailbox, with the settings in force when they start.
//!
//! Invariant: a job never panics the service; whatever goes wrong ends as a failed job with
//! a message naming the mailbox, and the schedule backs the mailbox off.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use exsync_business::BusinessDb;
use exsync_config::{StartMode, SyncConfig};
use exsync_engine::{Direction, Rules};
use exsync_model::ItemKind;
use exsync_runtime::{
    ALL_KINDS, KindReport, LeaseFence, MailboxConnector, MailboxUser, PassEnv, sync_mailbox,
    window_for,
};
use exsync_store::StateStore;

use super::schedule::{Job, JobEnd, KindSet, Timing};

/// The settings a job runs with; replaced as a whole when the configuration is reloaded.
#[derive(Debug, Clone)]
pub struct LiveSettings {
    /// The sync rules.
    pub rules: Rules,
    /// `[sync]` (window, zone, folders).
    pub sync: SyncConfig,
    /// What a mailbox's first sync does.
    pub start_mode: StartMode,
    /// The schedule's intervals.
    pub timing: Timing,
}

impl LiveSettings {
    /// The kinds the rules sync at all.
    pub fn synced_kinds(&self) -> Vec<ItemKind> {
        ALL_KINDS
            .into_iter()
            .filter(|kind| self.rules.kind(*kind).direction != Direction::Off)
            .collect()
    }
}

/// What the service's jobs share.
pub struct JobContext<'a, X> {
    /// The business database.
    pub business: &'a BusinessDb,
    /// The sync state.
    pub state: &'a StateStore,
    /// The Exchange connector.
    pub connector: &'a X,
    /// This process's lease holder name (every pass checks it still holds its mailbox).
    pub holder: &'a str,
}

/// How a job went.
#[derive(Debug)]
pub struct JobResult {
    /// The job.
    pub job: Job,
    /// What the schedule needs to know.
    pub end: JobEnd,
    /// The pass's reports (empty for probes).
    pub reports: Vec<KindReport>,
    /// Why the job failed, if it did.
    pub error: Option<String>,
    /// When it ended.
    pub ended_at: DateTime<Utc>,
}

/// Jobs started together: one pass, or probes of several mailboxes (asked in shared requests).
#[derive(Debug)]
pub enum JobBatch {
    /// A pass.
    Pass(Job),
    /// Probes.
    Probes(Vec<Job>),
}

/// Graph answers up to 20 requests per `$batch`; a probe asks `MailboxConnector::probe_requests`
/// (at most one per synced kind, plus the series listing of the calendar).
const REQUESTS_PER_BATCH: usize = 20;

/// How many mailboxes one probe batch asks about, for `requests` requests per mailbox.
pub fn probes_per_batch(requests: usize) -> usize {
    (REQUESTS_PER_BATCH / requests.max(1)).max(1)
}

/// Runs `batch` with `settings`; one result per job.
pub async fn run_batch<X: MailboxConnector>(
    context: &JobContext<'_, X>,
    batch: JobBatch,
    settings: Arc<LiveSettings>,
) -> Vec<JobResult> {
    match batch {
        JobBatch::Pass(job) => vec![run_pass(context, job, &settings).await],
        JobBatch::Probes(jobs) => run_probes(context, jobs, &settings).await,
    }
}

/// Probes `jobs`' mailboxes for Exchange changes.
async fn run_probes<X: MailboxConnector>(
    context: &JobContext<'_, X>,
    jobs: Vec<Job>,
    settings: &LiveSettings,
) -> Vec<JobResult> {
    let kinds = settings.synced_kinds();
    let mailboxes: Vec<&str> = jobs.iter().map(Job::mailbox).collect();
    let answers = context
        .connector
        .changed_kinds(context.state, &mailboxes, &kinds)
        .await;
    let ended_at = Utc::now();
    jobs.iter()
        .zip(answers)
        .map(|(job, answer)| {
            let (end, error) = match answer {
                Ok(changed) => (JobEnd::Probed(KindSet::of(changed)), None),
                Err(error) => (
                    JobEnd::Failed,
                    Some(format!(
                        "looking for changes in mailbox {}: {}",
                        job.mailbox(),
                        error.message
                    )),
                ),
            };
            JobResult {
                job: job.clone(),
                end,
                reports: Vec::new(),
                error,
                ended_at,
            }
        })
        .collect()
}

/// Runs a pass job.
async fn run_pass<X: MailboxConnector>(
    context: &JobContext<'_, X>,
    job: Job,
    settings: &LiveSettings,
) -> JobResult {
    let Job::Pass {
        login,
        mailbox,
        kinds,
        full,
    } = &job
    else {
        return JobResult {
            end: JobEnd::Failed,
            error: Some(format!("not a pass: {job:?}")),
            job,
            reports: Vec::new(),
            ended_at: Utc::now(),
        };
    };
    let now = Utc::now();
    let env = PassEnv {
        business: context.business,
        state: context.state,
        rules: &settings.rules,
        window: window_for(now, settings.sync.months_past, settings.sync.months_future),
        dry_run: false,
        start_mode: settings.start_mode,
        lease: Some(LeaseFence {
            holder: context.holder,
            clock_offset: chrono::TimeDelta::zero(),
        }),
        pair_existing: settings.sync.pair_existing,
    };
    let who = MailboxUser { login, mailbox };
    let connector = context.connector.for_full_pass(*full);
    let reports = sync_mailbox(&env, who, &connector, &kinds.kinds()).await;
    let failure = reports.iter().find_map(|r| r.failure.clone());
    let end = if failure.is_some() {
        JobEnd::Failed
    } else if reports.iter().any(|r| r.exchange.any() || r.business.any()) {
        JobEnd::Passed
    } else {
        JobEnd::PassedIdle
    };
    JobResult {
        job: job.clone(),
        end,
        reports,
        error: failure,
        ended_at: Utc::now(),
    }
}
