//! `exsync sync --once`: one complete pass business <-> Exchange for every enabled user (or
//! one), every kind the configuration syncs, one mailbox after another.
//!
//! Invariant: a failure in one mailbox or kind is reported and the others still run; the
//! outcome says whether anything failed.

use chrono::{DateTime, Utc};
use exsync_business::BusinessDb;
use exsync_config::{MailboxAddressing, StartMode, SyncConfig};
use exsync_engine::{Direction, Rules};
use exsync_model::{Appointment, Contact, ItemKind, Task};
use exsync_store::StateStore;
use futures_util::stream::{self, StreamExt};

use crate::exchange::ExchangeSide;
use crate::fence::LeaseFence;
use crate::pass::{MailboxUser, PassEnv, sync_kind};
use crate::report::KindReport;
use crate::rules::window_for;

/// What to sync.
#[derive(Debug, Clone)]
pub struct OnceOptions {
    /// Only this user (login); all enabled users when `None`.
    pub user: Option<String>,
    /// Plan and report, but write nothing.
    pub dry_run: bool,
    /// Mailboxes synced at the same time (each with at most 4 Graph requests in flight).
    pub concurrent_mailboxes: usize,
    /// Who holds the mailbox leases this run takes (unique per process).
    pub holder: String,
    /// What a mailbox's first sync does (`service.start_mode`).
    pub start_mode: StartMode,
    /// Which name addresses a user's mailbox (`exchange.mailbox_addressing`).
    pub addressing: MailboxAddressing,
}

