//! `exsync emulator`: the built-in Exchange emulator as a process of its own, for integrators
//! and for end-to-end tests. Prints exactly one JSON line (URLs, sample tenant, app and
//! mailboxes) on stdout, then serves until Ctrl-C or SIGTERM. `--seed FILE` serves the
//! organisation and items of a seed file instead of the sample.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use exsync_emulator::{Emulator, Seed};

use super::Outcome;

/// Runs `exsync emulator --listen ADDR [--seed FILE]`.
pub async fn run(listen: SocketAddr, seed: Option<&Path>) -> anyhow::Result<Outcome> {
    let emulator = match seed {
        None => Emulator::start(listen).await,
        Some(path) => {
            let seed = Seed::from_file(path)?;
            let started = Emulator::start_with(listen, seed.organisation.clone()).await;
            if let Ok(emulator) = &started {
                emulator.load_seed_items(&seed);
            }
            started
        }
    }
    .with_context(|| format!("cannot start the emulator on {listen}"))?;
    // Watch for the stop signals before announcing readiness: a caller may send SIGTERM as
    // soon as it has read the JSON line.
    let stop = stop_signal()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", emulator.describe().to_json_line())?;
    stdout.flush()?;
    drop(stdout);
    stop.await?;
    emulator.stop().await;
    Ok(Outcome::Success)
}

/// A future that completes on Ctrl-C or SIGTERM; the handlers are installed when it is made.
#[cfg(unix)]
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = anyhow::Result<()>>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot watch Ctrl-C")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        Ok(())
    })
}

/// A future that completes on Ctrl-C.
#[cfg(not(unix))]
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = anyhow::Result<()>>> {
    Ok(async { tokio::signal::ctrl_c().await.context("cannot watch Ctrl-C") })
}
