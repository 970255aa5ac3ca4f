//! `exsync check` with `exchange.kind = "server"`: it probes the configured EWS URL with one
//! authenticated request. A tenant with EWS switched off (the emulator's per-tenant switch,
//! HTTP 403 as Exchange Online since October 2026) fails the Exchange line with the advice to
//! use `exchange.kind = "online"`, in English and German; EWS that answers keeps the honest
//! "not supported by this version" line.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Served, business, check_json, exsync, serve, text};

/// `exsync.toml` for EWS at the emulator with its service account (Basic).
fn server_config(served: &Served, dir: &Path) -> PathBuf {
    let d = served.emulator.describe();
    let text = format!(
        "[database]\nurl = \"sqlite://{db}\"\n[exchange]\nkind = \"server\"\n[exchange.server]\n\
         ews_url = \"{url}\"\nauth = \"basic\"\nusername = \"{user}\"\npassword = \"{password}\"\n",
        db = dir.join("exsync.db").display(),
        url = d.ews_url,
        user = d.ews_username,
        password = d.ews_password,
    );
    let path = dir.join("server.toml");
    std::fs::write(&path, text).expect("config written");
    path
}

fn failed(document: &Value) -> Vec<&Value> {
    document["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "failed")
        .collect()
}

#[test]
fn a_tenant_with_ews_switched_off_is_told_to_use_graph() {
    let served = serve(|organisation| organisation.tenants[0].ews_enabled = false);
    let dir = tempfile::tempdir().expect("temp dir");
    business(dir.path(), &[("adele", &served.mailbox(0))]);
    let config = server_config(&served, dir.path());
    let (document, code) = check_json(dir.path(), &config, &[]);
    assert_eq!(code, Some(1));
    let failed = failed(&document);
    assert_eq!(failed.len(), 1, "{document:#}");
    assert_eq!(failed[0]["check"], "exchange");
    assert_eq!(failed[0]["problem"], "ews_disabled", "{document:#}");
    let message = failed[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("403"), "{message}");
    assert!(message.contains(&served.emulator.ews_url()), "{message}");
    let fix = failed[0]["fix"].as_str().unwrap_or_default();
    assert!(fix.contains("exchange.kind = \"online\""), "{fix}");
    let password = served.emulator.describe().ews_password;
    assert!(
        !document.to_string().contains(&password),
        "no secret in the output"
    );

    let config = config.display().to_string();
    let output = exsync(
        dir.path(),
        &["--config", &config, "--lang", "de", "check"],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    let out = text(&output);
    assert!(
        out.contains("EWS ist für diesen Mandanten abgeschaltet")
            && out.contains("exchange.kind = \"online\""),
        "{out}"
    );
}

#[test]
fn ews_that_answers_is_still_not_supported_by_this_version() {
    let served = serve(|_| {});
    let dir = tempfile::tempdir().expect("temp dir");
    business(dir.path(), &[("adele", &served.mailbox(0))]);
    let config = server_config(&served, dir.path());
    let (document, code) = check_json(dir.path(), &config, &[]);
    assert_eq!(code, Some(1));
    let failed = failed(&document);
    assert_eq!(failed.len(), 1, "{document:#}");
    assert_eq!(failed[0]["problem"], "ews_not_supported", "{document:#}");
    // The probe reached EWS: the emulator counted one authenticated GetFolder.
    let counted: u64 = served
        .emulator
        .request_counts()
        .iter()
        .filter(|c| c.operation == "GetFolder")
        .map(|c| c.count)
        .sum();
    assert_eq!(counted, 1);
}
