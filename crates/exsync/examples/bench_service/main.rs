//! Benchmark of the service `exsync run` (issue: "1,000 mailboxes idle: CPU share and RSS;
//! propagation delay both directions at 100 changes/s spread over 1,000 mailboxes").
//!
//! Run: `cargo build --release -p exsync && cargo run --release -p exsync --example
//! bench_service -- [--mailboxes 1000] [--idle-secs 60] [--rate 50] [--changes-secs 60]
//! [--observe-ms 200] [--cancels 200] [--cancel-rate 10] [--postgres URL] [--keep yes]`.
//! `--rate` is changes per second in EACH direction; `--cancels` occurrences are cancelled in
//! Outlook at `--cancel-rate` per second after the propagation phase (0: no such phase).
//!
//! The emulator and `exsync run` are processes of their own (release binary next to this
//! example); the service runs with its default intervals. Phases: initial sync (until every
//! mailbox has synced and all items are written), idle (CPU, RSS of the service, requests the
//! emulator served), propagation (delays per direction), cancellations (delay of an
//! occurrence cancelled in Outlook). Nothing of the service is tuned.

mod cancellations;
mod observers;
mod probe;
mod propagation;
mod setup;
mod summary;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use exsync_graph::auth::{Credential, TokenProvider};
use exsync_graph::client::{GraphClient, GraphTokens};
use observers::SubjectReader;
use propagation::Ledger;

/// The initial sync counts as done once nothing more was written for this long.
const SETTLED: Duration = Duration::from_secs(10);

struct Args {
    mailboxes: usize,
    idle_secs: u64,
    rate: f64,
    changes_secs: u64,
    observe_ms: u64,
    cancels: usize,
    cancel_rate: f64,
    postgres: Option<String>,
    /// Keep the temporary folder (configuration, log, SQLite files) for a look afterwards.
    keep: bool,
}

fn args() -> Args {
    let mut args = Args {
        mailboxes: 1000,
        idle_secs: 60,
        rate: 50.0,
        changes_secs: 60,
        observe_ms: 200,
        cancels: 200,
        cancel_rate: 10.0,
        postgres: None,
        keep: false,
    };
    let raw: Vec<String> = std::env::args().skip(1).collect();
    for pair in raw.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or_default();
        match pair[0].as_str() {
            "--mailboxes" => args.mailboxes = value.parse().expect("--mailboxes N"),
            "--idle-secs" => args.idle_secs = value.parse().expect("--idle-secs SECONDS"),
            "--rate" => args.rate = value.parse().expect("--rate CHANGES_PER_SECOND"),
            "--changes-secs" => args.changes_secs = value.parse().expect("--changes-secs SECONDS"),
            "--observe-ms" => args.observe_ms = value.parse().expect("--observe-ms MS"),
            "--cancels" => args.cancels = value.parse().expect("--cancels N"),
            "--cancel-rate" => args.cancel_rate = value.parse().expect("--cancel-rate PER_SECOND"),
            "--postgres" => args.postgres = Some(value.to_owned()),
            "--keep" => args.keep = value == "yes",
            other => panic!("unknown argument {other}; see the header of bench_service/main.rs"),
        }
    }
    args
}

