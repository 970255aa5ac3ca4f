//! `exsync reset [--user LOGIN] [--kind KIND[,KIND]] [--delete-exchange-items]`: starts a
//! user's sync (or everyone's) afresh, for every data type or the kinds named: with
//! `--delete-exchange-items` first deletes in Exchange the items of those kinds exsync created
//! or linked (never others), then forgets their links, cursors and approvals, then syncs once
//! and prints the outcome like `exsync sync --once`. The other kinds keep their links.
//!
//! Invariants: runs only while it holds the lease of every mailbox it resets, so never beside
//! a running service on the same state store (it says which process holds a mailbox and to
//! stop it first); without `--delete-exchange-items` the next pass re-links the Exchange items
//! by their business-id stamp instead of duplicating them; an item whose delete failed stays
//! linked and is named with the reason.

use anyhow::{Context, bail};
use chrono::Utc;
use exsync_config::{Config, ExchangeTarget, MailboxAddressing, StartMode};
use exsync_i18n::tr;
use exsync_model::ItemKind;
use exsync_runtime::{ALL_KINDS, OnceOptions, mailbox_of, reset_mailbox, sync_once};
use exsync_store::StateStore;

use super::Outcome;
use super::connect::Connected;
use crate::cli::ResetArgs;

/// How long the reset's leases last if the process dies holding them.
const LEASE_TIME: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Runs `exsync reset`.
pub async fn run(config: &Config, args: &ResetArgs) -> anyhow::Result<Outcome> {
    let connected = Connected::open(config, false).await?;
    let addressing = config.exchange.mailbox_addressing;
    let mailboxes = mailboxes_to_reset(&connected, args.user.as_deref(), addressing).await?;
    if matches!(config.exchange.target, ExchangeTarget::Emulator) {
        println!(
            "exchange.kind = \"emulator\": this process's emulator and sync state are new, so \
             there is nothing to reset; syncing once."
        );
    }
    let options = OnceOptions {
        user: args.user.clone(),
        start_mode: config.service.start_mode,
        addressing,
        ..OnceOptions::default()
    };
    let kinds = kinds_to_reset(&args.kinds);
    if !args.kinds.is_empty() {
        let names: Vec<&str> = kinds.iter().map(|k| kind_name(*k)).collect();
        println!(
            "{}",
            tr!("defects-reset-only-kinds", kinds = names.join(", "))
        );
    }
    let leases = take_leases(&connected.state, &options.holder, &mailboxes).await?;
    let mut failed = false;
    let mut forgotten = 0;
    for (login, mailbox) in &mailboxes {
        let reset = reset_mailbox(
            &connected.state,
            &connected.connector,
            mailbox,
            args.delete_exchange_items,
            &kinds,
        )
        .await;
        match reset {
            Ok(reset) => {
                forgotten += reset.links_forgotten;
                println!(
                    "{login} ({mailbox}): deleted in Exchange: {}, links forgotten: {}",
                    reset.deleted_in_exchange, reset.links_forgotten
                );
                for failure in &reset.failed {
                    failed = true;
                    println!("  not deleted: {}: {}", failure.item, failure.reason);
                }
            }
            Err(error) => {
                failed = true;
                println!("{login} ({mailbox}): not reset: {error}");
            }
        }
    }
    if forgotten > 0 && config.service.start_mode == StartMode::ChangesOnly {
        println!(
            "service.start_mode = \"changes_only\": the next pass is a first sync again, so only \
             items changed from now on are transferred."
        );
    }
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
    .map_err(|e| anyhow::anyhow!("{e}"));
    release_leases(&connected.state, &options.holder, &leases).await;
    let outcome = outcome?;
    super::sync::print_outcome(&outcome, false);
    Ok(if failed || outcome.failed() {
        Outcome::SyncFailed
    } else {
        Outcome::Success
    })
}

/// The kinds to reset, in sync order: those named (once each), or all of them.
fn kinds_to_reset(named: &[ItemKind]) -> Vec<ItemKind> {
    ALL_KINDS
        .into_iter()
        .filter(|kind| named.is_empty() || named.contains(kind))
        .collect()
}

/// A kind as `--kind` names it.
fn kind_name(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Appointment => "appointments",
        ItemKind::Task => "tasks",
        ItemKind::Contact => "contacts",
    }
}

/// (login, mailbox) of the user named, or of every user with a mailbox.
async fn mailboxes_to_reset(
    connected: &Connected,
    login: Option<&str>,
    addressing: MailboxAddressing,
) -> anyhow::Result<Vec<(String, String)>> {
    let users = connected
        .business
        .list_users()
        .await
        .context("cannot read the users of the business database")?;
    let Some(login) = login else {
        return Ok(users
            .iter()
            .filter_map(|u| Some((u.login.clone(), mailbox_of(u, addressing)?.to_owned())))
            .collect());
    };
    let Some(user) = users.iter().find(|u| u.login == login) else {
        bail!("there is no user {login:?} in the business database (see `exsync business users`)");
    };
    let Some(mailbox) = mailbox_of(user, addressing).map(str::to_owned) else {
        bail!(
            "user {login:?} has no mailbox address, so there is nothing to reset; set one with \
             `exsync business user set {login} --mailbox ADDRESS`"
        );
    };
    Ok(vec![(user.login.clone(), mailbox)])
}

/// Takes the lease of every mailbox, or none: refuses naming the process that holds one.
async fn take_leases(
    state: &StateStore,
    holder: &str,
    mailboxes: &[(String, String)],
) -> anyhow::Result<Vec<String>> {
    let now = Utc::now();
    let mut taken = Vec::new();
    for (_, mailbox) in mailboxes {
        let resource = exsync_runtime::mailbox_lease(mailbox);
        let won = state
            .try_acquire_lease(&resource, holder, LEASE_TIME, now)
            .await;
        if matches!(won, Ok(true)) {
            taken.push(resource);
            continue;
        }
        release_leases(state, holder, &taken).await;
        let error = match won {
            Err(error) => anyhow::anyhow!("cannot take the lease of mailbox {mailbox}: {error}"),
            _ => {
                let other = state.lease_holder(&resource, now).await.ok().flatten();
                let who = other.map_or_else(
                    || "another exsync process".to_owned(),
                    |lease| {
                        format!(
                            "exsync process {:?} (until {})",
                            lease.holder, lease.expires_at
                        )
                    },
                );
                anyhow::anyhow!(
                    "mailbox {mailbox} is being synced by {who}: stop the service \
                     (`exsync run`) first, then run the reset again"
                )
            }
        };
        return Err(error);
    }
    Ok(taken)
}

async fn release_leases(state: &StateStore, holder: &str, resources: &[String]) {
    for resource in resources {
        if let Err(error) = state.release_lease(resource, holder).await {
            tracing::warn!(resource, %error, "could not release the lease");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_kinds_are_reset_once_each_in_sync_order() {
        assert_eq!(kinds_to_reset(&[]), ALL_KINDS);
        assert_eq!(
            kinds_to_reset(&[ItemKind::Contact, ItemKind::Appointment, ItemKind::Contact]),
            [ItemKind::Appointment, ItemKind::Contact]
        );
    }
}
