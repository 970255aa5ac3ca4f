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
    let stop = super::signals::stop_signal()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", emulator.describe().to_json_line())?;
    stdout.flush()?;
    drop(stdout);
    stop.await?;
    emulator.stop().await;
    Ok(Outcome::Success)
}
