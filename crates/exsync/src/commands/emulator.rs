//! `exsync emulator`: the built-in Exchange emulator as a process of its own, for integrators
//! and for end-to-end tests. Prints exactly one JSON line (URLs, sample tenant, app and
//! mailboxes) on stdout, then serves until Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;

use anyhow::Context;
use exsync_emulator::Emulator;

use super::Outcome;

/// Runs `exsync emulator --listen ADDR`.
pub async fn run(listen: SocketAddr) -> anyhow::Result<Outcome> {
    let emulator = Emulator::start(listen)
        .await
        .with_context(|| format!("cannot start the emulator on {listen}"))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", emulator.describe().to_json_line())?;
    stdout.flush()?;
    drop(stdout);
    wait_for_stop().await?;
    emulator.stop().await;
    Ok(Outcome::Success)
}

#[cfg(unix)]
async fn wait_for_stop() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("cannot watch Ctrl-C")?,
        _ = terminate.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn wait_for_stop() -> anyhow::Result<()> {
    tokio::signal::ctrl_c().await.context("cannot watch Ctrl-C")
}
