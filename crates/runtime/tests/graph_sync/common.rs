//! The test world: an emulator, a business database with one user per emulator mailbox, a
//! state store, and the Graph connector; plus `Outlook`, a plain Graph client that plays the
//! user editing items in Outlook.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, Utc};
use exsync_business::{BusinessDb, BusinessDbOptions, NewUser};
use exsync_config::SyncConfig;
use exsync_emulator::{Emulator, EmulatorHandle};
use exsync_engine::Rules;
use exsync_graph::auth::{Credential, TokenProvider};
use exsync_graph::client::{GraphClient, GraphTokens, RetryPolicy};
use exsync_model::TimeZoneName;
use exsync_runtime::graph::GraphConnector;
use exsync_runtime::{OnceOptions, OnceOutcome, rules_from_config, sync_once};
use exsync_store::{StateStore, StoreOptions};
use serde_json::{Value, json};

/// Which database the business side and the state live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct World {
    pub emu: EmulatorHandle,
    pub business: BusinessDb,
    pub state: StateStore,
    pub connector: GraphConnector,
    pub rules: Rules,
    pub sync: SyncConfig,
    pub outlook: Outlook,
    /// (login, mailbox) of the business users.
    pub users: Vec<(String, String)>,
    pub now: DateTime<Utc>,
    pg_schema: Option<String>,
    _dir: tempfile::TempDir,
}

impl World {
    pub async fn new() -> World {
        World::on(Backend::Sqlite).await.expect("sqlite world")
    }

    /// A world on `backend`; `None` when PostgreSQL is asked for but not configured.
    pub async fn on(backend: Backend) -> Option<World> {
        let emu = Emulator::start("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("emulator starts");
        let dir = tempfile::tempdir().expect("tempdir");
        let (business, state, pg_schema) = match backend {
            Backend::Sqlite => {
                let business_url = format!("sqlite://{}", dir.path().join("business.db").display());
                let state_url = format!("sqlite://{}", dir.path().join("state.db").display());
                let business = BusinessDb::connect(&business_url)
                    .await
                    .expect("business db");
                let state = StateStore::connect(&state_url).await.expect("state store");
                (business, state, None)
            }
            Backend::Postgres => {
                let Ok(url) = std::env::var("EXSYNC_TEST_POSTGRES_URL") else {
                    println!("skipping PostgreSQL: EXSYNC_TEST_POSTGRES_URL not set");
                    return None;
                };
                let schema = unique_schema();
                let business = BusinessDb::connect_with(
                    &url,
                    &BusinessDbOptions {
                        schema: Some(schema.clone()),
                        ..BusinessDbOptions::default()
                    },
                )
                .await
                .expect("business db on postgres");
                let state = StateStore::connect_with(StoreOptions::new(url).schema(schema.clone()))
                    .await
                    .expect("state store on postgres");
                (business, state, Some(schema))
            }
        };
        business.init_schema().await.expect("schema");
        let mut users = Vec::new();
        for (i, mailbox) in emu.mailboxes().iter().enumerate() {
            let login = format!("user{i}");
            business
                .add_user(&NewUser {
                    login: login.clone(),
                    display_name: mailbox.display_name.clone(),
                    mailbox: Some(mailbox.mail.clone()),
                    enabled: true,
                })
                .await
                .expect("user added");
            users.push((login, mailbox.mail.clone()));
        }
        let connector = connector_for(&emu);
        let outlook = Outlook::new(&emu).await;
        let sync = SyncConfig::default();
        let rules = rules_from_config(&exsync_config::Config::default()).expect("rules");
        Some(World {
            emu,
            business,
            state,
            connector,
            rules,
            sync,
            outlook,
            users,
            now: Utc::now(),
            pg_schema,
            _dir: dir,
        })
    }

    /// The world's scratch directory.
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn login(&self, i: usize) -> &str {
        &self.users[i].0
    }

    pub fn mailbox(&self, i: usize) -> &str {
        &self.users[i].1
    }

    /// One pass for everybody; panics when anything failed.
    pub async fn sync(&self) -> OnceOutcome {
        let outcome = self.sync_allowing_failures().await;
        assert!(
            !outcome.failed(),
            "the pass failed:\n{}",
            describe(&outcome)
        );
        outcome
    }

    /// One pass for everybody through `connector` (e.g. an incremental one); panics when
    /// anything failed.
    pub async fn sync_with(&self, connector: &GraphConnector) -> OnceOutcome {
        let outcome = sync_once(
            &self.business,
            &self.state,
            &self.rules,
            &self.sync,
            connector,
            &OnceOptions::default(),
            self.now,
        )
        .await
        .expect("the run starts");
        assert!(
            !outcome.failed(),
            "the pass failed:\n{}",
            describe(&outcome)
        );
        outcome
    }

    /// One pass for everybody.
    pub async fn sync_allowing_failures(&self) -> OnceOutcome {
        sync_once(
            &self.business,
            &self.state,
            &self.rules,
            &self.sync,
            &self.connector,
            &OnceOptions::default(),
            self.now,
        )
        .await
        .expect("the run starts")
    }

    /// Drops the PostgreSQL schema, if any.
    pub async fn finish(self) {
        if let Some(schema) = &self.pg_schema {
            let url = std::env::var("EXSYNC_TEST_POSTGRES_URL").expect("url");
            self.business.close().await;
            let admin = sqlx::PgPool::connect(&url).await.expect("admin connects");
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE"
            )))
            .execute(&admin)
            .await
            .expect("schema dropped");
        }
    }
}

