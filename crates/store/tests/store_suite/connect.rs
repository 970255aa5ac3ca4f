//! Connecting: URLs, options, SQLite file set-up, configurable PostgreSQL schema, and that no
//! connect error shows a password.
//!
//! Invariant: these tests need no PostgreSQL server except the one marked as such, which skips
//! with a notice when `EXSYNC_TEST_POSTGRES_URL` is unset.

use std::error::Error as _;
use std::time::Duration;

use exsync_model::ItemKind;
use exsync_store::{BackendKind, StateStore, StoreError, StoreOptions};

use crate::fixtures::{ALICE, appointment};
use crate::harness::{POSTGRES_URL_VAR, drop_schema, postgres_url, unique_schema_name};

const SECRET: &str = "Sup3r-s3cret";

/// Everything a caller could print about `error`: display, debug and the source chain.
fn all_text(error: &StoreError) -> String {
    let mut text = format!("{error} | {error:?}");
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(" | {cause} | {cause:?}"));
        source = cause.source();
    }
    text
}

#[tokio::test]
async fn connect_errors_never_show_the_password() {
    // Port 1 on the loopback refuses connections at once.
    for url in [
        format!("postgres://exsync:{SECRET}@127.0.0.1:1/erp"),
        format!("postgres://exsync@127.0.0.1:1/erp?password={SECRET}"),
    ] {
        let options = StoreOptions::new(url).acquire_timeout(Duration::from_secs(1));
        let error = StateStore::connect_with(options)
            .await
            .expect_err("nothing listens on port 1");
        assert!(matches!(error, StoreError::Connect { .. }), "{error:?}");
        assert!(error.is_retryable());
        let text = all_text(&error);
        assert!(!text.contains(SECRET), "{text}");
        assert!(
            text.contains("127.0.0.1:1/erp"),
            "names what failed: {text}"
        );
        assert!(text.contains("***"), "{text}");
        assert!(text.contains("refused connections"), "says why: {text}");
    }
}

#[tokio::test]
async fn invalid_urls_are_refused_without_the_password() {
    for url in [
        format!("mysql://root:{SECRET}@db/erp"),
        format!("postgres://exsync:{SECRET}@db:port/erp"),
        format!("sqlite://state.db?password={SECRET}"),
    ] {
        let error = StateStore::connect(&url).await.expect_err("refused");
        assert!(matches!(error, StoreError::InvalidUrl { .. }), "{error:?}");
        assert!(!error.is_retryable());
        let text = all_text(&error);
        assert!(!text.contains(SECRET), "{text}");
    }
}

#[tokio::test]
async fn schema_option_is_checked() {
    let on_sqlite = StateStore::connect_with(StoreOptions::new("sqlite::memory:").schema("exsync"))
        .await
        .expect_err("SQLite has no schemas");
    assert!(matches!(on_sqlite, StoreError::Invalid(_)), "{on_sqlite:?}");
    let needs_quoting =
        StateStore::connect_with(StoreOptions::new("postgres://127.0.0.1:1/erp").schema("Ex Sync"))
            .await
            .expect_err("refused before connecting");
    assert!(
        matches!(needs_quoting, StoreError::Invalid(_)),
        "{needs_quoting:?}"
    );
}

#[tokio::test]
async fn sqlite_file_is_created_in_wal_mode() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("new-state.db");
    assert!(!path.exists());
    let url = format!("sqlite://{}", path.display());
    let store = StateStore::connect(&url).await.expect("connect");
    assert_eq!(store.backend_kind(), BackendKind::Sqlite);
    assert!(path.exists(), "the file was created");
    store
        .upsert_links(&[appointment("A-1", "X-1")])
        .await
        .expect("write");
    store.close().await;

    let raw = sqlx::SqlitePool::connect(&url)
        .await
        .expect("open the file directly");
    let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&raw)
        .await
        .expect("pragma");
    assert_eq!(journal_mode, "wal");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&raw)
    .await
    .expect("tables");
    assert_eq!(
        tables,
        [
            "_sqlx_migrations",
            "exsync_cursors",
            "exsync_leases",
            "exsync_links",
            "exsync_outbox"
        ]
    );
    raw.close().await;
}

#[tokio::test]
async fn postgres_tables_live_in_a_prepared_schema() {
    let Some(url) = postgres_url() else {
        eprintln!("skipping PostgreSQL: {POSTGRES_URL_VAR} not set");
        return;
    };
    let schema = unique_schema_name();
    // Prepared beforehand, as a DBA would (the suite's other tests let the store create theirs).
    let admin = sqlx::PgPool::connect(&url).await.expect("admin connection");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .expect("create schema");
    admin.close().await;
    let store = StateStore::connect_with(StoreOptions::new(url.clone()).schema(schema.clone()))
        .await
        .expect("connect");
    assert_eq!(store.backend_kind(), BackendKind::Postgres);
    store
        .upsert_links(&[appointment("A-1", "X-1")])
        .await
        .expect("write");
    assert_eq!(
        store
            .count_links(ALICE, ItemKind::Appointment)
            .await
            .expect("count"),
        1
    );
    store.close().await;

    let raw = sqlx::PgPool::connect(&url).await.expect("admin connection");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = $1 ORDER BY table_name",
    )
    .bind(&schema)
    .fetch_all(&raw)
    .await
    .expect("tables");
    let stored: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {schema}.exsync_links"
    )))
    .fetch_one(&raw)
    .await
    .expect("count");
    // Half-empty pages keep rewriting bases cheap (HOT updates, see docs/bench-store.md).
    let link_options: Option<Vec<String>> = sqlx::query_scalar(
        "SELECT c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND c.relname = 'exsync_links'",
    )
    .bind(&schema)
    .fetch_one(&raw)
    .await
    .expect("table options");
    raw.close().await;
    drop_schema(&url, &schema).await;
    assert_eq!(
        tables,
        [
            "_sqlx_migrations",
            "exsync_cursors",
            "exsync_leases",
            "exsync_links",
            "exsync_outbox"
        ]
    );
    assert_eq!(stored, 1);
    assert_eq!(link_options, Some(vec!["fillfactor=50".to_owned()]));
}
