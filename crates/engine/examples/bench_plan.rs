//! Benchmark of the planner: 100,000 linked appointments of which 1 % changed, 100,000
//! unchanged ones, and 100,000 new ones; with and without a real window test; plus the
//! planner's own memory when the items stream in.
//!
//! Run: `cargo run --release -p exsync-engine --example bench_plan [items]`.
//! Prints items/s (best of several runs) and the process's peak RSS (VmHWM) per step.
//! Invariant: only the `plan` call is timed; building the inputs is not.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use exsync_engine::{
    Everything, InWindow, ItemState, LinkIds, Observed, Plan, Rules, Scope, SyncWindow, plan,
};
use exsync_model::{Appointment, Body, TimeZoneName, When, ZonedDateTime};

const MAILBOX: &str = "eva@example.com";
const RUNS: usize = 5;

fn appointment(i: usize) -> Appointment {
    let zone = TimeZoneName::new("Europe/Berlin").unwrap_or_else(|_| TimeZoneName::utc());
    let day = NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new((i % 500) as u64)))
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap_or_default();
    let mut a = Appointment::timed(
        format!("Service visit customer {i}"),
        ZonedDateTime::new(day, zone.clone()),
        ZonedDateTime::new(day + chrono::Duration::hours(1), zone),
    );
    a.location = format!("Hauptstrasse {}, 89073 Ulm", i % 200);
    a.body = Body::text(format!(
        "Order {i}: maintenance of the heating system, bring spare parts; call before arrival."
    ));
    a.categories = vec!["Kundendienst".to_owned()];
    a.reminder_minutes = Some(15);
    a
}

fn linked(i: usize, changed: bool) -> ItemState<Appointment> {
    let base = appointment(i);
    let mut business = base.clone();
    if changed {
        business.subject.push_str(" (moved)");
    }
    let exchange = base.clone();
    ItemState::linked(
        LinkIds::new(format!("B{i}"), format!("AAMkAGI2TG93AAA{i}")),
        base,
        Some(Observed::new(business)),
        Some(Observed::new(exchange)),
    )
}

fn new_in_business(i: usize) -> ItemState<Appointment> {
    ItemState::new_in_business(format!("B{i}"), Observed::new(appointment(i)))
}

/// The runtime's window test: timed appointments by overlap, in UTC.
fn overlap(window: SyncWindow) -> impl Fn(&Appointment) -> bool {
    move |a: &Appointment| match &a.when {
        When::Timed { start, end } => match (start.to_utc(), end.to_utc()) {
            (Ok(s), Ok(e)) => window.overlaps(s, e),
            _ => true,
        },
        When::AllDay { .. } => true,
    }
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Best time of `RUNS` plans over `items`, borrowed (the planner's own cost) and owned (plus
/// dropping the inputs, which the planner then does as it goes).
fn time_plan(label: &str, items: &[ItemState<Appointment>], window: &dyn InWindow<Appointment>) {
    let rules = Rules::default();
    let scope = Scope::new(MAILBOX)
        .with_window(window)
        .with_linked_total(items.len());
    let mut borrowed = Duration::MAX;
    let mut owned = Duration::MAX;
    let mut ops = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out: Plan<Appointment> = plan(&rules, &scope, items.iter());
        borrowed = borrowed.min(start.elapsed());
        ops = black_box(out).ops.len();
        let input = items.to_vec();
        let start = Instant::now();
        let out = plan(&rules, &scope, input);
        owned = owned.min(start.elapsed());
        black_box(out);
    }
    let rate = |d: Duration| items.len() as f64 / d.as_secs_f64();
    println!(
        "| {label} | {} | {ops} | {:.1} ms | {:.0} | {:.1} ms | {:.0} | {} |",
        items.len(),
        borrowed.as_secs_f64() * 1e3,
        rate(borrowed),
        owned.as_secs_f64() * 1e3,
        rate(owned),
        peak_rss_kib()
    );
}

/// Plans `n` items generated on the fly (nothing kept in memory but the plan).
fn streamed(label: &str, n: usize, make: impl Fn(usize) -> ItemState<Appointment>) {
    let before = peak_rss_kib();
    let start = Instant::now();
    let scope = Scope::new(MAILBOX).with_linked_total(n);
    let out = plan(&Rules::default(), &scope, (0..n).map(make));
    let elapsed = start.elapsed();
    println!(
        "| {label} | {n} | {} | {:.1} ms incl. generating | {before} | {} |",
        out.ops.len(),
        elapsed.as_secs_f64() * 1e3,
        peak_rss_kib()
    );
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let from = Utc
        .with_ymd_and_hms(2025, 7, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let to = Utc
        .with_ymd_and_hms(2027, 12, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let Ok(window) = SyncWindow::new(from, to) else {
        return;
    };
    let in_window = overlap(window);
    println!("exsync-engine bench_plan: {n} appointments, best of {RUNS} runs\n");
    println!("Streamed (items generated on the fly; only the plan is kept):\n");
    println!("| scenario | items | ops | time | peak RSS before (KiB) | peak RSS after (KiB) |");
    println!("|---|---:|---:|---:|---:|---:|");
    // Streamed first, while the process is still small, to see the planner's own memory.
    streamed("streamed: linked, 1 % changed", n, |i| {
        linked(i, i % 100 == 0)
    });
    streamed("streamed: new in business", n, new_in_business);

    let unchanged: Vec<_> = (0..n).map(|i| linked(i, false)).collect();
    println!(
        "\nInputs built in memory first (peak RSS then: {} KiB):\n",
        peak_rss_kib()
    );
    println!(
        "| scenario | items | ops | borrowed | items/s | owned (+ drop) | items/s | peak RSS (KiB) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    time_plan("linked, unchanged, no window", &unchanged, &Everything);
    time_plan("linked, unchanged, overlap window", &unchanged, &in_window);
    drop(unchanged);

    let one_percent: Vec<_> = (0..n).map(|i| linked(i, i % 100 == 0)).collect();
    time_plan("linked, 1 % changed, no window", &one_percent, &Everything);
    time_plan(
        "linked, 1 % changed, overlap window",
        &one_percent,
        &in_window,
    );
    drop(one_percent);

    let new: Vec<_> = (0..n).map(new_in_business).collect();
    time_plan("new in business (creates), no window", &new, &Everything);
    time_plan(
        "new in business (creates), overlap window",
        &new,
        &in_window,
    );
}