fn unique_schema() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "exsync_rt_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// A Graph connector for the emulator's sample app with `retry`.
pub fn connector_with_retry(emu: &EmulatorHandle, retry: RetryPolicy) -> GraphConnector {
    let provider = TokenProvider::new(
        emu.token_url(),
        emu.client_id(),
        Credential::Secret(emu.client_secret().into()),
    );
    let tokens = Arc::new(GraphTokens::new(Arc::new(provider)));
    let client = GraphClient::new(emu.graph_url(), tokens).with_retry(retry);
    GraphConnector::new(
        Arc::new(client),
        TimeZoneName::new("Europe/Berlin").expect("zone"),
        None,
        "Company addresses",
    )
}

impl World {
    /// Syncs only the first user and only `kind` (the other users are switched off, the other
    /// kinds' direction is off): one mailbox, one kind, a fixed request order.
    pub async fn only_first_user_and(&mut self, kind: exsync_model::ItemKind) {
        for i in 1..self.users.len() {
            self.business
                .set_user(
                    &self.users[i].0,
                    &exsync_business::UserChange {
                        enabled: Some(false),
                        ..exsync_business::UserChange::default()
                    },
                )
                .await
                .expect("user switched off");
        }
        for other in [
            exsync_model::ItemKind::Appointment,
            exsync_model::ItemKind::Task,
            exsync_model::ItemKind::Contact,
        ] {
            if other != kind {
                self.rules
                    .set_direction(other, exsync_engine::Direction::Off);
            }
        }
    }
}

/// A Graph connector for the emulator's sample app, with short retry waits.
pub fn connector_for(emu: &EmulatorHandle) -> GraphConnector {
    connector_with_folder(emu, "Company addresses")
}

/// As [`connector_for`], exporting the address book into the contact folder `folder`.
pub fn connector_with_folder(emu: &EmulatorHandle, folder: &str) -> GraphConnector {
    let provider = TokenProvider::new(
        emu.token_url(),
        emu.client_id(),
        Credential::Secret(emu.client_secret().into()),
    );
    let tokens = Arc::new(GraphTokens::new(Arc::new(provider)));
    let client = GraphClient::new(emu.graph_url(), tokens).with_retry(RetryPolicy {
        max_attempts: 6,
        base_delay: std::time::Duration::from_millis(20),
        max_delay: std::time::Duration::from_secs(3),
    });
    GraphConnector::new(
        Arc::new(client),
        TimeZoneName::new("Europe/Berlin").expect("zone"),
        None,
        folder,
    )
}

