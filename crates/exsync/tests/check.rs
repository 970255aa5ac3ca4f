//! `exsync check` as an admin runs it: the real binary against an emulator organisation —
//! healthy (the embedded default, and Exchange Online through Graph), and with each fault the
//! emulator can stage (wrong or expired secret, missing permission, unknown mailbox, mailbox
//! outside the app's application access policy) or the machine can (business database down,
//! Exchange Server, a broken configuration). Text lines, `--json`, exit codes, German.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{Duration, Utc};
use exsync_business::{BusinessDb, NewUser};
use exsync_emulator::{Emulator, EmulatorHandle, Organisation};
use serde_json::{Value, json};

/// An emulator served in this process while the binary talks to it.
struct Served {
    emulator: EmulatorHandle,
    runtime: tokio::runtime::Runtime,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

/// The sample organisation, changed by `stage` (the fault under test).
fn serve(stage: impl FnOnce(&mut Organisation)) -> Served {
    let mut organisation = Organisation::sample();
    stage(&mut organisation);
    let runtime = runtime();
    let emulator = runtime
        .block_on(Emulator::start_with(
            "127.0.0.1:0".parse().expect("addr"),
            organisation,
        ))
        .expect("emulator starts");
    Served { emulator, runtime }
}

impl Served {
    fn mailbox(&self, n: usize) -> String {
        self.emulator.mailboxes()[n].mail.clone()
    }

    /// `exsync.toml` for Exchange Online at this emulator, with `secret` and `extra` lines in
    /// `[exchange.online]`.
    fn config(&self, dir: &Path, secret: &str, extra: &str) -> PathBuf {
        let text = format!(
            "[database]\nurl = \"sqlite://{db}\"\n\n[exchange]\nkind = \"online\"\n\n\
             [exchange.online]\ntenant_id = \"{tenant}\"\nclient_id = \"{client}\"\n\
             client_secret = \"{secret}\"\nauthority = \"{authority}\"\n\
             graph_url = \"{graph}\"\n{extra}\n",
            db = dir.join("exsync.db").display(),
            tenant = self.emulator.tenant_id(),
            client = self.emulator.client_id(),
            authority = self.emulator.base_url(),
            graph = self.emulator.graph_url(),
        );
        let path = dir.join("exsync.toml");
        std::fs::write(&path, text).expect("config written");
        path
    }

    /// A token of the emulator's app, and a Graph call with it (for looking into mailboxes).
    fn graph(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.runtime.block_on(async {
            let http = reqwest::Client::new();
            let token: Value = http
                .post(self.emulator.token_url())
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", self.emulator.client_id().as_str()),
                    ("client_secret", self.emulator.client_secret().as_str()),
                    ("scope", "https://graph.microsoft.com/.default"),
                ])
                .send()
                .await
                .expect("token request")
                .json()
                .await
                .expect("token JSON");
            let mut request = http
                .request(method, format!("{}{path}", self.emulator.graph_url()))
                .bearer_auth(token["access_token"].as_str().expect("token"));
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.expect("graph request");
            let status = response.status().as_u16();
            let text = response.text().await.expect("body");
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        })
    }
}

/// A business database in `dir` with `users` (login, mailbox).
fn business(dir: &Path, users: &[(&str, &str)]) -> String {
    let url = format!("sqlite://{}", dir.join("exsync.db").display());
    runtime().block_on(async {
        let db = BusinessDb::connect(&url).await.expect("opens");
        db.init_schema().await.expect("schema");
        for (login, mailbox) in users {
            db.add_user(&NewUser {
                login: (*login).to_owned(),
                display_name: (*login).to_owned(),
                mailbox: Some((*mailbox).to_owned()),
                enabled: true,
            })
            .await
            .expect("user added");
        }
        db.close().await;
    });
    url
}

fn exsync(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_exsync"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("EXSYNC_CONFIG")
        .env_remove("EXSYNC_DATABASE_URL")
        .env("LANG", "C");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("exsync runs")
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// `exsync --config CONFIG check --json`: the document and the exit code.
fn check_json(dir: &Path, config: &Path, extra: &[&str]) -> (Value, Option<i32>) {
    let config = config.display().to_string();
    let mut args = vec!["--config", config.as_str(), "check", "--json"];
    args.extend_from_slice(extra);
    let output = exsync(dir, &args, &[]);
    let document = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&output)));
    (document, output.status.code())
}

/// The lines of one check (and subject, when given).
fn lines<'a>(document: &'a Value, check: &str, subject: Option<&str>) -> Vec<&'a Value> {
    document["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["check"] == check)
        .filter(|c| subject.is_none_or(|s| c["subject"].as_str().is_some_and(|t| t.contains(s))))
        .collect()
}

fn one<'a>(document: &'a Value, check: &str, subject: Option<&str>) -> &'a Value {
    let found = lines(document, check, subject);
    assert_eq!(found.len(), 1, "{check} {subject:?} in {document:#}");
    found[0]
}

