//! `exsync business ...`: the integration schema, users, and iCalendar/vCard files.

use super::Outcome;
use crate::cli::BusinessCommand;

/// Runs `exsync business <command>` against the database at `url`.
pub async fn run(_url: &str, _command: BusinessCommand) -> anyhow::Result<Outcome> {
    anyhow::bail!("the business commands are being wired")
}
