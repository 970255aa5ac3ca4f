//! The observers of the propagation benchmark: each reads the other side a few times per
//! second and records when a change's marker first shows there.
//!
//! Invariant: a change counts as arrived at the end of the read that first shows its marker
//! (never earlier), so every delay is an upper bound, late by at most one round.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use exsync_graph::client::{GraphClient, GraphRequest};
use exsync_graph::delta::{escape_path, user_path};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::propagation::{Change, Ledger};
use crate::setup::{business_subject, mailbox};

/// Exchange reads in flight at most per observation round.
const READERS: usize = 16;

/// The sequence number of marker `tag` (`#b` or `#x`) in `subject`.
fn marker(subject: &str, tag: &str) -> Option<usize> {
    subject.rsplit_once(tag).and_then(|(_, n)| n.parse().ok())
}

/// Changes of `ledger` written and not yet seen on the other side.
fn outstanding(ledger: &Ledger) -> Vec<(usize, Change)> {
    let changes = ledger.lock().expect("ledger");
    changes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.arrived.is_none() && !c.failed && c.write_time.is_some())
        .map(|(seq, c)| (seq, *c))
        .collect()
}

/// Records that `seq` was seen at `at` (the first sighting counts).
fn arrived(ledger: &Ledger, seq: usize, at: Instant) {
    if let Some(change) = ledger.lock().expect("ledger").get_mut(seq) {
        change.arrived.get_or_insert(at);
    }
}

/// Observes Exchange every `every` until `done` says so: reads each outstanding change's
/// event (the latest one per item) by id.
pub async fn observe_exchange(
    client: Arc<GraphClient>,
    ids: Arc<BTreeMap<String, String>>,
    ledger: Ledger,
    every: Duration,
    done: impl Fn() -> bool,
) {
    let gate = Arc::new(Semaphore::new(READERS));
    while !done() {
        let round = Instant::now();
        let mut items = BTreeMap::new();
        for (_, change) in outstanding(&ledger) {
            items.insert((change.user, change.item), ());
        }
        let mut reads = JoinSet::new();
        for (user, item) in items.into_keys() {
            let id = ids[&business_subject(user, item)].clone();
            let (client, gate, ledger) = (client.clone(), gate.clone(), ledger.clone());
            reads.spawn(async move {
                let _permit = gate.acquire_owned().await.expect("gate");
                let url = format!(
                    "{}/events/{}?$select=subject",
                    user_path(&mailbox(user)),
                    escape_path(&id)
                );
                if let Ok(answer) = client
                    .send(&mailbox(user), &GraphRequest::get(url, "get"))
                    .await
                {
                    let seen = Instant::now();
                    if let Some(seq) = answer.body["subject"]
                        .as_str()
                        .and_then(|s| marker(s, "#b"))
                    {
                        arrived(&ledger, seq, seen);
                    }
                }
            });
        }
        while reads.join_next().await.is_some() {}
        tokio::time::sleep(every.saturating_sub(round.elapsed())).await;
    }
}

/// Reads the subjects of the business appointments directly (one query for all users).
pub enum SubjectReader {
    /// The SQLite business database.
    Sqlite(sqlx::SqlitePool),
    /// The PostgreSQL business database and the table's qualified name.
    Postgres(sqlx::PgPool, String),
}

impl SubjectReader {
    /// Opens a small pool on `url` (`schema`: PostgreSQL's schema of the business tables).
    pub async fn open(url: &str, schema: Option<&str>) -> Self {
        if url.starts_with("sqlite:") {
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await;
            SubjectReader::Sqlite(pool.expect("SQLite for reading"))
        } else {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await;
            let table = match schema {
                Some(schema) => format!("\"{schema}\".exsync_appointments"),
                None => "exsync_appointments".to_owned(),
            };
            SubjectReader::Postgres(pool.expect("PostgreSQL for reading"), table)
        }
    }

    /// `(appointment_id, original_start)` of every cancelled occurrence.
    pub async fn cancelled_occurrences(&self) -> Vec<(String, String)> {
        const COLUMNS: &str = "SELECT appointment_id, original_start FROM";
        let rows: Result<Vec<(String, String)>, sqlx::Error> = match self {
            SubjectReader::Sqlite(pool) => {
                let sql = format!("{COLUMNS} exsync_appointment_exceptions WHERE cancelled");
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .fetch_all(pool)
                    .await
            }
            SubjectReader::Postgres(pool, table) => {
                let table = table.replace("exsync_appointments", "exsync_appointment_exceptions");
                let sql = format!("{COLUMNS} {table} WHERE cancelled");
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .fetch_all(pool)
                    .await
            }
        };
        rows.unwrap_or_default()
    }

    async fn marked_subjects(&self) -> Vec<String> {
        let rows: Result<Vec<(Option<String>,)>, sqlx::Error> = match self {
            SubjectReader::Sqlite(pool) => {
                sqlx::query_as("SELECT subject FROM exsync_appointments WHERE subject LIKE '%#x%'")
                    .fetch_all(pool)
                    .await
            }
            SubjectReader::Postgres(pool, table) => {
                let sql = format!("SELECT subject FROM {table} WHERE subject LIKE '%#x%'");
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .fetch_all(pool)
                    .await
            }
        };
        rows.map(|rows| rows.into_iter().filter_map(|(s,)| s).collect())
            .unwrap_or_default()
    }
}

/// Observes the business database every `every` until `done` says so.
pub async fn observe_business(
    reader: SubjectReader,
    ledger: Ledger,
    every: Duration,
    done: impl Fn() -> bool,
) {
    while !done() {
        let round = Instant::now();
        let subjects = reader.marked_subjects().await;
        let seen = Instant::now();
        for seq in subjects.iter().filter_map(|s| marker(s, "#x")) {
            arrived(&ledger, seq, seen);
        }
        tokio::time::sleep(every.saturating_sub(round.elapsed())).await;
    }
}

/// Whether every written change of `ledger` has arrived (or its write failed).
pub fn all_arrived(ledger: &Ledger) -> bool {
    ledger
        .lock()
        .expect("ledger")
        .iter()
        .all(|c| c.failed || (c.write_time.is_some() && c.arrived.is_some()))
}
