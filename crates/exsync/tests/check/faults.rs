//! Each fault fails its own line, with the reason and the fix, and the exit code is 1; the
//! checks that do not depend on it still run.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::common::{business, check_json, exsync, lines, one, serve, text};

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
fn exchange_server_and_a_broken_configuration_fail_in_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    business(dir.path(), &[]);
    std::fs::write(
        dir.path().join("server.toml"),
        format!(
            "[database]\nurl = \"sqlite://{}\"\n[exchange]\nkind = \"server\"\n[exchange.server]\n\
             ews_url = \"http://127.0.0.1:1/EWS/Exchange.asmx\"\nusername = \"svc\"\npassword = \"pw\"\n",
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

#[test]
fn a_state_database_that_is_down_fails_its_line() {
    let served = serve(|_| {});
    let dir = tempfile::tempdir().expect("temp dir");
    business(dir.path(), &[("adele", &served.mailbox(0))]);
    let config = served.config(dir.path(), &served.emulator.client_secret(), "");
    let text = std::fs::read_to_string(&config).expect("config").replace(
        "[exchange]",
        "state_url = \"postgres://exsync:Pa55word@127.0.0.1:1/state\"\n\n[exchange]",
    );
    std::fs::write(&config, text).expect("config written");
    let (document, code) = check_json(dir.path(), &config, &[]);
    assert_eq!(code, Some(1));
    let state = one(&document, "state_database", None);
    assert_eq!(state["problem"], "state_unreachable", "{state}");
    assert!(
        state["message"]
            .as_str()
            .is_some_and(|m| m.contains("127.0.0.1:1") && !m.contains("Pa55word")),
        "{state}"
    );
    assert_eq!(
        one(&document, "business_database", None)["status"],
        "passed"
    );
    assert_eq!(one(&document, "mailbox", None)["status"], "passed");
}

#[test]
fn a_certificate_with_a_key_of_another_fails_the_token_line() {
    let served = serve(|_| {});
    let dir = tempfile::tempdir().expect("temp dir");
    business(dir.path(), &[]);
    let other_key = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../emulator/testdata/other-key.pem"
    ))
    .expect("test key");
    let pem = dir.path().join("mismatched.pem");
    std::fs::write(
        &pem,
        format!(
            "{}{other_key}",
            exsync_emulator::client_assertion::SAMPLE_CERTIFICATE_PEM
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
    assert_eq!(code, Some(1));
    assert_eq!(one(&document, "configuration", None)["status"], "passed");
    let token = one(&document, "token", None);
    assert_eq!(token["problem"], "certificate_unreadable", "{token}");
    assert!(
        token["message"]
            .as_str()
            .is_some_and(|m| m.contains("mismatched.pem") && m.contains("does not belong")),
        "{token}"
    );
    assert!(
        token["fix"]
            .as_str()
            .is_some_and(|f| f.contains("exchange.online.certificate_file"))
    );
    assert_eq!(
        one(&document, "credential_expiry", None)["status"],
        "skipped"
    );
}
