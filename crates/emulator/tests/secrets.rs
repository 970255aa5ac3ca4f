//! Secrets and tokens never reach a log line or a response they do not belong in.
//!
//! A test binary of its own: it installs a process-wide tracing subscriber that captures every
//! log line of the emulator, which a per-thread subscriber cannot do reliably while other
//! tests run in the same process.

#[path = "emulator/common.rs"]
#[allow(dead_code)]
mod common;

use std::io;
use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::Value;

use crate::common::{GRAPH_SCOPE, berlin_event, start};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

#[tokio::test]
async fn no_secret_or_token_is_logged_or_echoed() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("first and only subscriber");

    let env = start().await;
    let (client, secret) = (env.emu.client_id(), env.emu.client_secret());
    let ews_password = env.emu.describe().ews_password;
    let mut responses: Vec<Value> = Vec::new();
    let token = env.token().await;
    // A near miss of the secret, an expired secret, an unknown app: none is echoed.
    let near_miss = format!("{secret}x");
    for (id, s) in [
        (client.as_str(), near_miss.as_str()),
        ("0000", secret.as_str()),
    ] {
        let (_, body) = env
            .token_request(&[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", s),
                ("scope", GRAPH_SCOPE),
            ])
            .await;
        responses.push(body);
    }
    env.emu.expire_client_secrets(&client);
    let (_, body) = env
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client),
            ("client_secret", &secret),
            ("scope", GRAPH_SCOPE),
        ])
        .await;
    responses.push(body);
    // Graph calls with the token, good and bad.
    let user = env.mailbox(0);
    let created = env.create(&token, &user, &berlin_event("Log me")).await;
    responses.push(created);
    let path = format!("/users/{user}/events");
    let (_, _, body) = env.graph(Method::GET, &path, &token, &[], None).await;
    responses.push(body);
    let (_, _, body) = env
        .graph(Method::GET, "/users/nobody@x/events", &token, &[], None)
        .await;
    responses.push(body);

    let log = capture.text();
    assert!(
        log.contains("token issued"),
        "the emulator logged nothing:\n{log}"
    );
    assert!(log.contains("token refused"), "{log}");
    assert!(log.contains("/v1.0/users/"), "{log}");
    for (what, needle) in [
        ("client secret", secret.as_str()),
        ("near-miss secret", near_miss.as_str()),
        ("access token", token.as_str()),
        ("EWS password", ews_password.as_str()),
    ] {
        assert!(!log.contains(needle), "{what} in the log");
        for body in &responses {
            assert!(
                !body.to_string().contains(needle),
                "{what} in a response: {body}"
            );
        }
    }
    // The token's signature part alone must not leak either.
    let signature = token.rsplit('.').next().expect("signature");
    assert!(!log.contains(signature));
    // Debug output of the running emulator and its description hides credentials too.
    let shown = format!(
        "{:?} {:?} {:?}",
        env.emu,
        env.emu.describe(),
        env.emu.store()
    );
    assert!(!shown.contains(&secret) && !shown.contains(&token) && !shown.contains(&ews_password));
}
