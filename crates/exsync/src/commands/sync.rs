//! `exsync sync --once [--user LOGIN] [--dry-run]`: one complete pass business <-> Exchange,
//! a table of what it did per user and kind, exit code 1 when anything failed.
//!
//! With `exchange.kind = "emulator"` (the embedded default) the pass runs against an
//! in-process emulator with one mailbox per enabled user. That emulator keeps nothing after
//! the run, so the sync state of such a run is kept in memory too: a state store that
//! remembered items of a vanished emulator would see them all as deleted in Exchange.

use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::Utc;
use exsync_business::BusinessDb;
use exsync_config::{Config, ExchangeTarget};
use exsync_emulator::{Emulator, EmulatorHandle, Mailbox, Organisation};
use exsync_graph::auth::{Credential, TokenProvider};
use exsync_graph::client::{GraphClient, GraphTokens};
use exsync_model::TimeZoneName;
use exsync_runtime::graph::GraphConnector;
use exsync_runtime::{OnceOptions, OnceOutcome, rules_from_config, sync_once};
use exsync_store::StateStore;

use super::Outcome;
use crate::cli::SyncArgs;

/// Runs `exsync sync --once`.
pub async fn run(config: &Config, args: &SyncArgs) -> anyhow::Result<Outcome> {
    let business_url = config.database.url.expose_secret().to_owned();
    let business = BusinessDb::connect(&business_url)
        .await
        .context("cannot open the business database")?;
    let rules =
        rules_from_config(config).context("the sync rules of the configuration are invalid")?;
    let zone = TimeZoneName::new(&config.sync.time_zone).context("sync.time_zone")?;
    let (connector, state, _emulator) = match &config.exchange.target {
        ExchangeTarget::Online(online) => {
            let provider =
                TokenProvider::from_config(online).map_err(|e| anyhow::anyhow!("{e}"))?;
            let client = GraphClient::new(
                &online.graph_url,
                Arc::new(GraphTokens::new(Arc::new(provider))),
            );
            let state = StateStore::connect(config.database.state_url().expose_secret())
                .await
                .context("cannot open the sync state store")?;
            (connector(client, zone, config, args.dry_run), state, None)
        }
        ExchangeTarget::Emulator => {
            let emulator = start_emulator_for(&business).await?;
            println!(
                "exchange.kind = \"emulator\": syncing with a built-in Exchange emulator serving one mailbox per \
                 enabled user; it keeps nothing after this run, so neither does the sync state."
            );
            let provider = TokenProvider::new(
                emulator.token_url(),
                emulator.client_id(),
                Credential::Secret(emulator.client_secret().into()),
            );
            let client = GraphClient::new(
                emulator.graph_url(),
                Arc::new(GraphTokens::new(Arc::new(provider))),
            );
            let state = StateStore::connect("sqlite::memory:")
                .await
                .context("cannot open an in-memory sync state store")?;
            (
                connector(client, zone, config, args.dry_run),
                state,
                Some(emulator),
            )
        }
        ExchangeTarget::Server(_) => bail!(
            "exchange.kind = \"server\" (Exchange Server through EWS) cannot be synced by this version yet; \
             use exchange.kind = \"online\" (Microsoft Graph) or \"emulator\""
        ),
    };
    let options = OnceOptions {
        user: args.user.clone(),
        dry_run: args.dry_run,
        ..OnceOptions::default()
    };
    let outcome = sync_once(
        &business,
        &state,
        &rules,
        &config.sync,
        &connector,
        &options,
        Utc::now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    print_outcome(&outcome, args.dry_run);
    let counts = connector.client().counts();
    println!(
        "Graph requests: {} HTTP ({} inside $batch), {} throttled",
        counts.http_requests, counts.batched_requests, counts.throttled
    );
    Ok(if outcome.failed() {
        Outcome::SyncFailed
    } else {
        Outcome::Success
    })
}

fn connector(
    client: GraphClient,
    zone: TimeZoneName,
    config: &Config,
    dry_run: bool,
) -> GraphConnector {
    GraphConnector::new(
        Arc::new(client),
        zone,
        config.sync.task_list.clone(),
        config.sync.contact_folder.clone(),
    )
    .read_only(dry_run)
}

/// An in-process emulator whose tenant has a mailbox for every enabled user with a mailbox
/// address (and the sample mailboxes besides).
async fn start_emulator_for(business: &BusinessDb) -> anyhow::Result<EmulatorHandle> {
    let users = business
        .list_users()
        .await
        .context("cannot read the users of the business database")?;
    let mut organisation = Organisation::sample();
    if let Some(tenant) = organisation.tenants.first_mut() {
        for user in users.iter().filter(|u| u.enabled) {
            let Some(address) = user.mailbox.as_deref() else {
                continue;
            };
            if tenant.mailbox(address).is_none() {
                tenant
                    .mailboxes
                    .push(Mailbox::new(address, &user.display_name));
            }
        }
    }
    Emulator::start_with("127.0.0.1:0".parse()?, organisation)
        .await
        .context("cannot start the built-in Exchange emulator")
}

fn print_outcome(outcome: &OnceOutcome, dry_run: bool) {
    if dry_run {
        println!("Dry run: nothing was written. The plan:");
    }
    println!(
        "{:<16} {:<32} {:<12} {:<23} {:<23} rejected",
        "user", "mailbox", "kind", "Exchange (+new ~upd -del)", "business (+new ~upd -del)"
    );
    for report in &outcome.reports {
        println!("{report}");
    }
    for (login, reason) in &outcome.skipped_users {
        println!("{login}: not synced: {reason}");
    }
    if outcome.reports.is_empty() && outcome.skipped_users.is_empty() {
        println!(
            "No enabled user with a mailbox: add one with `exsync business user add LOGIN --mailbox ADDRESS`."
        );
    }
}