fn client_for(line: &serde_json::Value) -> Arc<GraphClient> {
    let text = |key: &str| line[key].as_str().expect(key).to_owned();
    let provider = TokenProvider::new(
        text("token_url"),
        text("client_id"),
        Credential::Secret(text("client_secret").into()),
    );
    Arc::new(GraphClient::new(
        text("graph_url"),
        Arc::new(GraphTokens::new(Arc::new(provider))),
    ))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = args();
    let dir = tempfile::tempdir().expect("tempdir");
    if args.keep {
        println!("keeping {}", dir.path().display());
    }
    let (url, schema) = match &args.postgres {
        Some(url) => (
            url.clone(),
            Some(format!("exsync_bench_{}", std::process::id())),
        ),
        None => (
            format!("sqlite://{}", dir.path().join("business.db").display()),
            None,
        ),
    };
    println!(
        "{} mailboxes, {} items each; business database {}",
        args.mailboxes,
        setup::ITEMS_PER_MAILBOX,
        if schema.is_some() {
            "PostgreSQL (fresh schema)"
        } else {
            "SQLite"
        }
    );
    let loading = Instant::now();
    let business = setup::load_business(&url, schema.as_deref(), args.mailboxes).await;
    println!(
        "business database loaded in {:.1} s",
        loading.elapsed().as_secs_f64()
    );
    let seed = setup::write_seed(dir.path(), args.mailboxes);
    let (emulator, line) = setup::start_emulator(&seed);
    let config = setup::write_config(dir.path(), &url, schema.as_deref(), &line);
    let emulator_base = probe::emulator_base(line["graph_url"].as_str().expect("graph_url"));
    let http = reqwest::Client::new();

    let started = Instant::now();
    let (service, admin) = setup::start_service(&config);
    let pid = service.child.id();
    let initial = wait_initial_sync(&http, &admin, args.mailboxes, started).await;
    let initial_secs = initial.as_secs_f64();
    let hwm_initial = probe::memory_mib(pid, "VmHWM:");
    let settled = probe::status(&http, &admin).await;
    println!(
        "initial sync done after {initial_secs:.1} s (last item written; then {} s without writes); peak RSS so far {hwm_initial:.0} MiB; written: {}",
        SETTLED.as_secs(),
        settled["items_written"]
    );

    // Idle.
    let before = probe::progress(&probe::status(&http, &admin).await);
    let (requests_before, operations_before) =
        probe::emulator_requests(&http, &emulator_base).await;
    let emulator_pid = emulator.child.id();
    let emulator_cpu_before = probe::cpu_seconds(emulator_pid);
    let (cpu_before, idle_start) = (probe::cpu_seconds(pid), Instant::now());
    let mut rss = Vec::new();
    while idle_start.elapsed() < Duration::from_secs(args.idle_secs) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss.push(probe::memory_mib(pid, "VmRSS:"));
    }
    let idle_secs = idle_start.elapsed().as_secs_f64();
    let cpu_share = (probe::cpu_seconds(pid) - cpu_before) / idle_secs * 100.0;
    let emulator_share =
        (probe::cpu_seconds(emulator_pid) - emulator_cpu_before) / idle_secs * 100.0;
    let (requests_after, operations_after) = probe::emulator_requests(&http, &emulator_base).await;
    let after = probe::progress(&probe::status(&http, &admin).await);
    let rss_max = rss.iter().copied().fold(0.0, f64::max);
    let rss_end = rss.last().copied().unwrap_or_default();
    println!(
        "idle {idle_secs:.0} s: CPU {cpu_share:.2} % of one core; RSS {rss_end:.0} MiB (max {rss_max:.0}); emulator served {:.1} requests/s (emulator CPU {emulator_share:.1} %); kind passes in the window: {} ok, {} failed; items written: {}",
        (requests_after - requests_before) as f64 / idle_secs,
        after.passes_ok - before.passes_ok,
        after.passes_failed - before.passes_failed,
        after.written - before.written
    );
    for (operation, count) in &operations_after {
        let delta = count
            - operations_before
                .get(operation)
                .copied()
                .unwrap_or_default();
        if delta > 0 {
            println!("  {operation}: {delta} ({:.1}/s)", delta as f64 / idle_secs);
        }
    }

    // Propagation.
    let client = client_for(&line);
    let ids = Arc::new(propagation::graph_ids(&client, args.mailboxes).await);
    let count = (args.rate * args.changes_secs as f64).round() as usize;
    let to_exchange: Ledger = Arc::default();
    let to_business: Ledger = Arc::default();
    let writing = Arc::new(AtomicBool::new(true));
    let deadline = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let done = |ledger: &Ledger| {
        let (ledger, writing, deadline) = (ledger.clone(), writing.clone(), deadline.clone());
        move || {
            let expired = deadline
                .lock()
                .expect("deadline")
                .is_some_and(|d| Instant::now() > d);
            expired || (!writing.load(Ordering::SeqCst) && observers::all_arrived(&ledger))
        }
    };
    let every = Duration::from_millis(args.observe_ms);
    let reader = SubjectReader::open(&url, schema.as_deref()).await;
    let cpu_before = probe::cpu_seconds(pid);
    let phase = Instant::now();
    let observers = tokio::spawn(futures_join(
        observers::observe_exchange(
            client.clone(),
            ids.clone(),
            to_exchange.clone(),
            every,
            done(&to_exchange),
        ),
        observers::observe_business(reader, to_business.clone(), every, done(&to_business)),
    ));
    tokio::join!(
        propagation::write_business(
            business.clone(),
            args.mailboxes,
            args.rate,
            count,
            to_exchange.clone()
        ),
        propagation::write_exchange(
            client.clone(),
            ids.clone(),
            args.mailboxes,
            args.rate,
            count,
            to_business.clone()
        ),
    );
    let writes_secs = phase.elapsed().as_secs_f64();
    writing.store(false, Ordering::SeqCst);
    *deadline.lock().expect("deadline") = Some(Instant::now() + Duration::from_secs(60));
    observers.await.expect("observers");
    let phase_secs = phase.elapsed().as_secs_f64();
    let cpu_changes = (probe::cpu_seconds(pid) - cpu_before) / phase_secs * 100.0;
    let status = probe::progress(&probe::status(&http, &admin).await);
    println!(
        "propagation: {count} changes each way written in {writes_secs:.1} s ({:.1}/s each way); service CPU {cpu_changes:.0} % of one core; RSS {:.0} MiB, peak {:.0} MiB; throttled answers so far {}; failed passes {}",
        count as f64 / writes_secs,
        probe::memory_mib(pid, "VmRSS:"),
        probe::memory_mib(pid, "VmHWM:"),
        status.throttles,
        status.passes_failed
    );
    println!(
        "| direction | changes | write ms (mean) | p50 s | p95 s | p99 s | max s | never arrived | write failed |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (name, ledger) in [
        ("business -> Exchange", &to_exchange),
        ("Exchange -> business", &to_business),
    ] {
        let changes = ledger.lock().expect("ledger");
        println!("{}", summary::summary_row(name, &changes));
        let missing = summary::missing(&changes, 10);
        if !missing.is_empty() {
            println!("  {name}, never arrived: {}", missing.join(", "));
        }
    }
    if args.cancels > 0 {
        cancellation_phase(&args, &client, &ids, &url, schema.as_deref()).await;
    }
    let stopping = Instant::now();
    setup::stop(&service);
    drop(service);
    println!(
        "exsync run stopped {:.1} s after SIGTERM",
        stopping.elapsed().as_secs_f64()
    );
    drop(emulator);
    if let Some(schema) = &schema {
        setup::drop_schema(&url, schema).await;
    }
    if args.keep {
        let _ = dir.keep();
    }
}

