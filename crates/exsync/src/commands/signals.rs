//! Stopping on Ctrl-C or SIGTERM, for the commands that serve until told to stop.
//!
//! Invariant: the handlers are installed when [`stop_signal`] returns, so a signal sent right
//! after the command announced itself is never the default (fatal) action.

use anyhow::Context;

/// A future that completes on Ctrl-C or SIGTERM; the handlers are installed when it is made.
#[cfg(unix)]
pub(super) fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = anyhow::Result<()>>>
{
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
pub(super) fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = anyhow::Result<()>>>
{
    Ok(async { tokio::signal::ctrl_c().await.context("cannot watch Ctrl-C") })
}
