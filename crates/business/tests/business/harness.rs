//! Runs each test on SQLite (a temporary file) and on PostgreSQL (a fresh schema of the server
//! named by EXSYNC_TEST_POSTGRES_URL, dropped afterwards, even when the test fails).
//!
//! Invariant: every test gets a database nobody else touches; the "vendor" connection is a
//! separate connection, as a business application's would be (on SQLite without foreign keys).

use std::future::Future;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use exsync_business::{BusinessDb, BusinessDbOptions, JournalEntry};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, PgPool, SqlitePool};

/// Which engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A connection as a vendor's application would hold it.
#[derive(Clone)]
pub enum Vendor {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Vendor {
    /// Runs one or more statements.
    pub async fn exec(&self, sql: &str) {
        let result = match self {
            Vendor::Sqlite(pool) => sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await
                .map(|_| ()),
            Vendor::Postgres(pool) => sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await
                .map(|_| ()),
        };
        if let Err(error) = result {
            panic!("vendor SQL failed: {error}\n{sql}");
        }
    }

    /// Runs statements, expecting the database to refuse them.
    pub async fn exec_fails(&self, sql: &str) -> String {
        let result = match self {
            Vendor::Sqlite(pool) => sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await
                .map(|_| ()),
            Vendor::Postgres(pool) => sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await
                .map(|_| ()),
        };
        match result {
            Ok(()) => panic!("vendor SQL should have failed:\n{sql}"),
            Err(error) => error.to_string(),
        }
    }
}

/// One test's database.
pub struct TestDb {
    pub db: BusinessDb,
    pub vendor: Vendor,
    pub engine: Engine,
}

impl TestDb {
    /// The handle after `init_schema`.
    pub async fn ready(&self) -> &BusinessDb {
        self.db.init_schema().await.expect("schema initialises");
        &self.db
    }

    /// PostgreSQL: waits until every journal entry of this test is readable. Entries wait for
    /// every older writing transaction of the server to end, and tests run in parallel.
    pub async fn settle(&self) {
        let Vendor::Postgres(pool) = &self.vendor else {
            return;
        };
        for _ in 0..1000 {
            self.db.latest_journal_seq().await.expect("journal reads");
            let waiting: i64 =
                sqlx::query_scalar("SELECT count(*) FROM exsync_journal WHERE seq IS NULL")
                    .fetch_one(pool)
                    .await
                    .expect("journal counts");
            if waiting == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("journal entries stayed unreadable for 10 s");
    }

    /// Journal entries after `after`, as (kind, id, operation, origin) text for comparisons.
    pub async fn journal_after(&self, after: i64) -> Vec<(String, String, String, String)> {
        self.settle().await;
        self.db
            .read_journal(after, 1000)
            .await
            .expect("journal reads")
            .into_iter()
            .map(|e: JournalEntry| {
                (
                    e.kind.as_str().to_owned(),
                    e.entity_id,
                    format!("{:?}", e.operation).to_lowercase(),
                    e.origin.as_str().to_owned(),
                )
            })
            .collect()
    }

    /// The newest journal seq.
    pub async fn seq(&self) -> i64 {
        self.settle().await;
        self.db.latest_journal_seq().await.expect("journal reads")
    }
}

fn options() -> BusinessDbOptions {
    BusinessDbOptions {
        journal_poll_interval: Duration::from_millis(50),
        ..BusinessDbOptions::default()
    }
}

/// Runs `test` on a fresh SQLite file.
pub async fn run_sqlite<F, Fut>(test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("erp.db");
    let url = format!("sqlite://{}", path.display());
    let db = BusinessDb::connect_with(&url, &options())
        .await
        .expect("sqlite opens");
    let vendor = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::from_str(&url)
                .expect("url")
                .foreign_keys(false)
                .busy_timeout(Duration::from_secs(10)),
        )
        .await
        .expect("vendor connection opens");
    test(TestDb {
        db,
        vendor: Vendor::Sqlite(vendor),
        engine: Engine::Sqlite,
    })
    .await;
    drop(dir);
}

/// Runs `test` in a fresh PostgreSQL schema, or says why it is skipped.
pub async fn run_postgres<F, Fut>(test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Ok(url) = std::env::var("EXSYNC_TEST_POSTGRES_URL") else {
        println!("skipping PostgreSQL: EXSYNC_TEST_POSTGRES_URL not set");
        return;
    };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let schema = format!(
        "exsync_bt_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    );
    let db = BusinessDb::connect_with(
        &url,
        &BusinessDbOptions {
            schema: Some(schema.clone()),
            max_connections: Some(4),
            ..options()
        },
    )
    .await
    .expect("postgres connects");
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("admin connects");
    sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .expect("schema created");
    let vendor = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(
            PgConnectOptions::from_str(&url)
                .expect("url")
                .options([("search_path", schema.as_str())]),
        )
        .await
        .expect("vendor connects");
    let outcome = tokio::spawn(test(TestDb {
        db: db.clone(),
        vendor: Vendor::Postgres(vendor.clone()),
        engine: Engine::Postgres,
    }))
    .await;
    db.close().await;
    vendor.close().await;
    sqlx::query(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await
        .expect("schema dropped");
    if let Err(error) = outcome {
        if error.is_panic() {
            std::panic::resume_unwind(error.into_panic());
        }
        panic!("test task failed: {error}");
    }
}

/// Declares `$name` as a test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    $crate::harness::run_sqlite(super::$name).await;
                }

                #[tokio::test]
                async fn postgres() {
                    $crate::harness::run_postgres(super::$name).await;
                }
            }
        )+
    };
}