impl Default for OnceOptions {
    fn default() -> Self {
        OnceOptions {
            user: None,
            dry_run: false,
            concurrent_mailboxes: 4,
            holder: format!("exsync-{}", std::process::id()),
            start_mode: StartMode::FullWindow,
            addressing: MailboxAddressing::MailboxAddress,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct OnceOutcome {
    /// One report per user and kind.
    pub reports: Vec<KindReport>,
    /// Users that could not be synced at all, with the reason.
    pub skipped_users: Vec<(String, String)>,
}

impl OnceOutcome {
    /// True when any user, kind or item failed.
    pub fn failed(&self) -> bool {
        !self.skipped_users.is_empty() || self.reports.iter().any(KindReport::failed)
    }
}

/// Runs one pass for every enabled user (or `options.user`).
#[allow(clippy::too_many_arguments)]
pub async fn sync_once<X>(
    business: &BusinessDb,
    state: &StateStore,
    rules: &Rules,
    sync: &SyncConfig,
    exchange: &X,
    options: &OnceOptions,
    now: DateTime<Utc>,
) -> Result<OnceOutcome, String>
where
    X: ExchangeSide<Appointment> + ExchangeSide<Task> + ExchangeSide<Contact>,
{
    let users = business
        .list_users()
        .await
        .map_err(|e| format!("reading the users of the business database: {e}"))?;
    let mut outcome = OnceOutcome::default();
    let mut selected = Vec::new();
    match &options.user {
        Some(login) => match users.iter().find(|u| &u.login == login) {
            None => {
                return Err(format!(
                    "there is no user {login:?} in the business database (see `exsync business users`)"
                ));
            }
            Some(user) if !user.enabled => {
                return Err(format!(
                    "user {login:?} is switched off; switch it on with `exsync business user set {login} --enabled true`"
                ));
            }
            Some(user) => selected.push(user.clone()),
        },
        None => selected.extend(users.into_iter().filter(|u| u.enabled)),
    }
    let env = PassEnv {
        business,
        state,
        rules,
        window: window_for(now, sync.months_past, sync.months_future),
        dry_run: options.dry_run,
        start_mode: options.start_mode,
        lease: Some(LeaseFence {
            holder: &options.holder,
            clock_offset: now - Utc::now(),
        }),
        pair_existing: sync.pair_existing,
    };
    let mut jobs = Vec::new();
    for user in &selected {
        match crate::addressing::mailbox_of(user, options.addressing) {
            Some(mailbox) => jobs.push(MailboxUser {
                login: &user.login,
                mailbox,
            }),
            None => outcome.skipped_users.push((
                user.login.clone(),
                format!(
                    "user {:?} has no mailbox address; set it with `exsync business user set {} --mailbox ADDRESS`",
                    user.login, user.login
                ),
            )),
        }
    }
    let env = &env;
    let mut per_user: Vec<(usize, Vec<KindReport>)> = stream::iter(jobs.into_iter().enumerate())
        .map(|(index, who)| async move {
            let lease = Lease {
                holder: &options.holder,
                now,
            };
            (index, sync_user(env, who, exchange, lease).await)
        })
        .buffer_unordered(options.concurrent_mailboxes.max(1))
        .collect()
        .await;
    per_user.sort_by_key(|(index, _)| *index);
    outcome
        .reports
        .extend(per_user.into_iter().flat_map(|(_, reports)| reports));
    Ok(outcome)
}

/// One user's mailbox under its lease: skipped (and reported) while another process holds it.
async fn sync_user<X>(
    env: &PassEnv<'_>,
    who: MailboxUser<'_>,
    exchange: &X,
    lease: Lease<'_>,
) -> Vec<KindReport>
where
    X: ExchangeSide<Appointment> + ExchangeSide<Task> + ExchangeSide<Contact>,
{
    let resource = crate::fence::mailbox_lease(who.mailbox);
    let taken = env
        .state
        .try_acquire_lease(&resource, lease.holder, LEASE_TIME, lease.now)
        .await;
    if !matches!(taken, Ok(true)) {
        let mut report = KindReport::new(who.login, who.mailbox, ItemKind::Appointment);
        report.failure = Some(match taken {
            Err(error) => format!("cannot take the mailbox's lease in the sync state: {error}"),
            _ => "another exsync process is syncing this mailbox right now (it holds the \
                  mailbox's lease); this run left it alone"
                .to_owned(),
        });
        return vec![report];
    }
    let reports = sync_mailbox(env, who, exchange, &ALL_KINDS).await;
    if let Err(error) = env.state.release_lease(&resource, lease.holder).await {
        tracing::warn!(mailbox = who.mailbox, %error, "could not release the mailbox lease");
    }
    reports
}

/// How long a mailbox's lease lasts: longer than any pass; a crashed holder's mailboxes are
/// free again after it.
const LEASE_TIME: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The lease a run takes on each mailbox, so that two processes never sync one mailbox at once.
#[derive(Debug, Clone, Copy)]
struct Lease<'a> {
    holder: &'a str,
    now: DateTime<Utc>,
}

/// Every item kind, in the order a mailbox's kinds are synced.
pub const ALL_KINDS: [ItemKind; 3] = [ItemKind::Appointment, ItemKind::Task, ItemKind::Contact];

/// The given kinds of one user's mailbox (those the rules sync), one after another. The
/// caller holds the mailbox's lease.
pub async fn sync_mailbox<X>(
    env: &PassEnv<'_>,
    who: MailboxUser<'_>,
    exchange: &X,
    kinds: &[ItemKind],
) -> Vec<KindReport>
where
    X: ExchangeSide<Appointment> + ExchangeSide<Task> + ExchangeSide<Contact>,
{
    let mut reports = Vec::new();
    for &kind in ALL_KINDS.iter().filter(|kind| kinds.contains(kind)) {
        if env.rules.kind(kind).direction == Direction::Off {
            continue;
        }
        let report = match kind {
            ItemKind::Appointment => sync_kind::<Appointment, X>(env, who, exchange).await.0,
            ItemKind::Task => sync_kind::<Task, X>(env, who, exchange).await.0,
            ItemKind::Contact => sync_kind::<Contact, X>(env, who, exchange).await.0,
        };
        tracing::debug!(login = who.login, kind = %kind, "{report}");
        let mailbox_down = report.failure.is_some() && kind == ItemKind::Appointment;
        reports.push(report);
        if mailbox_down {
            // The other kinds of this mailbox would fail the same way (auth, permission).
            break;
        }
    }
    reports
}
