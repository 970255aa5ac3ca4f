//! `exsync demo`: the guided demonstration on a fresh machine, with nothing configured.
//!
//! It writes a demo business database (SQLite, in `--dir` or a new temporary directory),
//! starts the built-in Exchange emulator with a mailbox per demo user, runs the service
//! (`run::serve`, the same loop as `exsync run`) and meanwhile shows the initial sync with a
//! progress bar per user, changes one appointment on each side and measures how long it takes
//! to arrive on the other, and ends with a summary table.
//!
//! Invariants: the demo's configuration is the embedded defaults with its own database (only
//! `[logging]` of the usual configuration applies, see `commands::run`); it writes no database
//! but its own file; the service is stopped (between passes) before the demo returns;
//! any step that does not complete within a minute ends the demo with an error naming it.
//! Every text comes from the message catalogue (`demo-*`), in the process's language.

mod calendar;
mod changes;
mod data;
mod progress;
mod script;
mod summary;

use std::path::{Path, PathBuf};
use std::pin::pin;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use exsync_business::BusinessDb;
use exsync_config::{Config, DatabaseUrl};
use exsync_i18n::{Lang, tr, tr_in};
use exsync_model::ItemKind;
use exsync_service::{Readiness, StatusBoard};

use super::Outcome;
use super::connect::Connected;
use super::run::{serve, start_admin};
use crate::cli::DemoArgs;
use data::DemoData;

/// The demo database's file name inside the demo directory.
const DATABASE_FILE: &str = "exsync-demo.db";

/// Runs `exsync demo`.
pub async fn run(args: &DemoArgs) -> anyhow::Result<Outcome> {
    // Installed first, so that Ctrl-C during the demo stops it cleanly when it keeps running.
    let stop_signal = if args.keep_running {
        Some(super::signals::stop_signal()?)
    } else {
        None
    };
    let dir = demo_dir(args.dir.as_deref())?;
    let database = dir.join(DATABASE_FILE);
    let config = demo_config(&database, args.keep_running)?;
    let data = DemoData::for_today(Utc::now().date_naive());

    println!("{}\n", tr!("demo-title"));
    let path = database.display().to_string();
    println!("{}", tr!("demo-step-database", path = path));
    write_demo_database(&config, &data).await?;
    print_demo_data(exsync_i18n::lang(), &data);

    println!("\n{}", tr!("demo-step-emulator"));
    let connected = Connected::open(&config, false).await?;
    let board = StatusBoard::new();
    let readiness = Readiness::new();
    let admin = start_admin(&config, &board, &readiness).await?;
    let admin_address = admin.address;

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut service = pin!(serve(&config, &connected, &board, &readiness, async {
        let _ = stopped.await;
    }));
    let script = async {
        script::demonstrate(&connected, &board, &data).await?;
        let dir = dir.display().to_string();
        println!("\n{}", tr!("demo-database-stays", dir = dir));
        println!(
            "  exsync business --database {} export-ics --user anna",
            config.database.url.expose_secret()
        );
        if args.keep_running {
            match admin_address {
                Some(address) => {
                    let url = format!("http://{address}/status");
                    println!("{}", tr!("demo-keeps-running-at", url = url));
                }
                None => println!("{}", tr!("demo-keeps-running")),
            }
            println!("{}", tr!("demo-stop-hint"));
            std::future::pending::<()>().await;
        }
        anyhow::Ok(())
    };
    // With --keep-running, Ctrl-C or SIGTERM ends the demo at any moment, cleanly.
    let interrupted = async {
        match stop_signal {
            Some(signal) => signal.await,
            None => std::future::pending().await,
        }
    };
    let outcome = tokio::select! {
        served = &mut service => {
            served?;
            anyhow::bail!(tr!("demo-error-service-stopped"))
        }
        scripted = script => scripted,
        signal = interrupted => signal,
    };
    let _ = stop.send(());
    service.await?;
    admin.stop();
    if args.keep_running {
        println!("{}", tr!("demo-stopped"));
    }
    outcome.map(|()| Outcome::Success)
}

/// `--dir`, or a new directory in the system's temporary directory.
fn demo_dir(dir: Option<&Path>) -> anyhow::Result<PathBuf> {
    let dir = match dir {
        Some(dir) => dir.to_path_buf(),
        None => std::env::temp_dir().join(format!(
            "exsync-demo-{}-{}",
            Utc::now().format("%Y%m%d-%H%M%S"),
            std::process::id()
        )),
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| tr!("demo-error-dir", dir = dir.display().to_string()))?;
    Ok(dir)
}

/// The embedded defaults with the demo's database, a one-second poll interval and the admin
/// endpoint on a free local port when the service keeps running (off otherwise).
fn demo_config(database: &Path, keep_running: bool) -> anyhow::Result<Config> {
    let mut config = Config::default();
    let url = format!("sqlite://{}", database.display());
    config.database.url = DatabaseUrl::parse(&url)
        .map_err(|problem| anyhow::anyhow!(tr!("demo-error-path", problem = problem)))?;
    config.service.poll_interval = Duration::from_secs(1);
    config.admin.listen = keep_running.then(|| std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    Ok(config)
}

/// Writes the demo data into a fresh database file (one of an earlier demo is replaced).
async fn write_demo_database(config: &Config, data: &DemoData) -> anyhow::Result<()> {
    let url = config.database.url.expose_secret();
    if let Some(file) = url.strip_prefix("sqlite://").map(Path::new) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = file.as_os_str().to_owned();
            name.push(suffix);
            match std::fs::remove_file(&name) {
                Ok(()) if suffix.is_empty() => println!("   {}", tr!("demo-replacing")),
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => {
                    let file = file.display().to_string();
                    return Err(error).with_context(|| tr!("demo-error-replace", file = file));
                }
            }
        }
    }
    let db = BusinessDb::connect(url)
        .await
        .with_context(|| tr!("demo-error-create-db"))?;
    let written = data.write_to(&db).await;
    db.close().await;
    written
}

/// `1 task`, `2 tasks` / `1 Aufgabe`, `2 Aufgaben`.
pub fn counted(lang: Lang, count: usize, kind: ItemKind) -> String {
    tr_in!(lang, "demo-count", kind = kind.as_str(), count = count)
}

fn print_demo_data(lang: Lang, data: &DemoData) {
    for user in &data.users {
        println!(
            "   {:<6} {:<12} {:<26} {}, {}",
            user.login,
            user.name,
            user.mailbox,
            counted(lang, user.appointments.len(), ItemKind::Appointment),
            counted(lang, user.tasks.len(), ItemKind::Task)
        );
    }
    let contacts = data.contacts.len();
    println!(
        "   {}",
        tr_in!(lang, "demo-data-contacts", count = contacts)
    );
    println!("   {}", tr_in!(lang, "demo-data-series"));
}
