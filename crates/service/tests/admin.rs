//! The admin endpoint on a real listener: every route, the token rule, readiness, the
//! metrics text built from recorded `KindReport`s, and the texts for people in the language
//! `Accept-Language` asks for.

use std::net::SocketAddr;

use chrono::Utc;
use exsync_model::ItemKind;
use exsync_runtime::KindReport;
use exsync_service::{
    AdminError, CredentialKind, CredentialSetting, ExpiryState, NotReady, Readiness, StatusBoard,
    StatusSnapshot, serve, serve_listener,
};
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

struct Running {
    base: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), AdminError>>,
}

impl Running {
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let served = self.task.await.expect("server task");
        assert!(served.is_ok(), "{served:?}");
    }
}

async fn start(token: Option<&str>, board: StatusBoard, readiness: Readiness) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    let token = token.map(|t| SecretString::from(t.to_owned()));
    let task = tokio::spawn(serve_listener(
        listener,
        token,
        board,
        readiness,
        async move {
            let _ = stopped.await;
        },
    ));
    Running {
        base: format!("http://{addr}"),
        stop: Some(stop),
        task,
    }
}

fn recorded_board() -> StatusBoard {
    let board = StatusBoard::new();
    let now = Utc::now();
    let mut tasks = KindReport::new("eva", "eva@x.example", ItemKind::Task);
    tasks.exchange.created = 3;
    tasks.exchange.updated = 1;
    tasks.business.deleted = 2;
    tasks.reject(
        "business 7",
        "the subject is empty: give the task a subject",
    );
    board.record_pass(&tasks, now);
    let mut contacts = KindReport::new("eva", "eva@x.example", ItemKind::Contact);
    contacts.held = Some("40 deletions held".into());
    board.record_pass(&contacts, now);
    let mut failed = KindReport::new(
        "bob",
        "bob \"the\" \\ builder@x.example",
        ItemKind::Appointment,
    );
    failed.failure = Some("mailbox not found".into());
    board.record_pass(&failed, now);
    board.set_pending(
        "eva",
        "eva@x.example",
        5,
        Some(now - chrono::Duration::seconds(120)),
    );
    board.set_throttles(7);
    board.set_credential(Some(CredentialSetting {
        kind: CredentialKind::ClientSecret,
        expires_on: Some((now + chrono::Duration::days(30)).date_naive()),
        warning_days: 30,
    }));
    board
}

/// Parses every non-comment line as `name{labels} value` and returns (name+labels, value).
fn parse_metrics(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("a space before the value");
            let name_end = series.find('{').unwrap_or(series.len());
            let name = &series[..name_end];
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
                "bad metric name in {line:?}"
            );
            if name_end < series.len() {
                assert!(series.ends_with('}'), "unclosed labels in {line:?}");
            }
            (
                series.to_owned(),
                value.parse::<f64>().expect("numeric value"),
            )
        })
        .collect()
}

fn value_of(samples: &[(String, f64)], series: &str) -> Option<f64> {
    samples.iter().find(|(s, _)| s == series).map(|(_, v)| *v)
}

#[tokio::test]
async fn metrics_expose_the_recorded_counts_in_text_format() {
    let server = start(None, recorded_board(), Readiness::new()).await;
    let response = reqwest::get(format!("{}/metrics", server.base))
        .await
        .expect("get");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.expect("body");
    assert!(
        text.contains("# TYPE exsync_items_written_total counter"),
        "{text}"
    );
    let samples = parse_metrics(&text);
    let expect = |series: &str, value: f64| {
        assert_eq!(
            value_of(&samples, series),
            Some(value),
            "{series} in\n{text}"
        );
    };
    expect("exsync_passes_total{result=\"ok\"}", 2.0);
    expect("exsync_passes_total{result=\"failed\"}", 1.0);
    expect(
        "exsync_items_written_total{side=\"exchange\",kind=\"task\",operation=\"created\"}",
        3.0,
    );
    expect(
        "exsync_items_written_total{side=\"exchange\",kind=\"task\",operation=\"updated\"}",
        1.0,
    );
    expect(
        "exsync_items_written_total{side=\"business\",kind=\"task\",operation=\"deleted\"}",
        2.0,
    );
    expect("exsync_items_rejected_total{kind=\"task\"}", 1.0);
    expect("exsync_throttled_total", 7.0);
    expect("exsync_errors_total", 1.0);
    expect("exsync_mailbox_pending{mailbox=\"eva@x.example\"}", 5.0);
    expect("exsync_mailbox_held{mailbox=\"eva@x.example\"}", 1.0);
    expect(
        "exsync_mailbox_held{mailbox=\"bob \\\"the\\\" \\\\ builder@x.example\"}",
        0.0,
    );
    let lag = value_of(
        &samples,
        "exsync_mailbox_lag_seconds{mailbox=\"eva@x.example\"}",
    );
    assert!(lag.is_some_and(|lag| lag >= 120.0), "{text}");
    let expiry = value_of(&samples, "exsync_client_secret_expiry_seconds").expect("expiry");
    assert!(
        expiry > 29.0 * 86_400.0 && expiry <= 30.0 * 86_400.0,
        "{expiry}"
    );
    server.stop().await;
}

