//! A healthy organisation passes every check, in text, JSON and German, and the probes write
//! only into exsync's own folders.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::common::{Served, business, check_json, exsync, lines, one, serve, statuses, text};

#[test]
fn the_embedded_emulator_passes_with_json_for_monitoring() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = business(dir.path(), &[("eva", "eva@example.com")]);
    let output = exsync(
        dir.path(),
        &["check", "--json"],
        &[("EXSYNC_DATABASE_URL", url.as_str())],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let document: Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(document["ok"], true);
    assert_eq!(document["counts"]["failed"], 0);
    assert!(document["checked_at"].is_string());
    for line in document["checks"].as_array().expect("checks") {
        assert_eq!(line["status"], "passed", "{line}");
        assert!(line["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(line.get("problem").is_none() && line.get("fix").is_none());
    }
    for check in [
        "configuration",
        "business_database",
        "state_database",
        "token",
    ] {
        one(&document, check, None);
    }
    assert_eq!(lines(&document, "permission", None).len(), 3);
    for check in ["mailbox", "calendar", "todo", "contacts"] {
        one(&document, check, Some("eva <eva@example.com>"));
    }
    assert_eq!(
        one(&document, "credential_expiry", None)["days_left"].as_i64(),
        Some(730),
        "the emulator's secret is valid for two years"
    );
}

#[test]
fn german_is_chosen_by_lang() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = business(dir.path(), &[("eva", "eva@example.com")]);
    let output = exsync(
        dir.path(),
        &["--lang", "de", "check"],
        &[("EXSYNC_DATABASE_URL", url.as_str())],
    );
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains("bestanden") && !out.contains("passed"),
        "{out}"
    );
    assert!(
        out.contains("Konfiguration: gültig") && out.contains("Postfach eva <eva@example.com>"),
        "{out}"
    );
    assert!(out.contains("0 fehlgeschlagen"), "{out}");
}

#[test]
fn exchange_online_passes_and_writes_only_into_its_own_folders() {
    let served = serve(|_| {});
    let dir = tempfile::tempdir().expect("temp dir");
    let adele = served.mailbox(0);
    business(dir.path(), &[("adele", &adele)]);
    // The user's own items, which the check must leave alone.
    let own = [
        (
            "events",
            json!({"subject": "Own", "start": {"dateTime": "2027-03-01T09:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2027-03-01T10:00:00", "timeZone": "UTC"}}),
        ),
        (
            "contacts",
            json!({"givenName": "Own", "surname": "Contact"}),
        ),
    ];
    for (collection, body) in &own {
        let (status, _) = served.graph(
            reqwest::Method::POST,
            &format!("/users/{adele}/{collection}"),
            Some(body.clone()),
        );
        assert_eq!(status, 201);
    }
    let before = user_data(&served, &adele);
    let secret = served.emulator.client_secret();
    let expires = (Utc::now() + Duration::days(400)).date_naive();
    let config = served.config(
        dir.path(),
        &secret,
        &format!("client_secret_expires_on = \"{expires}\""),
    );
    for run in 0..2 {
        let (document, code) = check_json(dir.path(), &config, &[]);
        assert_eq!(code, Some(0), "run {run}: {document:#}");
        assert_eq!(
            statuses(&document),
            ["passed".to_owned()].into(),
            "{document:#}"
        );
        let expiry = one(&document, "credential_expiry", None);
        assert!(
            expiry["days_left"]
                .as_i64()
                .is_some_and(|d| (399..=400).contains(&d)),
            "{expiry}"
        );
        for check in ["mailbox", "calendar", "todo", "contacts"] {
            one(&document, check, Some(&adele));
        }
    }
    assert_eq!(
        user_data(&served, &adele),
        before,
        "the user's own items are untouched"
    );
    for (folders, name) in [
        ("calendars", "name"),
        ("todo/lists", "displayName"),
        ("contactFolders", "displayName"),
    ] {
        let (_, listed) = served.graph(
            reqwest::Method::GET,
            &format!("/users/{adele}/{folders}"),
            None,
        );
        let probes: Vec<&Value> = listed["value"]
            .as_array()
            .expect("folders")
            .iter()
            .filter(|f| f[name] == "exsync check")
            .collect();
        assert_eq!(probes.len(), 1, "one probe folder after two runs: {listed}");
    }
    let output = exsync(dir.path(), &["--config", "exsync.toml", "check"], &[]);
    assert!(
        !text(&output).contains(&secret),
        "the secret is never shown"
    );
}

