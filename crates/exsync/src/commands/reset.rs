//! `exsync reset`: starts a user's sync afresh (being built).

use exsync_config::Config;

use super::Outcome;
use crate::cli::ResetArgs;

/// Runs `exsync reset`.
pub async fn run(_config: &Config, _args: &ResetArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("exsync reset is not built yet")
}
