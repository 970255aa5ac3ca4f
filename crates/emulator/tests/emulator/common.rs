//! Helpers shared by the integration tests: start an emulator, get a token, call Graph.

use std::net::SocketAddr;

use exsync_emulator::{Emulator, EmulatorHandle};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

pub struct Env {
    pub emu: EmulatorHandle,
    pub http: Client,
}

pub async fn start() -> Env {
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let emu = Emulator::start(addr).await.expect("emulator starts");
    Env {
        emu,
        http: Client::new(),
    }
}

impl Env {
    pub fn mailbox(&self, n: usize) -> String {
        self.emu.mailboxes()[n].mail.clone()
    }

    pub async fn token_request(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.emu.token_url())
            .form(form)
            .send()
            .await
            .expect("token request");
        let status = response.status();
        (status, response.json().await.expect("json body"))
    }

    pub async fn token(&self) -> String {
        let (secret, client) = (self.emu.client_secret(), self.emu.client_id());
        let (status, body) = self
            .token_request(&[
                ("grant_type", "client_credentials"),
                ("client_id", &client),
                ("client_secret", &secret),
                ("scope", GRAPH_SCOPE),
            ])
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().expect("token").to_owned()
    }

    /// A Graph call; `path` is relative to `/v1.0`.
    pub async fn graph(
        &self,
        method: Method,
        path: &str,
        token: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.emu.graph_url()))
            .bearer_auth(token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("graph request");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("json body")
        };
        (status, headers, value)
    }

    pub async fn create(&self, token: &str, user: &str, body: &Value) -> Value {
        let path = format!("/users/{user}/events");
        let (status, _, created) = self
            .graph(Method::POST, &path, token, &[], Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created
    }
}

/// A plain timed event in Berlin time.
pub fn berlin_event(subject: &str) -> Value {
    json!({
        "subject": subject,
        "body": {"contentType": "text", "content": "Agenda: budget"},
        "start": {"dateTime": "2026-07-15T09:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-07-15T10:30:00", "timeZone": "Europe/Berlin"},
        "location": {"displayName": "Room 1"},
        "categories": ["Kunde"],
    })
}

/// Asserts Graph's error envelope and returns its code.
pub fn error_code(body: &Value) -> &str {
    let error = &body["error"];
    let inner = &error["innerError"];
    assert!(error["message"].is_string(), "{body}");
    assert!(inner["date"].is_string(), "{body}");
    assert!(inner["request-id"].is_string(), "{body}");
    assert!(inner["client-request-id"].is_string(), "{body}");
    error["code"].as_str().expect("code")
}
