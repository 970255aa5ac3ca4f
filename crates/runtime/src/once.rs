//! `exsync sync --once`: one complete pass business <-> Exchange for every enabled user (or
//! one), every kind the configuration syncs, one mailbox after another.
//!
//! Invariant: a failure in one mailbox or kind is reported and the others still run; the
//! outcome says whether anything failed.

use chrono::{DateTime, Utc};
use exsync_business::BusinessDb;
use exsync_config::SyncConfig;
use exsync_engine::{Direction, Rules};
use exsync_model::{Appointment, Contact, ItemKind, Task};
use exsync_store::StateStore;
use futures_util::stream::{self, StreamExt};

use crate::exchange::ExchangeSide;
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
}

impl Default for OnceOptions {
    fn default() -> Self {
        OnceOptions {
            user: None,
            dry_run: false,
            concurrent_mailboxes: 4,
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
    };
    let mut jobs = Vec::new();
    for user in &selected {
        match user.mailbox.as_deref() {
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
        .map(|(index, who)| async move { (index, sync_user(env, rules, who, exchange).await) })
        .buffer_unordered(options.concurrent_mailboxes.max(1))
        .collect()
        .await;
    per_user.sort_by_key(|(index, _)| *index);
    outcome
        .reports
        .extend(per_user.into_iter().flat_map(|(_, reports)| reports));
    Ok(outcome)
}

/// Every kind of one user's mailbox, one after another.
async fn sync_user<X>(
    env: &PassEnv<'_>,
    rules: &Rules,
    who: MailboxUser<'_>,
    exchange: &X,
) -> Vec<KindReport>
where
    X: ExchangeSide<Appointment> + ExchangeSide<Task> + ExchangeSide<Contact>,
{
    let mut reports = Vec::new();
    for kind in [ItemKind::Appointment, ItemKind::Task, ItemKind::Contact] {
        if rules.kind(kind).direction == Direction::Off {
            continue;
        }
        let report = match kind {
            ItemKind::Appointment => sync_kind::<Appointment, X>(env, who, exchange).await.0,
            ItemKind::Task => sync_kind::<Task, X>(env, who, exchange).await.0,
            ItemKind::Contact => sync_kind::<Contact, X>(env, who, exchange).await.0,
        };
        tracing::info!(login = who.login, kind = %kind, "{report}");
        let mailbox_down = report.failure.is_some() && kind == ItemKind::Appointment;
        reports.push(report);
        if mailbox_down {
            // The other kinds of this mailbox would fail the same way (auth, permission).
            break;
        }
    }
    reports
}