/// Every report of an outcome, for assertion messages.
pub fn describe(outcome: &OnceOutcome) -> String {
    let mut text: Vec<String> = outcome.reports.iter().map(ToString::to_string).collect();
    for (login, reason) in &outcome.skipped_users {
        text.push(format!("{login}: {reason}"));
    }
    text.join("\n")
}

/// Sums a count over every report of `kind`.
pub fn total(outcome: &OnceOutcome, count: impl Fn(&exsync_runtime::KindReport) -> usize) -> usize {
    outcome.reports.iter().map(count).sum()
}

/// True when the pass wrote nothing anywhere.
pub fn quiet(outcome: &OnceOutcome) -> bool {
    outcome
        .reports
        .iter()
        .all(|r| !r.exchange.any() && !r.business.any())
}

/// A plain Graph client: what a user does in Outlook.
pub struct Outlook {
    http: reqwest::Client,
    graph: String,
    token: String,
}

impl Outlook {
    async fn new(emu: &EmulatorHandle) -> Outlook {
        let http = reqwest::Client::new();
        let answer: Value = http
            .post(emu.token_url())
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &emu.client_id()),
                ("client_secret", &emu.client_secret()),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await
            .expect("token request")
            .json()
            .await
            .expect("token json");
        Outlook {
            http,
            graph: emu.graph_url(),
            token: answer["access_token"].as_str().expect("token").to_owned(),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{}", self.graph, path))
            .bearer_auth(&self.token)
            .header("Prefer", "outlook.timezone=\"UTC\"");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("graph answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(reqwest::Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// The status of a GET (for answers that are not 200).
    pub async fn status(&self, path: &str) -> u16 {
        self.call(reqwest::Method::GET, path, None).await.0
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.call(reqwest::Method::POST, path, Some(body)).await;
        assert!(
            status == 201 || status == 200,
            "POST {path}: {status} {answer}"
        );
        answer
    }

    pub async fn patch(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.call(reqwest::Method::PATCH, path, Some(body)).await;
        assert_eq!(status, 200, "PATCH {path}: {answer}");
        answer
    }

    pub async fn delete(&self, path: &str) {
        let (status, answer) = self.call(reqwest::Method::DELETE, path, None).await;
        assert_eq!(status, 204, "DELETE {path}: {answer}");
    }

    /// Every event (single items and series masters) of a mailbox.
    pub async fn events(&self, mailbox: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut next = Some(format!("/users/{mailbox}/events?$top=1000"));
        while let Some(path) = next.take() {
            let page = self.get(&path).await;
            all.extend(page["value"].as_array().cloned().unwrap_or_default());
            next = page["@odata.nextLink"]
                .as_str()
                .map(|link| link.trim_start_matches(&self.graph).to_owned());
        }
        all
    }

    /// The events of a mailbox with this subject.
    pub async fn events_titled(&self, mailbox: &str, subject: &str) -> Vec<Value> {
        self.events(mailbox)
            .await
            .into_iter()
            .filter(|e| e["subject"].as_str() == Some(subject))
            .collect()
    }

    /// Creates a single event as a user would in Outlook.
    pub async fn create_event(
        &self,
        mailbox: &str,
        subject: &str,
        start: &str,
        end: &str,
    ) -> Value {
        self.post(
            &format!("/users/{mailbox}/events"),
            json!({
                "subject": subject,
                "start": {"dateTime": start, "timeZone": "W. Europe Standard Time"},
                "end": {"dateTime": end, "timeZone": "W. Europe Standard Time"},
            }),
        )
        .await
    }
}
