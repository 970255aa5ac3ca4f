//! Benchmark of the Graph sync (issue 4): the initial export of M mailboxes x N appointments
//! (a share of them weekly series with a moved and a cancelled occurrence) into an emulator
//! running as a process of its own, then an incremental pass with 100 changes, then a minimal
//! raw `$batch` writer doing the same initial writes against a fresh emulator, for the ratio.
//!
//! Run: `cargo build --release -p exsync && cargo run --release -p exsync-runtime --example
//! bench_export -- [--mailboxes 20] [--items 5000] [--recurring 0.2] [--concurrency 8]`.
//! Reports items/s, HTTP requests per item, 429s, peak RSS of this process during the pass
//! (the emulator's memory is not in it), and the raw writers' times (`raw.rs`: exsync's client
//! lanes, one and four plain batches in flight per mailbox) side by side. With
//! `--latency-profile MEDIAN_MS,P99_MS [--seed N]` every inner request waits a log-normal
//! latency and the floor (N x median / 4 and N x mean / 4 per mailbox) is printed;
//! `--incremental no` skips the passes after the export.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use chrono::{NaiveDate, NaiveDateTime, Utc, Weekday};
use exsync_business::{BusinessDb, NewUser, Origin};
use exsync_graph::auth::{Credential, TokenProvider};
use exsync_graph::client::{GraphClient, GraphTokens};
use exsync_model::{
    Appointment, BusinessId, OccurrenceOverride, Pattern, Range, Recurrence, Series, TimeZoneName,
    WeekdaySet, When, ZonedDateTime,
};
use exsync_runtime::graph::GraphConnector;
use exsync_runtime::{OnceOptions, rules_from_config, sync_once};
use exsync_store::StateStore;
use futures_util::stream::{self, StreamExt};
use serde_json::{Value, json};

mod raw;
use raw::{Sender, raw_writer};

struct Args {
    mailboxes: usize,
    items: usize,
    recurring: f64,
    concurrency: usize,
    /// The emulator's latency profile (median and p99 in ms), if any.
    profile: Option<(u64, u64)>,
    /// Seed of the latency profile.
    seed: u64,
    /// Run the incremental passes after the export.
    incremental: bool,
    /// Child mode: fill this business database, then exit.
    load_into: Option<String>,
}

