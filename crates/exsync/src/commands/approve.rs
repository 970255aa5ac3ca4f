//! `exsync approve LOGIN`: releases held deletions (being built).

use exsync_config::Config;

use super::Outcome;

/// Runs `exsync approve`.
pub async fn run(_config: &Config, _login: &str) -> anyhow::Result<Outcome> {
    anyhow::bail!("exsync approve is not built yet")
}
