//! `exsync approve LOGIN`: releases the deletions the mass-deletion guard holds for a user's
//! mailbox. It writes an approval marker per synced kind into the sync state; the next pass of
//! the mailbox (also in a running `exsync run`) carries the held deletions out and consumes
//! the marker.
//!
//! Invariants: an approval covers what is held when the next pass runs, nothing later (see
//! `exsync_runtime::approve_deletions`); an unknown user or a user without a mailbox is an
//! error naming the login and the fix; nothing is written then.

use anyhow::{Context, bail};
use chrono::Utc;
use exsync_config::{Config, ExchangeTarget};
use exsync_engine::Direction;
use exsync_runtime::{ALL_KINDS, approve_deletions, rules_from_config};

use super::Outcome;

/// Runs `exsync approve LOGIN`.
pub async fn run(config: &Config, login: &str) -> anyhow::Result<Outcome> {
    let business = super::connect::open_business(config).await?;
    let user = business
        .get_user(login)
        .await
        .context("cannot read the users of the business database")?;
    let Some(user) = user else {
        bail!("there is no user {login:?} in the business database (see `exsync business users`)");
    };
    let Some(mailbox) =
        exsync_runtime::mailbox_of(&user, config.exchange.mailbox_addressing).map(str::to_owned)
    else {
        bail!(
            "user {login:?} has no mailbox address, so nothing of it can be held; set one with \
             `exsync business user set {login} --mailbox ADDRESS`"
        );
    };
    if matches!(config.exchange.target, ExchangeTarget::Emulator) {
        bail!(
            "exchange.kind = \"emulator\": the sync state lives in the memory of the running \
             process, so an approval cannot reach it (and nothing held outlives that process); \
             approvals work with exchange.kind = \"online\""
        );
    }
    let rules =
        rules_from_config(config).context("the sync rules of the configuration are invalid")?;
    let kinds: Vec<_> = ALL_KINDS
        .into_iter()
        .filter(|&kind| rules.kind(kind).direction != Direction::Off)
        .collect();
    let state = super::connect::open_state(config).await?;
    approve_deletions(&state, &mailbox, &kinds, Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    println!(
        "Approved the held deletions of {login} (mailbox {mailbox}) for: {}.",
        names.join(", ")
    );
    println!(
        "The next pass of the mailbox carries out what the mass-deletion guard holds now \
         (a running `exsync run` picks this up by itself); deletions held later need a new \
         approval."
    );
    Ok(Outcome::Success)
}