fn statuses(document: &Value) -> BTreeSet<String> {
    document["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["status"].as_str().unwrap_or_default().to_owned())
        .collect()
}

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
fn a_wrong_secret_is_explained_with_its_aadsts_code() {
    let served = serve(|_| {});
    let dir = tempfile::tempdir().expect("temp dir");
    business(dir.path(), &[("adele", &served.mailbox(0))]);
    let wrong = "Wrong~Secret~Value~0123456789abcdefghij";
    let config = served.config(dir.path(), wrong, "");
    let (document, code) = check_json(dir.path(), &config, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(document["ok"], false);
    let token = one(&document, "token", None);
    assert_eq!(token["status"], "failed");
    assert_eq!(token["problem"], "aadsts7000215");
    assert!(
        token["message"]
            .as_str()
            .is_some_and(|m| m.contains("AADSTS7000215"))
    );
    let fix = token["fix"].as_str().expect("fix");
    assert!(
        fix.contains("Microsoft Entra admin center") && fix.contains("Certificates & secrets"),
        "{fix}"
    );
    assert!(
        lines(&document, "permission", None)
            .iter()
            .all(|l| l["status"] == "skipped"),
        "{document:#}"
    );
    assert_eq!(one(&document, "mailbox", None)["status"], "skipped");
    let expiry = one(&document, "credential_expiry", None);
    assert_eq!(
        (&expiry["status"], &expiry["problem"]),
        (&json!("warning"), &json!("expiry_unknown"))
    );
    let output = exsync(dir.path(), &["--config", "exsync.toml", "check"], &[]);
    let out = text(&output);
    assert!(
        !out.contains(wrong),
        "the configured secret is never shown: {out}"
    );
    let line = out
        .lines()
        .find(|l| l.starts_with("failed") && l.contains("Token"))
        .expect("a failed token line");
    assert!(
        line.contains("AADSTS7000215") && line.contains("Fix:"),
        "{line}"
    );
}

#[test]
fn an_expired_secret_is_reported_by_entra_and_by_its_date() {
    let served = serve(|organisation| {
        organisation.tenants[0].apps[0].secrets[0].expires = Utc::now() - Duration::days(2);
    });
    let dir = tempfile::tempdir().expect("temp dir");
    business(dir.path(), &[("adele", &served.mailbox(0))]);
    let expired_on = (Utc::now() - Duration::days(2)).date_naive();
    let config = served.config(
        dir.path(),
        &served.emulator.client_secret(),
        &format!("client_secret_expires_on = \"{expired_on}\""),
    );
    let (document, code) = check_json(dir.path(), &config, &[]);
    assert_eq!(code, Some(1));
    let token = one(&document, "token", None);
    assert_eq!(token["problem"], "aadsts7000222");
    assert!(
        token["fix"]
            .as_str()
            .is_some_and(|f| f.contains("New client secret"))
    );
    let expiry = one(&document, "credential_expiry", None);
    assert_eq!(
        (&expiry["status"], &expiry["problem"]),
        (&json!("failed"), &json!("expired"))
    );
    assert!(
        expiry["days_left"].as_i64().is_some_and(|d| d < 0),
        "{expiry}"
    );
}

#[test]
fn a_missing_permission_names_exactly_what_to_add() {
    let served = serve(|organisation| {
        organisation.tenants[0].apps[0].permissions = ["Calendars.ReadWrite".to_owned()].into();
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let adele = served.mailbox(0);
    business(dir.path(), &[("adele", &adele)]);
    let config = served.config(dir.path(), &served.emulator.client_secret(), "");
    let (document, code) = check_json(dir.path(), &config, &[]);
    assert_eq!(code, Some(1));
    let calendars = one(&document, "permission", Some("Calendars.ReadWrite"));
    assert_eq!(calendars["status"], "passed");
    for (permission, setting) in [
        ("Tasks.ReadWrite.All", "sync.tasks"),
        ("Contacts.ReadWrite", "sync.contacts"),
    ] {
        let line = one(&document, "permission", Some(permission));
        assert_eq!(line["status"], "failed", "{line}");
        assert_eq!(line["problem"], "permission_missing");
        let message = line["message"].as_str().expect("message");
        assert!(
            message.contains(permission)
                && message.contains(setting)
                && message.contains("Calendars.ReadWrite"),
            "names the permission, the setting and the roles found: {message}"
        );
        let fix = line["fix"].as_str().expect("fix");
        assert!(
            fix.contains(&format!(
                "API permissions > Add a permission > Microsoft Graph > Application permissions, tick {permission}"
            )) && fix.contains("Grant admin consent"),
            "{fix}"
        );
    }
    assert_eq!(one(&document, "mailbox", Some(&adele))["status"], "passed");
    assert_eq!(one(&document, "calendar", Some(&adele))["status"], "passed");
    assert_eq!(one(&document, "todo", Some(&adele))["status"], "skipped");
    assert_eq!(
        one(&document, "contacts", Some(&adele))["status"],
        "skipped"
    );
    assert_eq!(
        one(&document, "credential_expiry", None)["status"],
        "warning",
        "no expiry date configured: a warning, which alone does not fail"
    );
}

#[test]
fn an_unknown_mailbox_and_one_outside_the_access_policy_are_told_apart() {
    let served = serve(|organisation| {
        let tenant = &mut organisation.tenants[0];
        let adele = tenant.mailboxes[0].id.clone();
        tenant.apps[0].mailbox_scope = Some([adele].into());
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let (adele, alex) = (served.mailbox(0), served.mailbox(1));
    business(
        dir.path(),
        &[
            ("adele", &adele),
            ("alex", &alex),
            ("ghost", "ghost@contoso.example"),
        ],
    );
    let config = served.config(dir.path(), &served.emulator.client_secret(), "");
    let (document, code) = check_json(dir.path(), &config, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(one(&document, "mailbox", Some(&adele))["status"], "passed");
    assert_eq!(one(&document, "todo", Some(&adele))["status"], "passed");

    let outside = one(&document, "mailbox", Some(&alex));
    assert_eq!(outside["problem"], "outside_app_scope", "{outside}");
    assert!(
        outside["message"]
            .as_str()
            .is_some_and(|m| m.contains("ErrorAccessDenied") && m.contains("AccessPolicy")),
        "{outside}"
    );
    let fix = outside["fix"].as_str().expect("fix");
    assert!(
        fix.contains("application access policy") && fix.contains("Test-ApplicationAccessPolicy"),
        "{fix}"
    );

    let ghost = one(&document, "mailbox", Some("ghost@contoso.example"));
    assert_eq!(ghost["problem"], "mailbox_not_found", "{ghost}");
    assert!(
        ghost["message"]
            .as_str()
            .is_some_and(|m| m.contains("ErrorInvalidUser"))
    );
    assert!(
        ghost["fix"]
            .as_str()
            .is_some_and(|f| f.contains("exsync business user set ghost"))
    );
    for check in ["calendar", "todo", "contacts"] {
        assert_eq!(one(&document, check, Some("ghost"))["status"], "skipped");
        assert_eq!(one(&document, check, Some(&alex))["status"], "skipped");
    }

    // One user only.
    let (document, code) = check_json(dir.path(), &config, &["--user", "adele"]);
    assert_eq!(code, Some(0), "{document:#}");
    assert!(lines(&document, "mailbox", Some("ghost")).is_empty());
}

#[test]
fn a_business_database_that_is_down_fails_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = format!("sqlite://{}", dir.path().join("no/such/dir/b.db").display());
    let closed = "postgres://exsync:Pa55word@127.0.0.1:1/business";
    for (url, problem) in [
        (missing.as_str(), "database_missing"),
        (closed, "database_unreachable"),
    ] {
        let output = exsync(
            dir.path(),
            &["check", "--json"],
            &[("EXSYNC_DATABASE_URL", url)],
        );
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        let document: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let line = one(&document, "business_database", None);
        assert_eq!(
            (&line["status"], &line["problem"]),
            (&json!("failed"), &json!(problem))
        );
        assert!(
            line["fix"]
                .as_str()
                .is_some_and(|f| f.contains("database.url")),
            "{line}"
        );
        assert!(
            !text(&output).contains("Pa55word"),
            "the password is masked"
        );
        assert!(!dir.path().join("no").exists(), "check creates no database");
        // The checks that do not need it still run.
        assert_eq!(one(&document, "token", None)["status"], "passed");
    }
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

#[test]
fn exchange_server_and_a_broken_configuration_fail_in_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    business(dir.path(), &[]);
    std::fs::write(
        dir.path().join("server.toml"),
        format!(
            "[database]\nurl = \"sqlite://{}\"\n[exchange]\nkind = \"server\"\n[exchange.server]\n\
             ews_url = \"https://mail.example.com/EWS/Exchange.asmx\"\nusername = \"svc\"\npassword = \"pw\"\n",
            dir.path().join("exsync.db").display()
        ),
    )
    .expect("written");
    let (document, code) = check_json(dir.path(), &dir.path().join("server.toml"), &[]);
    assert_eq!(code, Some(1));
    let failed: Vec<&Value> = document["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1, "{document:#}");
    assert_eq!(failed[0]["check"], "exchange");
    assert_eq!(failed[0]["problem"], "ews_not_supported");
    assert!(
        failed[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("EWS"))
    );

    std::fs::write(
        dir.path().join("bad.toml"),
        "[sync]\nmonths_past = \"six\"\n",
    )
    .expect("written");
    let output = exsync(dir.path(), &["--config", "bad.toml", "check"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let out = text(&output);
    let first = out.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("failed")
            && first.contains("sync.months_past")
            && first.contains("exsync config show"),
        "{out}"
    );
}