/// Cancels occurrences in Outlook and reports the delay until the business database has them.
async fn cancellation_phase(
    args: &Args,
    client: &Arc<GraphClient>,
    ids: &std::collections::BTreeMap<String, String>,
    url: &str,
    schema: Option<&str>,
) {
    let targets = Arc::new(cancellations::targets(client, ids, args.mailboxes, args.cancels).await);
    let ledger: Ledger = Arc::default();
    let writing = Arc::new(AtomicBool::new(true));
    let deadline = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let done = {
        let (ledger, writing, deadline) = (ledger.clone(), writing.clone(), deadline.clone());
        move || {
            let expired = deadline
                .lock()
                .expect("deadline")
                .is_some_and(|d| Instant::now() > d);
            expired || (!writing.load(Ordering::SeqCst) && observers::all_arrived(&ledger))
        }
    };
    let reader = SubjectReader::open(url, schema).await;
    let observer = tokio::spawn(cancellations::observe(
        reader,
        targets.clone(),
        ledger.clone(),
        Duration::from_millis(args.observe_ms),
        done,
    ));
    let phase = Instant::now();
    cancellations::cancel(
        client.clone(),
        targets.clone(),
        args.cancel_rate,
        ledger.clone(),
    )
    .await;
    let writes_secs = phase.elapsed().as_secs_f64();
    writing.store(false, Ordering::SeqCst);
    // Beyond the full-pass interval (300 s), so a change only a full pass finds still counts.
    *deadline.lock().expect("deadline") = Some(Instant::now() + Duration::from_secs(330));
    observer.await.expect("observer");
    println!(
        "cancellations: {} occurrences cancelled in Outlook in {writes_secs:.1} s ({:.1}/s)",
        targets.len(),
        targets.len() as f64 / writes_secs
    );
    println!(
        "| direction | changes | write ms (mean) | p50 s | p95 s | p99 s | max s | never arrived | write failed |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let changes = ledger.lock().expect("ledger");
    println!(
        "{}",
        summary::summary_row("Outlook cancellation -> business", &changes)
    );
    let missing = summary::missing(&changes, 10);
    if !missing.is_empty() {
        println!("  never arrived: {}", missing.join(", "));
    }
}

/// Runs both observers to their end.
async fn futures_join(
    a: impl std::future::Future<Output = ()>,
    b: impl std::future::Future<Output = ()>,
) {
    tokio::join!(a, b);
}

/// Waits until every mailbox has a successful pass, every item is written on the other side
/// and the count of items written has not moved for [`SETTLED`]; returns the time from
/// `started` to the last growth of that count.
async fn wait_initial_sync(
    http: &reqwest::Client,
    admin: &str,
    mailboxes: usize,
    started: Instant,
) -> Duration {
    let expected = (mailboxes * setup::ITEMS_PER_MAILBOX) as u64;
    let (mut last_report, mut last_written, mut last_growth) = (Instant::now(), 0, started);
    loop {
        let progress = probe::progress(&probe::status(http, admin).await);
        if progress.written != last_written {
            (last_written, last_growth) = (progress.written, Instant::now());
        }
        if progress.succeeded >= mailboxes
            && progress.written >= expected
            && last_growth.elapsed() >= SETTLED
        {
            return last_growth - started;
        }
        if last_report.elapsed() > Duration::from_secs(10) {
            last_report = Instant::now();
            println!(
                "  initial sync: {}/{mailboxes} mailboxes, {} items written (at least {expected} expected), {} failed passes ({:.0} s)",
                progress.succeeded,
                progress.written,
                progress.passes_failed,
                started.elapsed().as_secs_f64()
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(1800),
            "no initial sync after 30 minutes"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
