//! `exsync status`: the running service's status per mailbox as a table (being built).

use exsync_config::Config;

use super::Outcome;

/// Runs `exsync status`.
pub async fn run(
    _config: &Config,
    _admin: Option<std::net::SocketAddr>,
) -> anyhow::Result<Outcome> {
    anyhow::bail!("exsync status is not built yet")
}
