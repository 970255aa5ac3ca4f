//! Throughput and memory benchmark of the emulator, so that it is never what limits exsync's
//! own benchmarks. Starts the emulator in-process on 127.0.0.1, loads `--mailboxes` x
//! `--events` calendar items straight into its store, reports RSS (`VmRSS`/`VmHWM` from
//! `/proc/self/status`), then drives it over loopback with a keep-alive `reqwest` client and
//! `--connections` concurrent request loops:
//!
//! - `GET /v1.0/users/{id}/events/{id}` (requests/s);
//! - `POST /v1.0/$batch` with 20 GETs, and with 20 POSTs (batches/s and inner requests/s).
//!
//! Invariants: every answer is checked (status 200/201, every inner status of a batch), and a
//! run with any failed or throttled request is reported as such, never silently counted;
//! consecutive requests of one loop go to different mailboxes (round-robin over all of them),
//! so no mailbox comes near Graph's 4 concurrent requests; the per-mailbox request budget is
//! also raised (`set_request_budget`) so that runs with few mailboxes are not throttled.
//!
//! ```sh
//! cargo run --release -p exsync-emulator --example bench_emulator -- \
//!     --mailboxes 1000 --events 1000 --connections 8 --seconds 5 --runs 3
//! ```

use std::error::Error;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use exsync_emulator::store::{Created, NewEvent};
use exsync_emulator::{Emulator, EmulatorHandle, Mailbox, Organisation};
use exsync_model::{Appointment, Body, TimeZoneName, ZonedDateTime};
use serde_json::{Value, json};

type BoxError = Box<dyn Error + Send + Sync>;

/// Requests per `$batch`, Graph's maximum.
const BATCH_SIZE: usize = 20;
/// Event ids per mailbox the GET loops pick from.
const SAMPLED_IDS: usize = 32;
/// Budget per mailbox and 10 minutes while benchmarking (default 10,000).
const RAISED_BUDGET: usize = 100_000_000;

#[derive(Debug, Clone)]
struct Args {
    mailboxes: usize,
    events: usize,
    connections: usize,
    seconds: u64,
    runs: usize,
}

fn parse_args() -> Result<Args, BoxError> {
    let mut args = Args {
        mailboxes: 1000,
        events: 1000,
        connections: 8,
        seconds: 5,
        runs: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?
            .parse::<usize>()
            .map_err(|_| format!("{flag} needs a whole number"))?;
        match flag.as_str() {
            "--mailboxes" => args.mailboxes = value.max(1),
            "--events" => args.events = value.max(1),
            "--connections" => args.connections = value.max(1),
            "--seconds" => args.seconds = value.max(1) as u64,
            "--runs" => args.runs = value.max(1),
            other => {
                return Err(format!(
                    "unknown option {other}; use --mailboxes, --events, --connections, --seconds, --runs"
                )
                .into());
            }
        }
    }
    Ok(args)
}

/// `VmRSS` and `VmHWM` of this process, in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

/// The sample organisation with `count` generated mailboxes instead of its three.
fn organisation(count: usize) -> Organisation {
    let mut org = Organisation::sample();
    if let Some(tenant) = org.tenants.first_mut() {
        tenant.mailboxes = (0..count)
            .map(|i| {
                Mailbox::new(
                    &format!("user{i:05}@contoso.example"),
                    &format!("User {i:05}"),
                )
            })
            .collect();
    }
    org
}

/// A realistic single appointment: Berlin time, subject, location, a short body, a category
/// and a reminder.
fn appointment(n: usize, zone: &TimeZoneName) -> Result<Appointment, BoxError> {
    let day = NaiveDate::from_ymd_opt(2026, 1, 5)
        .and_then(|d| d.checked_add_days(chrono::Days::new((n / 8) as u64)))
        .ok_or("date out of range")?;
    let start = day
        .and_hms_opt(8 + (n % 8) as u32, 0, 0)
        .ok_or("bad time")?;
    let end = start + chrono::Duration::minutes(45);
    let mut appointment = Appointment::timed(
        format!("Kundentermin {n}"),
        ZonedDateTime::new(start, zone.clone()),
        ZonedDateTime::new(end, zone.clone()),
    );
    appointment.location = format!("Besprechungsraum {}", n % 20);
    appointment.body = Body::text(format!(
        "Agenda: Angebot {n} besprechen, Liefertermine abstimmen, offene Punkte klären."
    ));
    appointment.categories = vec!["Kunde".to_owned()];
    appointment.reminder_minutes = Some(15);
    Ok(appointment)
}

