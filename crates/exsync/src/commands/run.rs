//! `exsync run`: the service. Until Ctrl-C or SIGTERM it syncs every enabled user's mailbox
//! again and again: an incremental pass every `service.poll_interval` (reads only what the
//! delta feeds name) and a full pass every `service.full_pass_interval` (re-reads every
//! series, heals anything missed). Users switched on or off, or given another mailbox, take
//! effect on the next pass. The admin endpoint (`admin.listen`) serves health, readiness,
//! metrics and the status per mailbox.
//!
//! Invariants: a stop signal ends the loop between passes, never inside one (a pass commits
//! atomically, so even a kill loses nothing but the pass); the first pass is a full one.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use exsync_config::Config;
use exsync_runtime::{OnceOptions, sync_once};
use exsync_service::{Readiness, StatusBoard, serve_listener};

use super::Outcome;
use super::connect::Connected;

/// Runs `exsync run`.
pub async fn run(config: &Config) -> anyhow::Result<Outcome> {
    let mut stop = Box::pin(super::signals::stop_signal()?);
    let connected = Connected::open(config, false).await?;
    let board = StatusBoard::new();
    let readiness = Readiness::new();
    let admin = start_admin(config, &board, &readiness).await?;
    let stopped = async {
        let _ = (&mut stop).await;
    };
    serve(config, &connected, &board, &readiness, stopped).await?;
    admin.stop();
    println!("stopped");
    Ok(Outcome::Success)
}

/// The admin endpoint while it runs; [`AdminHandle::stop`] ends it.
pub struct AdminHandle {
    /// Where it listens (`None`: `admin.listen = "off"`).
    pub address: Option<std::net::SocketAddr>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl AdminHandle {
    /// Stops serving.
    pub fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts the admin endpoint on `admin.listen` (if on) over `board` and `readiness`, and
/// prints its address.
pub async fn start_admin(
    config: &Config,
    board: &StatusBoard,
    readiness: &Readiness,
) -> anyhow::Result<AdminHandle> {
    let Some(addr) = config.admin.listen else {
        return Ok(AdminHandle {
            address: None,
            stop: None,
        });
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (admin.listen)"))?;
    let bound = listener.local_addr()?;
    println!("admin endpoint: http://{bound}/status");
    let (admin_stop, admin_stopped) = tokio::sync::oneshot::channel::<()>();
    let (board, readiness) = (board.clone(), readiness.clone());
    tokio::spawn(async move {
        let shutdown = async {
            let _ = admin_stopped.await;
        };
        if let Err(error) = serve_listener(listener, None, board, readiness, shutdown).await {
            tracing::error!(%error, "the admin endpoint stopped");
        }
    });
    Ok(AdminHandle {
        address: Some(bound),
        stop: Some(admin_stop),
    })
}

/// The service over an opened connection, recording into `board`, until `stop` completes.
/// `exsync run` and `exsync demo` both run it.
pub async fn serve(
    config: &Config,
    connected: &Connected,
    board: &StatusBoard,
    readiness: &Readiness,
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let mut stop = Box::pin(stop);
    readiness.set_ready();
    let poll = config.service.poll_interval;
    let full_interval = config.service.full_pass_interval;
    let mut last_full: Option<Instant> = None;
    loop {
        let full = last_full.is_none_or(|at| at.elapsed() >= full_interval);
        let connector = connected.connector.clone().full_pass(full);
        let outcome = sync_once(
            &connected.business,
            &connected.state,
            &connected.rules,
            &config.sync,
            &connector,
            &OnceOptions::default(),
            Utc::now(),
        )
        .await;
        match outcome {
            Ok(outcome) => {
                let now = Utc::now();
                for report in &outcome.reports {
                    if report.exchange.any() || report.business.any() || report.failed() {
                        println!("{report}");
                    }
                    board.record_pass(report, now);
                }
                for (login, reason) in &outcome.skipped_users {
                    board.record_error(login, "", reason);
                }
                board.set_throttles(connected.connector.client().counts().throttled);
                if full {
                    last_full = Some(Instant::now());
                }
                readiness.set_ready();
            }
            Err(error) => {
                tracing::error!(%error, "the pass could not start");
                readiness.set_not_ready(error);
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(poll.max(Duration::from_millis(200))) => {}
            _ = &mut stop => break,
        }
    }
    Ok(())
}
