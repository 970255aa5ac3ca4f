//! Running one scheduled job: a probe (does Exchange have changes?) or a pass over some kinds
//! of one mailbox, with the settings in force when it starts.
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
    ALL_KINDS, KindReport, MailboxConnector, MailboxUser, PassEnv, sync_mailbox, window_for,
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

/// Runs `job` with `settings`.
pub async fn run_job<X: MailboxConnector>(
    context: &JobContext<'_, X>,
    job: Job,
    settings: Arc<LiveSettings>,
) -> JobResult {
    match &job {
        Job::Probe { mailbox, .. } => {
            let kinds = settings.synced_kinds();
            let probed = context
                .connector
                .changed_kinds(context.state, mailbox, &kinds)
                .await;
            let (end, error) = match probed {
                Ok(changed) => (JobEnd::Probed(KindSet::of(changed)), None),
                Err(error) => (
                    JobEnd::Failed,
                    Some(format!(
                        "looking for changes in mailbox {mailbox}: {}",
                        error.message
                    )),
                ),
            };
            JobResult {
                job,
                end,
                reports: Vec::new(),
                error,
                ended_at: Utc::now(),
            }
        }
        Job::Pass {
            login,
            mailbox,
            kinds,
            full,
        } => {
            let now = Utc::now();
            let env = PassEnv {
                business: context.business,
                state: context.state,
                rules: &settings.rules,
                window: window_for(now, settings.sync.months_past, settings.sync.months_future),
                dry_run: false,
                start_mode: settings.start_mode,
            };
            let who = MailboxUser { login, mailbox };
            let connector = context.connector.for_full_pass(*full);
            let reports = sync_mailbox(&env, who, &connector, &kinds.kinds()).await;
            let failure = reports.iter().find_map(|r| r.failure.clone());
            let end = if failure.is_some() {
                JobEnd::Failed
            } else {
                JobEnd::Passed
            };
            JobResult {
                job: job.clone(),
                end,
                reports,
                error: failure,
                ended_at: Utc::now(),
            }
        }
    }
}
