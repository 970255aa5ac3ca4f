//! Seed files: the example seed serves its tenants, apps, certificates and items; a bad seed
//! is refused with the field and the fix named, and never with a value from the file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use exsync_emulator::{Emulator, Organisation, Seed, SeedError};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::common::GRAPH_SCOPE;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/example.json")
}

fn write(dir: &Path, seed: &Value) -> PathBuf {
    let path = dir.join("seed.json");
    std::fs::write(&path, seed.to_string()).expect("writes");
    path
}

fn minimal() -> Value {
    json!({"tenants": [{
        "domain": "tailspin.example",
        "ews_account": {"username": "svc@tailspin.example", "password": "pw-12345"},
        "apps": [{"name": "a", "permissions": ["Calendars.Read"],
                  "secrets": [{"value": "hunter2-secret", "expires": "2099-01-01T00:00:00Z"}]}],
        "mailboxes": [{"user_principal_name": "kim@tailspin.example", "display_name": "Kim"}]
    }]})
}

fn field_error(result: Result<Seed, SeedError>) -> (String, String) {
    match result {
        Err(SeedError::Field { field, fix }) => (field, fix),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_example_seed_serves_its_organisation_and_items() {
    let seed = Seed::from_file(&example()).expect("the example seed loads");
    let shown = format!("{seed:?}");
    assert!(
        !shown.contains("example-secret-not-secret") && !shown.contains("example-ews-password")
    );
    let tenant = &seed.organisation.tenants[0];
    assert_eq!(
        tenant.apps[0].certificates.len(),
        1,
        "certificate read from its PEM files"
    );
    assert_eq!(
        tenant.apps[1].mailbox_scope.as_ref().map(|s| s.len()),
        Some(1)
    );
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let emu = Emulator::start_with(addr, seed.organisation.clone())
        .await
        .expect("starts");
    assert_eq!(emu.load_seed_items(&seed), 2);
    let described = emu.describe();
    assert_eq!(described.tenant_id, "6f1c2a51-7d0e-4a8b-9c3d-0e1f2a3b4c5d");
    assert_eq!(
        described.mailboxes,
        [
            "lee.gu@fabrikam.example",
            "nestor.wilke@fabrikam.example",
            "pradeep@fabrikam.example"
        ]
    );

    let http = Client::new();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", described.client_id.as_str()),
        ("client_secret", "example-secret-not-secret"),
        ("scope", GRAPH_SCOPE),
    ];
    let answer: Value = http
        .post(&described.token_url)
        .form(&form)
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let token = answer["access_token"]
        .as_str()
        .expect("the seeded secret works");
    let old = [
        form[0],
        form[1],
        ("client_secret", "example-old-secret"),
        form[3],
    ];
    let refused = http
        .post(&described.token_url)
        .form(&old)
        .send()
        .await
        .expect("token");
    assert_eq!(
        refused.status(),
        StatusCode::UNAUTHORIZED,
        "the seeded expiry holds"
    );

    let url = format!(
        "{}/users/lee.gu@fabrikam.example/events",
        described.graph_url
    );
    let events: Value = http
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .expect("events")
        .json()
        .await
        .expect("json");
    let subjects: Vec<&str> = events["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|e| e["subject"].as_str())
        .collect();
    assert_eq!(subjects, ["Quarterly review", "Company holiday"]);
    assert_eq!(events["value"][0]["originalStartTimeZone"], "Europe/Berlin");
    emu.stop().await;
}

#[test]
fn bad_fields_are_named_with_the_fix() {
    let dir = std::env::temp_dir().join(format!("exsync-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "/tenants/0/apps/0/secrets/0/expires",
            json!("next year"),
            "tenants[0].apps[0].secrets[0].expires",
        ),
        (
            "/tenants/0/apps/0/secrets",
            json!([]),
            "tenants[0].apps[0].secrets",
        ),
        (
            "/tenants/0/apps/0/mailbox_scope",
            json!(["x@y.example"]),
            "tenants[0].apps[0].mailbox_scope[0]",
        ),
        (
            "/tenants/0/mailboxes/0/events",
            json!([{"subject": "s", "start": "2026-01-01T09:00:00",
            "end": "2026-01-01T10:00:00", "time_zone": "Mars/Olympus"}]),
            "tenants[0].mailboxes[0].events[0].time_zone",
        ),
        (
            "/tenants/0/mailboxes/0/user_principal_name",
            json!("kim"),
            "tenants[0].mailboxes[0].user_principal_name",
        ),
    ];
    for (pointer, value, expected) in cases {
        let mut seed = minimal();
        let (parent, key) = pointer.rsplit_once('/').expect("pointer");
        seed.pointer_mut(parent).expect("parent")[key] = value;
        let (field, fix) = field_error(Seed::from_file(&write(&dir, &seed)));
        assert_eq!(field, expected, "{fix}");
        assert!(!fix.is_empty());
    }
    let mut seed = minimal();
    seed["tenants"][0]["apps"][0]["secrets"] = json!("hunter2-secret");
    let error = Seed::from_file(&write(&dir, &seed)).expect_err("not a list");
    let shown = format!("{error} {error:?}");
    assert!(matches!(error, SeedError::Syntax { .. }), "{shown}");
    assert!(
        !shown.contains("hunter2"),
        "values from the file are left out: {shown}"
    );
    assert!(Organisation::from_seed_file(&dir.join("missing.json")).is_err());
    let org = Organisation::from_seed_file(&write(&dir, &minimal())).expect("minimal seed loads");
    assert_eq!(org.tenants[0].mailboxes[0].mail, "kim@tailspin.example");
    std::fs::remove_dir_all(&dir).expect("cleans up");
}
