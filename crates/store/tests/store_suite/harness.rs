//! Runs one scenario against a fresh store on each backend: a SQLite file in a temporary
//! directory, SQLite in memory, and PostgreSQL in a schema of its own.
//!
//! Invariant: every run starts from an empty, freshly migrated store that no other test sees,
//! and a PostgreSQL schema is dropped after its run whether the scenario passed or panicked.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use exsync_store::{StateStore, StoreOptions};
use tempfile::TempDir;

/// The variable naming the PostgreSQL server for the PostgreSQL runs.
pub const POSTGRES_URL_VAR: &str = "EXSYNC_TEST_POSTGRES_URL";

/// A fresh store, and how to open the same database again.
pub struct TestDb {
    /// The store under test.
    pub store: StateStore,
    /// Options that reopen the same database; `None` for an in-memory database.
    reopen_options: Option<StoreOptions>,
    _dir: Option<TempDir>,
}

impl TestDb {
    /// A second, independent connection to the same database (running migrations again), or
    /// `None` where the database cannot outlive its pool (SQLite in memory).
    pub async fn reopen(&self) -> Option<StateStore> {
        let options = self.reopen_options.clone()?;
        Some(
            StateStore::connect_with(options)
                .await
                .expect("reopening the test database"),
        )
    }
}

/// Runs `scenario` on a new SQLite file.
pub async fn on_sqlite_file<F, Fut>(scenario: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("state.db").display());
    let options = StoreOptions::new(url);
    let store = StateStore::connect_with(options.clone())
        .await
        .expect("connect to a new SQLite file");
    scenario(TestDb {
        store,
        reopen_options: Some(options),
        _dir: Some(dir),
    })
    .await;
}

/// Runs `scenario` on a new in-memory SQLite database.
pub async fn on_sqlite_memory<F, Fut>(scenario: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let store = StateStore::connect("sqlite::memory:")
        .await
        .expect("connect to SQLite in memory");
    scenario(TestDb {
        store,
        reopen_options: None,
        _dir: None,
    })
    .await;
}

/// Runs `scenario` in a new schema of the server named by [`POSTGRES_URL_VAR`], or prints a
/// notice and returns when the variable is unset.
pub async fn on_postgres<F, Fut>(scenario: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(url) = postgres_url() else {
        eprintln!("skipping PostgreSQL: {POSTGRES_URL_VAR} not set");
        return;
    };
    let schema = unique_schema_name();
    let options = StoreOptions::new(url.clone()).schema(schema.clone());
    let store = StateStore::connect_with(options.clone())
        .await
        .expect("connect to PostgreSQL in a fresh schema");
    let outcome = tokio::spawn(scenario(TestDb {
        store: store.clone(),
        reopen_options: Some(options),
        _dir: None,
    }))
    .await;
    store.close().await;
    drop_schema(&url, &schema).await;
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

/// The test server's URL, if one is configured.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|url| !url.is_empty())
}

/// A schema name no other test of this or another concurrent run uses.
pub fn unique_schema_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or_default();
    format!(
        "exsync_t_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Drops `schema` and everything in it.
pub async fn drop_schema(url: &str, schema: &str) {
    let admin = sqlx::PgPool::connect(url)
        .await
        .expect("connect to PostgreSQL to drop the test schema");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE"
    )))
    .execute(&admin)
    .await
    .expect("drop the test schema");
    admin.close().await;
}
