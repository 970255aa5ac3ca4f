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

use crate::exchange::ExchangeSide;
use crate::pass::{MailboxUser, PassEnv, sync_kind};
use crate::report::KindReport;
use crate::rules::window_for;

/// What to sync.
#[derive(Debug, Clone, Default)]
pub struct OnceOptions {
    /// Only this user (login); all enabled users when `None`.
    pub user: Option<String>,
    /// Plan and report, but write nothing.
    pub dry_run: bool,
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
    for user in &selected {
        let Some(mailbox) = user.mailbox.as_deref() else {
            outcome.skipped_users.push((
                user.login.clone(),
                format!(
                    "user {:?} has no mailbox address; set it with `exsync business user set {} --mailbox ADDRESS`",
                    user.login, user.login
                ),
            ));
            continue;
        };
        let who = MailboxUser {
            login: &user.login,
            mailbox,
        };
        for kind in [ItemKind::Appointment, ItemKind::Task, ItemKind::Contact] {
            if rules.kind(kind).direction == Direction::Off {
                continue;
            }
            let report = match kind {
                ItemKind::Appointment => sync_kind::<Appointment, X>(&env, who, exchange).await.0,
                ItemKind::Task => sync_kind::<Task, X>(&env, who, exchange).await.0,
                ItemKind::Contact => sync_kind::<Contact, X>(&env, who, exchange).await.0,
            };
            tracing::info!(login = %user.login, kind = %kind, "{report}");
            let mailbox_down = report.failure.is_some() && kind == ItemKind::Appointment;
            outcome.reports.push(report);
            if mailbox_down {
                // The other kinds of this mailbox would fail the same way (auth, permission).
                break;
            }
        }
    }
    Ok(outcome)
}
