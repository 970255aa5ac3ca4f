//! Stopping on Ctrl-C or SIGTERM, for the commands that serve until told to stop, and SIGHUP,
//! the request to re-read the configuration.
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

/// SIGHUP, the request to re-read the configuration; [`ReloadSignal::recv`] yields once per
/// signal (on other systems: never).
pub(super) struct ReloadSignal {
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
}

impl ReloadSignal {
    /// The next SIGHUP; `None` when no more can come.
    pub(super) async fn recv(&mut self) -> Option<()> {
        #[cfg(unix)]
        {
            self.hangup.recv().await
        }
        #[cfg(not(unix))]
        {
            std::future::pending().await
        }
    }
}

/// Starts watching for SIGHUP (installed when this returns).
pub(super) fn reload_signal() -> anyhow::Result<ReloadSignal> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let hangup = signal(SignalKind::hangup()).context("cannot watch SIGHUP")?;
        Ok(ReloadSignal { hangup })
    }
    #[cfg(not(unix))]
    {
        Ok(ReloadSignal {})
    }
}
