//! Benchmark: commit 100,000 base snapshots (realistic appointments of ~800 bytes) in batches,
//! then commit them all again changed (a full pass), then list them back.
//!
//! Invariant: every run writes under a mailbox name of its own, so the first pass measures
//! inserts and the second measures updates even when the database is reused; on PostgreSQL
//! the run works in a scratch schema that it drops at the end.
//!
//! ```text
//! cargo run --release -p exsync-store --example bench_commit -- <url> [--rows N] [--batch N]
//! ```

use std::time::{Duration, Instant};

use exsync_model::ItemKind;
use exsync_store::{BackendKind, BaseSnapshot, LinkUpsert, PassCommit, StateStore, StoreOptions};

struct Args {
    url: String,
    rows: usize,
    batch: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut url = None;
    let mut rows = 100_000;
    let mut batch = 2_000;
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next()
                .and_then(|value| value.parse().ok())
                .filter(|value| *value > 0)
                .ok_or(format!("{name} needs a positive number"))
        };
        match arg.as_str() {
            "--rows" => rows = number("--rows")?,
            "--batch" => batch = number("--batch")?,
            other if url.is_none() => url = Some(other.to_owned()),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let url = url.ok_or("usage: bench_commit <url> [--rows N] [--batch N]")?;
    Ok(Args { url, rows, batch })
}

/// A Graph-like appointment of 700-900 bytes of JSON; `version` changes the content.
fn appointment_json(n: usize, version: u32) -> String {
    let day = 1 + n % 28;
    let hour = 7 + n % 10;
    let attendees: Vec<String> = (0..(2 + n % 3))
        .map(|a| {
            format!(
                r#"{{"email":"person{}.{a}@customer-{}.example.com","name":"Person {a} of customer {}","response":"accepted","type":"required"}}"#,
                n % 997,
                n % 113,
                n % 113
            )
        })
        .collect();
    format!(
        r#"{{"subject":"Service visit #{n} (rev {version})","body":"Check the heating installation, replace filter set B{n} and report readings to the office.","start":{{"date_time":"2025-04-{day:02}T{hour:02}:00:00","time_zone":"W. Europe Standard Time"}},"end":{{"date_time":"2025-04-{day:02}T{hour:02}:45:00","time_zone":"W. Europe Standard Time"}},"location":"Customer site {n}, Hauptstrasse {}, 8000 Zurich","show_as":"busy","sensitivity":"normal","is_all_day":false,"reminder_minutes":15,"categories":["Service","Region {}"],"attendees":[{}],"recurrence":null}}"#,
        n % 300,
        n % 7,
        attendees.join(",")
    )
}

fn link(mailbox: &str, n: usize, version: u32) -> LinkUpsert {
    LinkUpsert::new(mailbox, ItemKind::Appointment, format!("APT-{n:07}"))
        .exchange(
            format!("AAMkAGI2TG93AAA{n:010}AAA="),
            Some(format!("DwAAABYAAAA{n:08}v{version}")),
        )
        .base(BaseSnapshot::new(appointment_json(n, version)))
}

/// Commits all rows in batches, each batch with its cursor, as the runtime would. Returns the
/// time spent in `commit` alone (building the snapshots is the runtime's work, not the store's)
/// and the time spent building them.
async fn commit_all(
    store: &StateStore,
    args: &Args,
    mailbox: &str,
    version: u32,
) -> (Duration, Duration) {
    let mut committing = Duration::ZERO;
    let mut building = Duration::ZERO;
    for (batch_number, first) in (0..args.rows).step_by(args.batch).enumerate() {
        let last = (first + args.batch).min(args.rows);
        let started = Instant::now();
        let mut pass = PassCommit::new();
        pass.upsert_links((first..last).map(|n| link(mailbox, n, version)))
            .set_cursor(
                mailbox,
                "bench.delta",
                format!("v{version}-batch{batch_number}"),
            );
        building += started.elapsed();
        let started = Instant::now();
        if let Err(error) = store.commit(&pass).await {
            eprintln!("commit failed: {error}");
            std::process::exit(1);
        }
        committing += started.elapsed();
    }
    (committing, building)
}

fn report(what: &str, rows: usize, elapsed: Duration) {
    println!(
        "{what:<34} {rows:>7} rows in {:>7.3} s = {:>9.0} rows/s",
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let mut options = StoreOptions::new(args.url.clone());
    let scratch_schema = format!("exsync_bench_{}", std::process::id());
    let is_postgres = BackendKind::of_url(&args.url).ok() == Some(BackendKind::Postgres);
    if is_postgres {
        options = options.schema(scratch_schema.clone());
    }
    let store = match StateStore::connect_with(options.clone()).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(1);
        }
    };
    let mailbox = format!("bench-{}@example.com", std::process::id());
    let sizes: Vec<usize> = (0..args.rows.min(1_000))
        .map(|n| appointment_json(n, 1).len())
        .collect();
    println!(
        "backend {:?}, url {}, {} rows, batches of {}, snapshot {}-{} bytes (mean {})",
        store.backend_kind(),
        options.redacted_url(),
        args.rows,
        args.batch,
        sizes.iter().min().copied().unwrap_or_default(),
        sizes.iter().max().copied().unwrap_or_default(),
        sizes.iter().sum::<usize>() / sizes.len().max(1)
    );

    let (inserted, built) = commit_all(&store, &args, &mailbox, 1).await;
    report("commit new bases (insert)", args.rows, inserted);
    let (updated, rebuilt) = commit_all(&store, &args, &mailbox, 2).await;
    report("commit changed bases (update)", args.rows, updated);
    report(
        "(not timed above: build snapshots)",
        args.rows * 2,
        built + rebuilt,
    );

    let started = Instant::now();
    let heads = store.link_heads(&mailbox, ItemKind::Appointment).await;
    report(
        "list link heads",
        heads.map_or(0, |heads| heads.len()),
        started.elapsed(),
    );
    let started = Instant::now();
    let links = store.links(&mailbox, ItemKind::Appointment).await;
    report(
        "list links with snapshots",
        links.map_or(0, |links| links.len()),
        started.elapsed(),
    );

    store.close().await;
    if is_postgres {
        drop_scratch_schema(&args.url, &scratch_schema).await;
    }
}

async fn drop_scratch_schema(url: &str, schema: &str) {
    let dropped = async {
        let admin = sqlx::PgPool::connect(url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&admin)
            .await?;
        admin.close().await;
        Ok::<_, sqlx::Error>(())
    };
    if let Err(error) = dropped.await {
        eprintln!("could not drop scratch schema {schema}: {error}");
    }
}