/// Creates `per_mailbox` items in every mailbox through the store (one lock per mailbox);
/// returns up to [`SAMPLED_IDS`] item ids per mailbox, in mailbox order.
fn load(emu: &EmulatorHandle, per_mailbox: usize) -> Result<Vec<(String, Vec<String>)>, BoxError> {
    let zone = TimeZoneName::new("Europe/Berlin")?;
    let now = Utc::now();
    let mut sampled = Vec::new();
    for mailbox in emu.mailboxes() {
        let mut state = emu.store().lock();
        let data = state.mailboxes.entry(mailbox.id.clone()).or_default();
        let mut ids = Vec::with_capacity(SAMPLED_IDS);
        for n in 0..per_mailbox {
            let new = NewEvent {
                appointment: appointment(n, &zone)?,
                start_zone: zone.clone(),
                end_zone: zone.clone(),
                transaction: None,
            };
            if let Created::New(event) = data.create(new, now)
                && ids.len() < SAMPLED_IDS
            {
                ids.push(event.id);
            }
        }
        sampled.push((mailbox.id, ids));
    }
    Ok(sampled)
}

async fn token(http: &reqwest::Client, emu: &EmulatorHandle) -> Result<String, BoxError> {
    let (client_id, secret) = (emu.client_id(), emu.client_secret());
    let body: Value = http
        .post(emu.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id.as_str()),
            ("client_secret", secret.as_str()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(body["access_token"]
        .as_str()
        .ok_or("no access_token in the token response")?
        .to_owned())
}

/// What a scenario sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// `GET /users/{id}/events/{id}`.
    Get,
    /// `$batch` of 20 such GETs to one mailbox.
    BatchGet,
    /// `$batch` of 20 event creations in one mailbox.
    BatchPost,
}

impl Scenario {
    fn label(self) -> &'static str {
        match self {
            Scenario::Get => "GET event",
            Scenario::BatchGet => "$batch 20 GETs",
            Scenario::BatchPost => "$batch 20 POSTs",
        }
    }

    fn inner_requests(self) -> usize {
        match self {
            Scenario::Get => 1,
            Scenario::BatchGet | Scenario::BatchPost => BATCH_SIZE,
        }
    }
}

/// Everything a request loop needs; shared read-only.
struct Target {
    http: reqwest::Client,
    graph_url: String,
    bearer: String,
    mailboxes: Vec<(String, Vec<String>)>,
}

/// Counts of one loop.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    ok: u64,
    throttled: u64,
    failed: u64,
}

fn batch_body(target: &Target, scenario: Scenario, mailbox: usize, k: usize) -> Value {
    let (user, ids) = &target.mailboxes[mailbox];
    let requests: Vec<Value> = (0..BATCH_SIZE)
        .map(|i| match scenario {
            Scenario::BatchPost => json!({
                "id": (i + 1).to_string(), "method": "POST", "url": format!("/users/{user}/events"),
                "headers": {"Content-Type": "application/json"},
                "body": {
                    "subject": format!("Batch {k}/{i}"),
                    "start": {"dateTime": "2026-07-15T09:00:00", "timeZone": "Europe/Berlin"},
                    "end": {"dateTime": "2026-07-15T10:00:00", "timeZone": "Europe/Berlin"},
                },
            }),
            _ => json!({
                "id": (i + 1).to_string(), "method": "GET",
                "url": format!("/users/{user}/events/{}", ids[(k + i) % ids.len()]),
            }),
        })
        .collect();
    json!({ "requests": requests })
}

/// One request (or batch); classifies the answer.
async fn once(target: &Target, scenario: Scenario, mailbox: usize, k: usize) -> Tally {
    let mut tally = Tally::default();
    let sent = match scenario {
        Scenario::Get => {
            let (user, ids) = &target.mailboxes[mailbox];
            let id = &ids[k % ids.len()];
            target
                .http
                .get(format!("{}/users/{user}/events/{id}", target.graph_url))
                .header("authorization", &target.bearer)
                .send()
                .await
        }
        Scenario::BatchGet | Scenario::BatchPost => {
            target
                .http
                .post(format!("{}/$batch", target.graph_url))
                .header("authorization", &target.bearer)
                .json(&batch_body(target, scenario, mailbox, k))
                .send()
                .await
        }
    };
    let Ok(response) = sent else {
        tally.failed += 1;
        return tally;
    };
    let status = response.status().as_u16();
    let Ok(text) = response.text().await else {
        tally.failed += 1;
        return tally;
    };
    let expected_inner = match scenario {
        Scenario::Get => None,
        Scenario::BatchGet => Some("\"status\":200"),
        Scenario::BatchPost => Some("\"status\":201"),
    };
    let good =
        status == 200 && expected_inner.is_none_or(|s| text.matches(s).count() == BATCH_SIZE);
    if good {
        tally.ok += 1;
    } else if status == 429 || text.contains("\"status\":429") {
        tally.throttled += 1;
    } else {
        tally.failed += 1;
    }
    tally
}