/// The user's own calendar items, To Do default list tasks and root contacts, with their
/// versions.
fn user_data(served: &Served, mailbox: &str) -> Vec<Value> {
    let (_, lists) = served.graph(
        reqwest::Method::GET,
        &format!("/users/{mailbox}/todo/lists"),
        None,
    );
    let default_list = lists["value"]
        .as_array()
        .expect("lists")
        .iter()
        .find(|l| l["wellknownListName"] == "defaultList")
        .and_then(|l| l["id"].as_str())
        .expect("default list")
        .to_owned();
    [
        format!("/users/{mailbox}/events"),
        format!("/users/{mailbox}/todo/lists/{default_list}/tasks"),
        format!("/users/{mailbox}/contacts"),
    ]
    .iter()
    .map(|path| served.graph(reqwest::Method::GET, path, None).1["value"].clone())
    .collect()
}

#[test]
fn a_certificate_is_checked_by_its_not_after() {
    let served = serve(|_| {});
    let dir = tempfile::tempdir().expect("temp dir");
    business(dir.path(), &[]);
    let pem = dir.path().join("exsync-app.pem");
    std::fs::write(
        &pem,
        format!(
            "{}{}",
            exsync_emulator::client_assertion::SAMPLE_CERTIFICATE_PEM,
            exsync_emulator::client_assertion::SAMPLE_PRIVATE_KEY_PEM
        ),
    )
    .expect("pem written");
    let config = served.config(dir.path(), "unused", "");
    let text = std::fs::read_to_string(&config).expect("config").replace(
        "client_secret = \"unused\"",
        &format!("certificate_file = \"{}\"", pem.display()),
    );
    std::fs::write(&config, text).expect("config written");
    let (document, code) = check_json(dir.path(), &config, &[]);
    assert_eq!(
        one(&document, "token", None)["status"],
        "passed",
        "{document:#}"
    );
    let expiry = one(&document, "credential_expiry", None);
    assert_eq!(expiry["status"], "passed");
    assert!(
        expiry["message"]
            .as_str()
            .is_some_and(|m| m.contains("2126-10-29") && m.contains("notAfter")),
        "{expiry}"
    );
    assert_eq!(one(&document, "users", None)["problem"], "no_users");
    assert_eq!(code, Some(0), "a warning alone does not fail: {document:#}");
}

/// The business database on PostgreSQL (in a scratch schema, dropped afterwards); skipped with
/// a notice when no server is named.
#[test]
fn a_postgresql_business_database_with_a_current_schema_passes() {
    let Ok(server) = std::env::var("EXSYNC_TEST_POSTGRES_URL") else {
        eprintln!("skipping PostgreSQL: EXSYNC_TEST_POSTGRES_URL not set");
        return;
    };
    let schema = format!("exsync_check_{}", std::process::id());
    let runtime = crate::common::runtime();
    let options = exsync_business::BusinessDbOptions {
        schema: Some(schema.clone()),
        ..Default::default()
    };
    runtime.block_on(async {
        let db = exsync_business::BusinessDb::connect_with(&server, &options)
            .await
            .expect("connects");
        db.init_schema().await.expect("schema");
        db.close().await;
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let output = exsync(
        dir.path(),
        &["check", "--json"],
        &[
            ("EXSYNC_DATABASE_URL", server.as_str()),
            ("EXSYNC_DATABASE_SCHEMA", schema.as_str()),
        ],
    );
    runtime.block_on(async {
        let pool = sqlx::PgPool::connect(&server).await.expect("connects");
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&pool)
            .await
            .expect("dropped");
    });
    let document: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let line = one(&document, "business_database", None);
    assert_eq!(line["status"], "passed", "{line}");
    assert!(
        line["message"]
            .as_str()
            .is_some_and(|m| m.contains("PostgreSQL"))
    );
    assert_eq!(one(&document, "users", None)["problem"], "no_users");
    assert_eq!(output.status.code(), Some(0), "{document:#}");
}