fn args() -> Args {
    let mut args = Args {
        mailboxes: 20,
        items: 5000,
        recurring: 0.2,
        concurrency: 4,
        profile: None,
        seed: 1,
        incremental: true,
        load_into: None,
    };
    let raw: Vec<String> = std::env::args().skip(1).collect();
    for pair in raw.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or_default();
        match pair[0].as_str() {
            "--mailboxes" => args.mailboxes = value.parse().expect("--mailboxes N"),
            "--items" => args.items = value.parse().expect("--items N"),
            "--recurring" => args.recurring = value.parse().expect("--recurring SHARE"),
            "--concurrency" => args.concurrency = value.parse().expect("--concurrency N"),
            "--latency-profile" => {
                let (median, p99) = value
                    .split_once(',')
                    .expect("--latency-profile MEDIAN_MS,P99_MS");
                args.profile = Some((median.parse().expect("ms"), p99.parse().expect("ms")));
            }
            "--seed" => args.seed = value.parse().expect("--seed N"),
            "--incremental" => args.incremental = value == "yes",
            "--load-into" => args.load_into = Some(value.to_owned()),
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

/// The emulator as a child process, and what its JSON line says.
struct EmulatorProcess {
    child: Child,
    line: Value,
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn exsync_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    let dir = exe
        .parent()
        .and_then(|p| p.parent())
        .expect("target/release");
    let binary = dir.join("exsync");
    assert!(
        binary.exists(),
        "build it first: cargo build --release -p exsync"
    );
    binary
}

fn start_emulator(seed: &std::path::Path) -> EmulatorProcess {
    let mut child = Command::new(exsync_binary())
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed"])
        .arg(seed)
        .stdout(Stdio::piped())
        .spawn()
        .expect("emulator starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("JSON line");
    EmulatorProcess {
        child,
        line: serde_json::from_str(&line).expect("JSON"),
    }
}

/// Sets the emulator's latency profile over its control API.
async fn set_profile(emulator: &EmulatorProcess, args: &Args) {
    let Some((median, p99)) = args.profile else {
        return;
    };
    let graph = emulator.line["graph_url"].as_str().expect("graph_url");
    let base = graph.trim_end_matches("/v1.0");
    let answer = reqwest::Client::new()
        .put(format!("{base}/_emulator/latency-profile"))
        .json(&json!({"median_ms": median, "p99_ms": p99, "seed": args.seed}))
        .send()
        .await
        .expect("control API");
    assert!(answer.status().is_success(), "latency profile refused");
}

/// The mean of a log-normal with this median and p99.
fn mean_of(median: f64, p99: f64) -> f64 {
    let sigma = (p99 / median).ln() / 2.326_347_874;
    median * (sigma * sigma / 2.0).exp()
}

fn seed_file(dir: &std::path::Path, mailboxes: usize) -> PathBuf {
    let boxes: Vec<Value> = (0..mailboxes)
        .map(|i| json!({"user_principal_name": format!("user{i:02}@bench.example"), "display_name": format!("User {i}")}))
        .collect();
    let seed = json!({"tenants": [{
        "domain": "bench.example",
        "ews_account": {"username": "svc@bench.example", "password": "bench-password-not-secret"},
        "apps": [{"name": "exsync", "secrets": [{"value": "bench-secret-not-secret", "expires": "2099-12-31T00:00:00Z"}],
                  "permissions": ["Calendars.ReadWrite", "Tasks.ReadWrite.All", "Contacts.ReadWrite"]}],
        "mailboxes": boxes,
    }]});
    let path = dir.join("seed.json");
    std::fs::write(&path, seed.to_string()).expect("seed written");
    path
}

fn berlin(local: NaiveDateTime) -> ZonedDateTime {
    ZonedDateTime::new(local, TimeZoneName::new("Europe/Berlin").expect("zone"))
}

/// Item `n` of a mailbox: every `1/recurring`-th a weekly series of 10 with a moved and a
/// cancelled occurrence, else a single appointment; spread over the next months.
fn appointment(n: usize, recurring: f64) -> Appointment {
    let day = NaiveDate::from_ymd_opt(2027, 1, 4).expect("date")
        + chrono::Duration::days((n % 300) as i64);
    let start = day.and_hms_opt(8 + (n % 9) as u32, 0, 0).expect("time");
    let mut item = Appointment::timed(
        format!("Appointment {n}"),
        berlin(start),
        berlin(start + chrono::Duration::minutes(45)),
    );
    item.location = format!("Room {}", n % 17);
    let every = (1.0 / recurring.max(0.000_1)).round() as usize;
    if n.is_multiple_of(every.max(1)) {
        let mut series = Series::new(Recurrence {
            pattern: Pattern::Weekly {
                interval: 1,
                days: WeekdaySet::single(day.weekday_of()),
                first_day_of_week: Weekday::Mon,
            },
            range: Range::Numbered { count: 10 },
            time_zone: None,
        });
        let moved = start + chrono::Duration::weeks(2);
        series.modified = BTreeMap::from([(
            moved,
            OccurrenceOverride {
                when: Some(When::Timed {
                    start: berlin(moved + chrono::Duration::hours(1)),
                    end: berlin(moved + chrono::Duration::minutes(105)),
                }),
                ..OccurrenceOverride::default()
            },
        )]);
        series.cancelled.insert(start + chrono::Duration::weeks(5));
        item.series = Some(series);
    }
    item
}

trait WeekdayOf {
    fn weekday_of(&self) -> Weekday;
}

impl WeekdayOf for NaiveDate {
    fn weekday_of(&self) -> Weekday {
        chrono::Datelike::weekday(self)
    }
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn reset_peak_rss() {
    // Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn client_for(line: &Value) -> Arc<GraphClient> {
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
    if let Some(url) = &args.load_into {
        load(url, &args).await;
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let seed = seed_file(dir.path(), args.mailboxes);
    let total = args.mailboxes * args.items;
    println!(
        "{} mailboxes x {} appointments ({} % weekly series with a moved and a cancelled occurrence), concurrency {}",
        args.mailboxes,
        args.items,
        args.recurring * 100.0,
        args.concurrency
    );

    // The business database is filled by a child process, so that this process's memory
    // figures hold the sync alone.
    let business_url = format!("sqlite://{}", dir.path().join("business.db").display());
    let loading = Instant::now();
    let loaded = Command::new(std::env::current_exe().expect("own path"))
        .args([
            "--load-into",
            &business_url,
            "--mailboxes",
            &args.mailboxes.to_string(),
            "--items",
            &args.items.to_string(),
            "--recurring",
            &args.recurring.to_string(),
        ])
        .status()
        .expect("the loader runs");
    assert!(loaded.success(), "loading the business database failed");
    println!(
        "business database loaded in {:.1} s (by a child process)",
        loading.elapsed().as_secs_f64()
    );
    let business = BusinessDb::connect(&business_url)
        .await
        .expect("business db");
    let mailboxes: Vec<(String, String)> = (0..args.mailboxes)
        .map(|m| {
            let login = format!("user{m:02}");
            let mailbox = format!("{login}@bench.example");
            (login, mailbox)
        })
        .collect();
    println!("RSS before the export: {:.0} MiB", peak_rss_mib());

    // exsync: the initial export.
    let emulator = start_emulator(&seed);
    set_profile(&emulator, &args).await;
    let client = client_for(&emulator.line);
    let connector = GraphConnector::new(
        client.clone(),
        TimeZoneName::new("Europe/Berlin").expect("zone"),
        None,
        "Company addresses",
    );
    let state = StateStore::connect(&format!(
        "sqlite://{}",
        dir.path().join("state.db").display()
    ))
    .await
    .expect("state");
    let config = exsync_config::Config::default();
    let rules = rules_from_config(&config).expect("rules");
    let options = OnceOptions {
        concurrent_mailboxes: args.concurrency,
        ..OnceOptions::default()
    };
    reset_peak_rss();
    let started = Instant::now();
    let outcome = sync_once(
        &business,
        &state,
        &rules,
        &config.sync,
        &connector,
        &options,
        Utc::now(),
    )
    .await
    .expect("the run");
    let elapsed = started.elapsed();
    let peak = peak_rss_mib();
    let counts = client.counts();
    let created: usize = outcome.reports.iter().map(|r| r.exchange.created).sum();
    assert!(
        !outcome.failed(),
        "the export failed: {:?}",
        outcome.reports.iter().find(|r| r.failed())
    );
    assert_eq!(created, total);
    println!(
        "exsync initial export: {created} appointments in {:.1} s = {:.0} items/s; {} HTTP requests ({:.4} per item; {} requests inside $batch); {} throttled (429); peak RSS {:.0} MiB",
        elapsed.as_secs_f64(),
        created as f64 / elapsed.as_secs_f64(),
        counts.http_requests,
        counts.http_requests as f64 / created as f64,
        counts.batched_requests,
        counts.throttled,
        peak
    );

    if args.incremental {
        incremental_passes(
            &business, &state, &connector, &client, &mailboxes, &args, total,
        )
        .await;
    }
    drop(emulator);
    let exsync_inner_per_mailbox = counts.batched_requests as f64 / args.mailboxes as f64;
    let exsync_throttled = counts.throttled;

    // The raw $batch writers: the same creates and occurrence writes, same mailbox concurrency.
    let mut rows = Vec::new();
    for (name, in_flight) in [
        ("raw writer, exsync's client lanes", 0),
        ("raw writer, 1 plain batch in flight per mailbox", 1),
        ("raw writer, 4 plain batches in flight per mailbox", 4),
    ] {
        let emulator = start_emulator(&seed);
        set_profile(&emulator, &args).await;
        let client = client_for(&emulator.line);
        let zone = TimeZoneName::new("Europe/Berlin").expect("zone");
        let throttled = std::sync::atomic::AtomicU64::new(0);
        let sender = match in_flight {
            0 => Sender::Lanes,
            n => Sender::Plain {
                in_flight: n,
                throttled: &throttled,
            },
        };
        let started = Instant::now();
        let written: Vec<usize> = stream::iter(mailboxes.iter())
            .map(|(login, mailbox)| {
                raw_writer(
                    &client,
                    sender,
                    login,
                    mailbox,
                    args.items,
                    args.recurring,
                    &zone,
                )
            })
            .buffer_unordered(args.concurrency)
            .collect()
            .await;
        let raw = started.elapsed();
        let raw_counts = client.counts();
        let inner_429 = throttled.load(std::sync::atomic::Ordering::Relaxed) + raw_counts.throttled;
        println!(
            "{name}: {} appointments in {:.1} s = {:.0} items/s; {} HTTP requests ({:.4} per item); {inner_429} answers 429",
            written.iter().sum::<usize>(),
            raw.as_secs_f64(),
            total as f64 / raw.as_secs_f64(),
            raw_counts.http_requests,
            raw_counts.http_requests as f64 / total as f64
        );
        rows.push((name, raw, inner_429));
        drop(emulator);
    }
    println!("| writer | time | items/s | 429 answers | exsync / writer |");
    println!("|---|---|---|---|---|");
    println!(
        "| exsync initial export | {:.1} s | {:.0} | {exsync_throttled} | 1.00 |",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    for (name, time, throttled) in &rows {
        println!(
            "| {name} | {:.1} s | {:.0} | {throttled} | {:.2} |",
            time.as_secs_f64(),
            total as f64 / time.as_secs_f64(),
            elapsed.as_secs_f64() / time.as_secs_f64()
        );
    }
    if let Some((median, p99)) = args.profile {
        let (median, p99) = (median as f64 / 1000.0, p99 as f64 / 1000.0);
        let mean = mean_of(median, p99);
        // The workload's own inner requests per mailbox: creates, instance reads, occurrence
        // writes (two per series).
        let series = (0..args.items)
            .filter(|n| appointment(*n, args.recurring).series.is_some())
            .count();
        let needed = (args.items + 3 * series) as f64;
        let floor_median = needed * median / 4.0;
        let floor_mean = needed * mean / 4.0;
        let floor_exsync = exsync_inner_per_mailbox * mean / 4.0;
        println!(
            "floor per mailbox (mailboxes run side by side): {needed:.0} inner requests x median {:.0} ms / 4 = {floor_median:.1} s; x mean {:.1} ms / 4 = {floor_mean:.1} s (exsync's own {exsync_inner_per_mailbox:.0} inner requests: {floor_exsync:.1} s); budget pacing: {}",
            median * 1000.0,
            mean * 1000.0,
            if needed > 10_000.0 {
                "needed"
            } else {
                "none (under 10,000 per mailbox)"
            }
        );
        println!(
            "exsync / floor: {:.2} (median floor), {:.2} (mean floor), {:.2} (mean floor of exsync's own requests)",
            elapsed.as_secs_f64() / floor_median,
            elapsed.as_secs_f64() / floor_mean,
            elapsed.as_secs_f64() / floor_exsync
        );
    }
}

/// The second (incremental) pass reading the export back, then 100 business changes and an
/// incremental pass.
async fn incremental_passes(
    business: &BusinessDb,
    state: &StateStore,
    connector: &GraphConnector,
    client: &GraphClient,
    mailboxes: &[(String, String)],
    args: &Args,
    total: usize,
) {
    let config = exsync_config::Config::default();
    let rules = rules_from_config(&config).expect("rules");
    let options = OnceOptions {
        concurrent_mailboxes: args.concurrency,
        ..OnceOptions::default()
    };
    // Incremental: 100 changes among the linked items.
    // The pass after the export reads the export back through the delta feed. It is an
    // incremental pass: a full one (every series re-read) would now run into the mailboxes'
    // request budget (10,000 per 10 minutes, nearly used up by the export) and be paced.
    let incremental_connector = connector.clone().full_pass(false);
    let second_before = client.counts();
    let settle = Instant::now();
    let settled = sync_once(
        business,
        state,
        &rules,
        &config.sync,
        &incremental_connector,
        &options,
        Utc::now(),
    )
    .await
    .expect("the run");
    let settle_writes: usize = settled
        .reports
        .iter()
        .map(|r| r.exchange.created + r.exchange.updated + r.exchange.deleted)
        .sum();
    let settle_requests = client.counts().http_requests - second_before.http_requests;
    println!(
        "second pass (incremental: reads the export back), nothing changed: {:.1} s, {settle_requests} HTTP requests, {settle_writes} writes",
        settle.elapsed().as_secs_f64()
    );
    for change in 0..100 {
        let (login, _) = &mailboxes[change % mailboxes.len()];
        let n = (change / mailboxes.len()) * 7 + 1;
        let id = BusinessId::from(format!("{login}-{n}"));
        let mut item = appointment(n, args.recurring);
        item.subject = format!("Appointment {n} (changed)");
        business
            .upsert_appointment(login, &id, &item, Origin::Business)
            .await
            .expect("changed");
    }
    let before = client.counts();
    let incremental = Instant::now();
    let outcome = sync_once(
        business,
        state,
        &rules,
        &config.sync,
        &incremental_connector,
        &options,
        Utc::now(),
    )
    .await
    .expect("the run");
    for report in outcome.reports.iter().filter(|r| r.failed()) {
        println!("FAILED: {report}");
    }
    let updated: usize = outcome.reports.iter().map(|r| r.exchange.updated).sum();
    let other: usize = outcome
        .reports
        .iter()
        .map(|r| {
            r.exchange.created
                + r.exchange.deleted
                + r.business.created
                + r.business.updated
                + r.business.deleted
        })
        .sum();
    let after = client.counts();
    println!(
        "incremental pass: 100 changes among {total} linked items: {updated} updated, {other} other writes, in {:.1} s; {} HTTP requests ({} inside $batch)",
        incremental.elapsed().as_secs_f64(),
        after.http_requests - before.http_requests,
        after.batched_requests - before.batched_requests
    );
}

/// Child mode: the users and their appointments.
async fn load(url: &str, args: &Args) {
    let business = BusinessDb::connect(url).await.expect("business db");
    business.init_schema().await.expect("schema");
    for m in 0..args.mailboxes {
        let login = format!("user{m:02}");
        business
            .add_user(&NewUser {
                login: login.clone(),
                display_name: login.clone(),
                mailbox: Some(format!("{login}@bench.example")),
                enabled: true,
            })
            .await
            .expect("user");
        for n in 0..args.items {
            let id = BusinessId::from(format!("{login}-{n}"));
            business
                .upsert_appointment(
                    &login,
                    &id,
                    &appointment(n, args.recurring),
                    Origin::Business,
                )
                .await
                .expect("appointment");
        }
    }
    business.close().await;
}
