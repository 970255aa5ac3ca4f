//! `exsync run`: the service. Until Ctrl-C or SIGTERM it keeps every enabled user's mailbox
//! in sync near real time (see `exsync_service::daemon`): business changes are noticed from the
//! change journal, Exchange changes by a cheap probe every `service.poll_interval`, and a full
//! pass per mailbox every `service.full_pass_interval` heals anything missed. Users switched on
//! or off take effect within seconds; SIGHUP re-reads the configuration file (see
//! [`super::reload`]). The admin endpoint (`admin.listen`) serves health, readiness, metrics
//! and the status per mailbox. The configuration's warnings are logged at start, and a
//! credential about to expire (or expired) is warned about again every day.
//!
//! Invariant: on a stop signal, passes in flight get a few seconds to finish and commit, the
//! mailbox leases are given back, and the process exits within 10 s.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use exsync_config::Config;
use exsync_service::daemon::{LiveSettings, Service, Timing, run_service};
use exsync_service::{CredentialSetting, Readiness, StatusBoard, serve_listener};
use tokio::sync::watch;

use super::Outcome;
use super::connect::Connected;

/// Runs `exsync run` with `config`, loaded from `file` (re-read on SIGHUP).
pub async fn run(config: &Config, file: Option<&Path>) -> anyhow::Result<Outcome> {
    let mut stop = Box::pin(super::signals::stop_signal()?);
    let today = chrono::Local::now().date_naive();
    for warning in config.warnings(today) {
        tracing::warn!("{warning}");
    }
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
        addressing: config.exchange.mailbox_addressing,
    };
    let (current_in, current) = watch::channel(Arc::new(config.clone()));
    let reloading = async {
        let Some((mut signal, file)) = reload else {
            return std::future::pending::<()>().await;
        };
        while signal.recv().await.is_some() {
            let tokens = connected.tokens.as_ref();
            if let Some(fresh) =
                super::reload::reload_config(config, file.as_deref(), &settings_in, tokens)
            {
                board.set_credential(CredentialSetting::from_config(&fresh.exchange));
                current_in.send_replace(Arc::new(fresh));
            }
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        () = run_service(service, settings, stop) => {}
        () = reloading => {}
        () = expiry_reminders(current) => {}
    }
    Ok(())
}

/// How often a credential about to expire is warned about while the service runs.
const EXPIRY_REMINDER_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);

/// Repeats the credential-expiry warning once a day (the start-up warning being the first),
/// judged on the configuration in effect (`current`, replaced on SIGHUP). Never ends.
async fn expiry_reminders(current: watch::Receiver<Arc<Config>>) {
    loop {
        tokio::time::sleep(EXPIRY_REMINDER_INTERVAL).await;
        let today = chrono::Local::now().date_naive();
        let warning = current.borrow().secret_expiry_warning(today);
        if let Some(warning) = warning {
            tracing::warn!("{warning}");
        }
    }
}

/// The settings of `config` that apply to every pass.
pub(super) fn live_settings(config: &Config, rules: &exsync_engine::Rules) -> LiveSettings {
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
