//! Client assertions never reach a log line: a binary of its own, because it installs a
//! process-wide tracing subscriber that captures everything the emulator logs (as
//! `tests/secrets.rs` does for secrets and tokens).

#[path = "emulator/common.rs"]
#[allow(dead_code)]
mod common;
#[path = "emulator/jwt.rs"]
mod jwt;

use std::io;
use std::sync::{Arc, Mutex};

use exsync_emulator::client_assertion::{JWT_BEARER, SAMPLE_PRIVATE_KEY_PEM, sample_certificate};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{GRAPH_SCOPE, start};
use crate::jwt::{Alg, OTHER_KEY_PEM, claims, sign};

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

#[tokio::test]
async fn no_assertion_is_logged_or_echoed() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("first and only subscriber");

    let env = start().await;
    let client = env.emu.client_id();
    let cert = sample_certificate().expect("sample certificate");
    let header = json!({"alg": "PS256", "x5t#S256": cert.x5t_s256()});
    let good = claims(&client, &env.emu.token_url());
    let mut expired = good.clone();
    expired["exp"] = json!(0);
    let assertions = [
        sign(Alg::Ps256, &header, &good, SAMPLE_PRIVATE_KEY_PEM),
        sign(Alg::Ps256, &header, &good, OTHER_KEY_PEM),
        sign(Alg::Ps256, &header, &expired, SAMPLE_PRIVATE_KEY_PEM),
        sign(
            Alg::Rs256,
            &json!({"alg": "RS256", "x5t": cert.x5t()}),
            &claims(&client, "https://elsewhere.example/token"),
            SAMPLE_PRIVATE_KEY_PEM,
        ),
        "eyJhbGciOiJub25lIn0.eyJzZWNyZXQiOiJ4In0.bm90LWEtc2lnbmF0dXJl".to_owned(),
    ];
    let mut statuses = Vec::new();
    let mut bodies = String::new();
    for assertion in &assertions {
        let (status, body) = env
            .token_request(&[
                ("grant_type", "client_credentials"),
                ("client_id", &client),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", assertion),
                ("scope", GRAPH_SCOPE),
            ])
            .await;
        statuses.push(status);
        bodies.push_str(&body.to_string());
    }
    assert_eq!(statuses[0], StatusCode::OK);
    assert!(
        statuses[1..].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    env.emu.stop().await;

    let logged =
        String::from_utf8_lossy(&capture.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    assert!(
        logged.contains("token refused"),
        "the emulator logged its refusals: {logged}"
    );
    for assertion in &assertions {
        for (n, part) in assertion.split('.').enumerate() {
            assert!(
                !logged.contains(part),
                "part {n} of an assertion logged: {logged}"
            );
            assert!(
                !bodies.contains(part),
                "part {n} of an assertion echoed: {bodies}"
            );
        }
    }
}