#[tokio::test]
async fn status_returns_the_snapshot_as_json_and_healthz_is_ok() {
    let server = start(None, recorded_board(), Readiness::new()).await;
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .expect("get");
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.expect("body").trim(), "ok");

    let response = reqwest::get(format!("{}/status", server.base))
        .await
        .expect("get");
    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("body");
    let snapshot: StatusSnapshot = serde_json::from_str(&body).expect("snapshot JSON");
    let eva = snapshot
        .mailboxes
        .iter()
        .find(|m| m.login == "eva")
        .expect("eva listed");
    assert_eq!(eva.pending, 5);
    assert_eq!(eva.held.as_deref(), Some("40 deletions held"));
    assert!(eva.last_success.is_some());
    let bob = snapshot
        .mailboxes
        .iter()
        .find(|m| m.login == "bob")
        .expect("bob listed");
    assert_eq!(bob.last_success, None);
    assert_eq!(bob.last_error.as_deref(), Some("mailbox not found"));
    let credential = snapshot.credential.expect("the credential is reported");
    assert_eq!(credential.kind, CredentialKind::ClientSecret);
    assert_eq!(credential.days_left, Some(30));
    assert_eq!(credential.state, ExpiryState::ExpiresSoon);
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(json["credential"]["days_left"], 30, "{body}");
    assert_eq!(json["credential"]["state"], "expires_soon", "{body}");
    server.stop().await;
}

/// GET `path` with `Accept-Language: accept`; status and body.
async fn get_in(base: &str, path: &str, accept: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .header("Accept-Language", accept)
        .send()
        .await
        .expect("get");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

#[tokio::test]
async fn texts_for_people_follow_accept_language_and_field_names_stay_english() {
    let readiness = Readiness::new();
    readiness.set_not_ready(NotReady::LeasesSlow);
    let server = start(None, recorded_board(), readiness.clone()).await;

    let (code, german) = get_in(&server.base, "/status", "de-DE,de;q=0.9,en;q=0.8").await;
    assert_eq!(code, 200);
    let json: serde_json::Value = serde_json::from_str(&german).expect("JSON");
    let message = json["credential"]["message"].as_str().expect("a message");
    assert!(
        message.starts_with("Der geheime Clientschlüssel läuft am ")
            && message.contains("(in 30 Tagen)")
            && message.contains("exchange.online.client_secret_expires_on"),
        "{message}"
    );
    assert_eq!(json["mailboxes"][1]["login"], "eva", "{german}");
    assert!(json["mailboxes"][1]["last_success"].is_string(), "{german}");
    let (_, english) = get_in(&server.base, "/status", "en-GB").await;
    let json: serde_json::Value = serde_json::from_str(&english).expect("JSON");
    let message = json["credential"]["message"].as_str().expect("a message");
    assert!(
        message.starts_with("the client secret expires on ") && message.contains("in 30 days"),
        "{message}"
    );

    let (code, body) = get_in(&server.base, "/readyz", "de").await;
    assert_eq!(code, 503);
    assert_eq!(
        body,
        "nicht bereit: Das Erneuern der Reservierungen (Leases) der Postfächer dauert zu lange.\n"
    );
    let (_, body) = get_in(&server.base, "/readyz", "en").await;
    assert_eq!(
        body,
        "not ready: renewing the mailbox leases takes too long\n"
    );
    readiness.set_ready();
    let (code, body) = get_in(&server.base, "/readyz", "de").await;
    assert_eq!((code, body.as_str()), (200, "bereit\n"));
    server.stop().await;

    let server = start(Some("s3cret-admin"), StatusBoard::new(), Readiness::new()).await;
    let (code, body) = get_in(&server.base, "/status", "de").await;
    assert_eq!(code, 401);
    assert_eq!(body, "Ein gültiges Admin-Token ist erforderlich.\n");
    server.stop().await;
}

#[tokio::test]
async fn readyz_flips_from_503_with_the_reason_to_200() {
    let readiness = Readiness::new();
    let server = start(None, StatusBoard::new(), readiness.clone()).await;
    readiness.set_not_ready("business database unreachable");
    let response = reqwest::get(format!("{}/readyz", server.base))
        .await
        .expect("get");
    assert_eq!(response.status(), 503);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("business database unreachable")
    );
    readiness.set_ready();
    let response = reqwest::get(format!("{}/readyz", server.base))
        .await
        .expect("get");
    assert_eq!(response.status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn with_a_token_every_route_but_healthz_requires_the_bearer() {
    let readiness = Readiness::new();
    readiness.set_ready();
    let server = start(Some("s3cret-admin"), StatusBoard::new(), readiness).await;
    let client = reqwest::Client::new();
    for route in ["/readyz", "/metrics", "/status"] {
        let url = format!("{}{route}", server.base);
        let without = client.get(&url).send().await.expect("get");
        assert_eq!(without.status(), 401, "{route} without a token");
        let body = without.text().await.expect("body");
        assert!(!body.contains("s3cret-admin"), "the token leaks in {body}");
        let wrong = client
            .get(&url)
            .bearer_auth("s3cret-admiN")
            .send()
            .await
            .expect("get");
        assert_eq!(wrong.status(), 401, "{route} with a wrong token");
        let with = client
            .get(&url)
            .bearer_auth("s3cret-admin")
            .send()
            .await
            .expect("get");
        assert_eq!(with.status(), 200, "{route} with the token");
    }
    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .expect("get");
    assert_eq!(health.status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn serving_on_all_interfaces_without_a_token_is_refused() {
    let addr: SocketAddr = "0.0.0.0:0".parse().expect("address");
    let refused = serve(addr, None, StatusBoard::new(), Readiness::new(), async {}).await;
    let error = refused.expect_err("must refuse");
    assert!(
        matches!(error, AdminError::TokenRequired { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("admin.token"), "{error}");
}

#[tokio::test]
async fn an_empty_token_counts_as_none_and_is_refused_off_loopback() {
    let addr: SocketAddr = "0.0.0.0:0".parse().expect("address");
    let empty = Some(SecretString::from(String::new()));
    let refused = serve(addr, empty, StatusBoard::new(), Readiness::new(), async {}).await;
    assert!(
        matches!(refused, Err(AdminError::TokenRequired { .. })),
        "{refused:?}"
    );
}