/// Runs `connections` loops for `seconds`; returns the elapsed time and the summed tally.
async fn drive(
    target: &Arc<Target>,
    scenario: Scenario,
    connections: usize,
    seconds: f64,
) -> Result<(Duration, Tally), BoxError> {
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let mut loops = Vec::with_capacity(connections);
    for c in 0..connections {
        let target = Arc::clone(target);
        loops.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let count = target.mailboxes.len();
            let mut k = 0usize;
            while Instant::now() < deadline {
                // Loop c visits mailboxes c, c + C, c + 2C, ...: spread, never stacked.
                let mailbox = (c + k * connections) % count;
                let t = once(&target, scenario, mailbox, k).await;
                tally.ok += t.ok;
                tally.throttled += t.throttled;
                tally.failed += t.failed;
                k += 1;
            }
            tally
        }));
    }
    let mut total = Tally::default();
    for handle in loops {
        let t = handle.await?;
        total.ok += t.ok;
        total.throttled += t.throttled;
        total.failed += t.failed;
    }
    Ok((start.elapsed(), total))
}

fn report(scenario: Scenario, run: usize, elapsed: Duration, tally: Tally) {
    let secs = elapsed.as_secs_f64();
    let per_second = tally.ok as f64 / secs;
    let inner = per_second * scenario.inner_requests() as f64;
    let unit = if scenario == Scenario::Get {
        format!("{per_second:>8.0} req/s")
    } else {
        format!("{per_second:>8.0} batches/s = {inner:>6.0} inner req/s")
    };
    println!(
        "{:<16} run {run}: {unit}  ({} ok, {} throttled, {} failed, {secs:.1} s)",
        scenario.label(),
        tally.ok,
        tally.throttled,
        tally.failed
    );
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = parse_args()?;
    println!(
        "emulator benchmark: {} mailboxes x {} events, {} connections, {} s per run, {} runs, {} worker threads",
        args.mailboxes,
        args.events,
        args.connections,
        args.seconds,
        args.runs,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let (rss_start, _) = memory_kib();
    let addr: SocketAddr = "127.0.0.1:0".parse()?;
    let emu = Emulator::start_with(addr, organisation(args.mailboxes)).await?;
    emu.set_request_budget(RAISED_BUDGET);

    let loading = Instant::now();
    let sampled = load(&emu, args.events)?;
    let took = loading.elapsed().as_secs_f64();
    let total = args.mailboxes * args.events;
    let (rss, hwm) = memory_kib();
    println!(
        "load: {total} events in {took:.1} s ({:.0} events/s)",
        total as f64 / took
    );
    println!(
        "stored item: {} bytes inline (StoredEvent), {} of them the Appointment",
        std::mem::size_of::<exsync_emulator::store::StoredEvent>(),
        std::mem::size_of::<Appointment>()
    );
    println!(
        "memory after load: VmRSS {} (VmHWM {}), {} at start; {:.0} bytes per event",
        mib(rss),
        mib(hwm),
        mib(rss_start),
        (rss.saturating_sub(rss_start) * 1024) as f64 / total as f64
    );

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .tcp_nodelay(true)
        .build()?;
    let bearer = format!("Bearer {}", token(&http, &emu).await?);
    let target = Arc::new(Target {
        http,
        graph_url: emu.graph_url(),
        bearer,
        mailboxes: sampled,
    });
    let mut failures = 0;
    for scenario in [Scenario::Get, Scenario::BatchGet, Scenario::BatchPost] {
        // Warm-up: opens the connections and touches the code paths.
        drive(&target, scenario, args.connections, 0.5).await?;
        for run in 1..=args.runs {
            let (elapsed, tally) =
                drive(&target, scenario, args.connections, args.seconds as f64).await?;
            report(scenario, run, elapsed, tally);
            failures += tally.throttled + tally.failed;
        }
    }
    let (rss, hwm) = memory_kib();
    println!("memory at end: VmRSS {} (VmHWM {})", mib(rss), mib(hwm));
    emu.stop().await;
    if failures > 0 {
        return Err(format!("{failures} requests failed or were throttled").into());
    }
    Ok(())
}
