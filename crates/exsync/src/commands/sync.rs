//! `exsync sync --once [--user LOGIN] [--dry-run]`: one complete pass business <-> Exchange,
//! a table of what it did per user and kind, exit code 1 when anything failed.
//!
//! With `exchange.kind = "emulator"` (the embedded default) the pass runs against an
//! in-process emulator with one mailbox per enabled user. That emulator keeps nothing after
//! the run, so the sync state of such a run is kept in memory too: a state store that
//! remembered items of a vanished emulator would see them all as deleted in Exchange.

use chrono::Utc;
use exsync_i18n::tr;
use exsync_runtime::{OnceOptions, OnceOutcome, sync_once};

use super::Outcome;
use super::connect::Connected;
use crate::cli::SyncArgs;
use exsync_config::Config;

/// Runs `exsync sync --once`.
pub async fn run(config: &Config, args: &SyncArgs) -> anyhow::Result<Outcome> {
    let connected = Connected::open(config, args.dry_run).await?;
    let options = OnceOptions {
        user: args.user.clone(),
        dry_run: args.dry_run,
        start_mode: config.service.start_mode,
        addressing: config.exchange.mailbox_addressing,
        ..OnceOptions::default()
    };
    let outcome = sync_once(
        &connected.business,
        &connected.state,
        &connected.rules,
        &config.sync,
        &connected.connector,
        &options,
        Utc::now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    print_outcome(&outcome, args.dry_run);
    let counts = connected.connector.client().counts();
    println!(
        "{}",
        tr!(
            "sync-graph-requests",
            http = counts.http_requests,
            batched = counts.batched_requests,
            throttled = counts.throttled,
        )
    );
    Ok(if outcome.failed() {
        Outcome::SyncFailed
    } else {
        Outcome::Success
    })
}

pub(super) fn print_outcome(outcome: &OnceOutcome, dry_run: bool) {
    if dry_run {
        println!("{}", tr!("sync-dry-run"));
    }
    println!(
        "{:<16} {:<32} {:<12} {:<23} {:<23} {}",
        tr!("sync-column-user"),
        tr!("sync-column-mailbox"),
        tr!("sync-column-kind"),
        tr!("sync-column-exchange"),
        tr!("sync-column-business"),
        tr!("sync-column-rejected"),
    );
    for report in &outcome.reports {
        println!("{report}");
    }
    for (login, reason) in &outcome.skipped_users {
        println!(
            "{}",
            tr!("sync-user-not-synced", login = login, reason = reason)
        );
    }
    if outcome.reports.is_empty() && outcome.skipped_users.is_empty() {
        println!("{}", tr!("sync-no-users"));
    }
}
