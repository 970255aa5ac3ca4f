//! Helpers of the `exsync check` tests: an emulator organisation served in this process (with
//! a fault staged), its configuration for the binary, a business database, running the binary
//! and reading its JSON document.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use exsync_business::{BusinessDb, NewUser};
use exsync_emulator::{Emulator, EmulatorHandle, Organisation};
use serde_json::Value;

/// An emulator served in this process while the binary talks to it.
pub struct Served {
    pub emulator: EmulatorHandle,
    pub runtime: tokio::runtime::Runtime,
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

/// The sample organisation, changed by `stage` (the fault under test).
pub fn serve(stage: impl FnOnce(&mut Organisation)) -> Served {
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
    pub fn mailbox(&self, n: usize) -> String {
        self.emulator.mailboxes()[n].mail.clone()
    }

    /// `exsync.toml` for Exchange Online at this emulator, with `secret` and `extra` lines in
    /// `[exchange.online]`.
    pub fn config(&self, dir: &Path, secret: &str, extra: &str) -> PathBuf {
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
    pub fn graph(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
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
pub fn business(dir: &Path, users: &[(&str, &str)]) -> String {
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

pub fn exsync(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
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

pub fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// `exsync --config CONFIG check --json`: the document and the exit code.
pub fn check_json(dir: &Path, config: &Path, extra: &[&str]) -> (Value, Option<i32>) {
    let config = config.display().to_string();
    let mut args = vec!["--config", config.as_str(), "check", "--json"];
    args.extend_from_slice(extra);
    let output = exsync(dir, &args, &[]);
    let document = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&output)));
    (document, output.status.code())
}

/// The lines of one check (and subject, when given).
pub fn lines<'a>(document: &'a Value, check: &str, subject: Option<&str>) -> Vec<&'a Value> {
    document["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["check"] == check)
        .filter(|c| subject.is_none_or(|s| c["subject"].as_str().is_some_and(|t| t.contains(s))))
        .collect()
}

pub fn one<'a>(document: &'a Value, check: &str, subject: Option<&str>) -> &'a Value {
    let found = lines(document, check, subject);
    assert_eq!(found.len(), 1, "{check} {subject:?} in {document:#}");
    found[0]
}

pub fn statuses(document: &Value) -> BTreeSet<String> {
    document["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["status"].as_str().unwrap_or_default().to_owned())
        .collect()
}
