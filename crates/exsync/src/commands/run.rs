//! `exsync run`: the service. Until Ctrl-C or SIGTERM it keeps every enabled user's mailbox
//! in sync near real time (see `exsync_service::daemon`): business changes are noticed from the
//! change journal, Exchange changes by a cheap probe every `service.poll_interval`, and a full
//! pass per mailbox every `service.full_pass_interval` heals anything missed. Users switched on
//! or off take effect within seconds; SIGHUP re-reads the configuration file. The admin
//! endpoint (`admin.listen`) serves health, readiness, metrics and the status per mailbox.
//!
//! Invariant: on a stop signal, passes in flight get a few seconds to finish and commit, the
//! mailbox leases are given back, and the process exits within 10 s.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use exsync_config::Config;
use exsync_runtime::rules_from_config;
use exsync_service::daemon::{LiveSettings, Service, Timing, run_service};
use exsync_service::{CredentialSetting, Readiness, StatusBoard, serve_listener};
use tokio::sync::watch;

use super::Outcome;
use super::connect::Connected;

/// Runs `exsync run` with `config`, loaded from `file` (re-read on SIGHUP).
pub async fn run(config: &Config, file: Option<&Path>) -> anyhow::Result<Outcome> {
    let mut stop = Box::pin(super::signals::stop_signal()?);
    let connected = Connected::open(config, false).await?;
    let board = StatusBoard::new();
    let readiness = Readiness::new();
    let admin = start_admin(config, &board, &readiness).await?;
    let stopped = async {
        if let Err(error) = (&mut stop).await {
            tracing::error!(%error, "watching for stop signals failed; stopping");
        }
    };
    let reload = super::signals::reload_signal()?;
    let served = serve_reloading(
        config,
        &connected,
        &board,
        &readiness,
        stopped,
        Some((reload, file.map(Path::to_path_buf))),
    )
    .await;
    admin.stop();
    served?;
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
    let token = config.admin.token.clone();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = admin_stopped.await;
        };
        if let Err(error) = serve_listener(listener, token, board, readiness, shutdown).await {
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
    serve_reloading(config, connected, board, readiness, stop, None).await
}

/// [`serve`], re-reading the configuration file whenever `reload` yields.
async fn serve_reloading(
    config: &Config,
    connected: &Connected,
    board: &StatusBoard,
    readiness: &Readiness,
    stop: impl std::future::Future<Output = ()>,
    reload: Option<(super::signals::ReloadSignal, Option<PathBuf>)>,
) -> anyhow::Result<()> {
    board.set_credential(CredentialSetting::from_config(&config.exchange));
    if !config.service.enabled {
        println!(
            "service.enabled = false: nothing is synced automatically (manual `exsync sync --once` still works)"
        );
        readiness.set_ready();
        stop.await;
        return Ok(());
    }
    let (settings_in, settings) = watch::channel(Arc::new(live_settings(config, &connected.rules)));
    let service = Service {
        business: &connected.business,
        state: &connected.state,
        connector: &connected.connector,
        board,
        readiness,
        holder: holder_name(config),
        lease_time: config.service.lease_time,
        max_passes: config.service.max_concurrent_passes as usize,
    };
    let reloading = async {
        let Some((mut signal, file)) = reload else {
            return std::future::pending::<()>().await;
        };
        while signal.recv().await.is_some() {
            reload_config(config, file.as_deref(), &settings_in);
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        () = run_service(service, settings, stop) => {}
        () = reloading => {}
    }
    Ok(())
}

/// The settings of `config` that apply to every pass.
fn live_settings(config: &Config, rules: &exsync_engine::Rules) -> LiveSettings {
    LiveSettings {
        rules: rules.clone(),
        sync: config.sync.clone(),
        start_mode: config.service.start_mode,
        timing: Timing::new(
            config.service.poll_interval,
            config.service.full_pass_interval,
        ),
    }
}

/// SIGHUP: reads the configuration file again; the sync settings and intervals apply from the
/// next pass on, everything else needs a restart (and says so).
fn reload_config(
    running: &Config,
    file: Option<&Path>,
    settings: &watch::Sender<Arc<LiveSettings>>,
) {
    let fresh = match Config::from_env_and_file(file) {
        Ok(fresh) => fresh,
        Err(errors) => {
            tracing::error!(
                "the configuration was not reloaded, it has errors (the running one stays): {errors}"
            );
            return;
        }
    };
    let rules = match rules_from_config(&fresh) {
        Ok(rules) => rules,
        Err(error) => {
            tracing::error!(
                "the configuration was not reloaded, its sync rules are invalid (the running one stays): {error}"
            );
            return;
        }
    };
    let needs_restart = [
        (
            running.database.url.expose_secret() != fresh.database.url.expose_secret(),
            "database.url",
        ),
        (
            running.database.state_url().expose_secret()
                != fresh.database.state_url().expose_secret(),
            "database.state_url",
        ),
        (
            format!("{:?}", running.exchange) != format!("{:?}", fresh.exchange),
            "[exchange]",
        ),
        (running.admin != fresh.admin, "[admin]"),
        (running.logging != fresh.logging, "[logging]"),
        (
            running.service.lease_time != fresh.service.lease_time,
            "service.lease_time",
        ),
        (
            running.service.max_concurrent_passes != fresh.service.max_concurrent_passes,
            "service.max_concurrent_passes",
        ),
    ];
    for (_, key) in needs_restart.iter().filter(|(changed, _)| *changed) {
        tracing::warn!("{key} changed in the configuration file; it takes effect after a restart");
    }
    settings.send_replace(Arc::new(live_settings(&fresh, &rules)));
    tracing::info!("configuration reloaded: sync rules and intervals apply from the next pass on");
}

/// A name for this process's leases: the instance name, the process id and the start time,
/// so that no two processes ever share one (even with the same `service.instance_name`).
fn holder_name(config: &Config) -> String {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{}-{}-{started:08x}",
        config.service.instance_name_or_host(),
        std::process::id()
    )
}
