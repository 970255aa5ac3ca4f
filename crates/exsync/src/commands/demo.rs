//! `exsync demo`: the guided demonstration (being built).

use super::Outcome;
use crate::cli::DemoArgs;

/// Runs `exsync demo`.
pub async fn run(_args: &DemoArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("exsync demo is not built yet")
}
