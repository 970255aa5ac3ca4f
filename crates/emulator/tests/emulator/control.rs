//! The control API (`/_emulator/...`) and the fault knobs: request counts, error rates with a
//! seed, latency, dropped connections, lost answers, throttle now, expiring delta tokens and
//! secrets, token lifetime; and the same knobs as `EmulatorHandle` methods.

use std::time::{Duration, Instant};

use base64::Engine;
use exsync_emulator::control::{ControlError, Protocol};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Env, GRAPH_SCOPE, error_code, start};

impl Env {
    pub(crate) async fn control(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let url = format!("{}/_emulator{path}", self.emu.base_url());
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("control request");
        let status = response.status();
        (status, response.json().await.expect("control answers JSON"))
    }

    async fn events_status(&self, token: &str) -> StatusCode {
        let path = format!("/users/{}/events", self.mailbox(0));
        self.graph(Method::GET, &path, token, &[], None).await.0
    }

    async fn get_folder(&self, mailbox: &str) -> (StatusCode, String) {
        let op = "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>\
                  <m:FolderIds><t:DistinguishedFolderId Id=\"calendar\"/></m:FolderIds>\
                  </m:GetFolder>";
        self.ews(mailbox, op).await
    }

    async fn sync(&self, mailbox: &str, state: Option<&str>) -> (StatusCode, String) {
        let state = state
            .map(|s| format!("<m:SyncState>{s}</m:SyncState>"))
            .unwrap_or_default();
        let op = format!(
            "<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>\
             <m:SyncFolderId><t:DistinguishedFolderId Id=\"calendar\"/></m:SyncFolderId>\
             {state}<m:MaxChangesReturned>100</m:MaxChangesReturned></m:SyncFolderItems>"
        );
        self.ews(mailbox, &op).await
    }

    async fn ews(&self, mailbox: &str, op: &str) -> (StatusCode, String) {
        let user = self.emu.describe().ews_username;
        let password = self.emu.describe().ews_password;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope \
             xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" \
             xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><soap:Header>\
             <t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>{mailbox}\
             </t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header>\
             <soap:Body>{op}</soap:Body></soap:Envelope>"
        );
        let response = self
            .http
            .post(self.emu.ews_url())
            .header("Authorization", format!("Basic {basic}"))
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(xml)
            .send()
            .await
            .expect("ews request");
        let status = response.status();
        (status, response.text().await.expect("body"))
    }
}

fn count(counts: &Value, protocol: &str, operation: &str, mailbox: &str) -> u64 {
    counts["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .find(|c| {
            c["protocol"] == protocol && c["operation"] == operation && c["mailbox"] == mailbox
        })
        .and_then(|c| c["count"].as_u64())
        .unwrap_or(0)
}

#[tokio::test]
async fn requests_are_counted_per_protocol_operation_and_mailbox_and_reset() {
    let env = start().await;
    let token = env.token().await;
    let (mail, id) = (env.mailbox(0), env.emu.mailboxes()[0].id.clone());
    for user in [&mail, &id] {
        let path = format!("/users/{user}/events/AAMkNoSuchItem");
        env.graph(Method::GET, &path, &token, &[], None).await;
    }
    assert_eq!(env.events_status(&token).await, StatusCode::OK);
    let (status, _) = env.get_folder(&mail).await;
    assert_eq!(status, StatusCode::OK);

    let (status, counts) = env.control(Method::GET, "/requests", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(count(&counts, "token", "token", ""), 1, "{counts}");
    assert_eq!(
        count(&counts, "graph", "GET events/{id}", &mail),
        2,
        "{counts}"
    );
    assert_eq!(count(&counts, "graph", "GET events", &mail), 1, "{counts}");
    assert_eq!(count(&counts, "ews", "GetFolder", &mail), 1, "{counts}");
    assert_eq!(
        counts["total"], 5,
        "control requests are not counted: {counts}"
    );
    assert_eq!(env.emu.request_counts().len(), 4);

    let (status, _) = env.control(Method::DELETE, "/requests", None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, counts) = env.control(Method::GET, "/requests", None).await;
    assert_eq!(counts["total"], 0, "{counts}");
    env.emu.stop().await;
}

#[tokio::test]
async fn error_rates_follow_the_seed_and_speak_each_protocol() {
    let env = start().await;
    let token = env.token().await;
    let rate = json!({"protocol": "graph", "status": 503, "rate": 0.5});
    assert_eq!(
        env.control(Method::PUT, "/error-rate", Some(rate)).await.0,
        StatusCode::OK
    );
    let mut runs = Vec::new();
    for _ in 0..2 {
        let seed = json!({"seed": 42});
        assert_eq!(
            env.control(Method::PUT, "/seed", Some(seed)).await.0,
            StatusCode::OK
        );
        let mut statuses = Vec::new();
        for _ in 0..24 {
            statuses.push(env.events_status(&token).await);
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1], "the same seed gives the same faults");
    assert!(
        runs[0].contains(&StatusCode::OK) && runs[0].contains(&StatusCode::SERVICE_UNAVAILABLE)
    );

    env.emu
        .set_error_rate(Protocol::Graph, 503, 1.0)
        .expect("valid");
    let path = format!("/users/{}/events", env.mailbox(0));
    let (status, headers, body) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_code(&body), "ServiceUnavailable");
    assert_eq!(headers["retry-after"], "1");

    let ews = json!({"protocol": "ews", "rate": 1.0});
    assert_eq!(
        env.control(Method::PUT, "/error-rate", Some(ews)).await.0,
        StatusCode::OK
    );
    let (status, text) = env.get_folder(&env.mailbox(0)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        text.contains("a:ErrorServerBusy") && text.contains("BackOffMilliseconds"),
        "{text}"
    );

    let (_, faults) = env.control(Method::GET, "/faults", None).await;
    assert_eq!(faults["seed"], 42, "{faults}");
    assert_eq!(
        faults["error_rates"].as_array().map(Vec::len),
        Some(2),
        "{faults}"
    );
    let too_much = json!({"protocol": "graph", "status": 500, "rate": 0.5});
    let (status, body) = env
        .control(Method::PUT, "/error-rate", Some(too_much))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = env
        .control(
            Method::PUT,
            "/error-rate",
            Some(json!({"protocol": "graph", "status": 200, "rate": 0.1})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        env.emu.set_error_rate(Protocol::Graph, 503, 1.5),
        Err(ControlError::Rate(1.5))
    );
    assert_eq!(
        env.emu.set_error_rate(Protocol::Token, 302, 0.5),
        Err(ControlError::Status(302))
    );

    assert_eq!(
        env.control(Method::DELETE, "/faults", None).await.0,
        StatusCode::OK
    );
    assert_eq!(env.events_status(&token).await, StatusCode::OK);
    env.emu.stop().await;
}

#[tokio::test]
async fn latency_delays_the_chosen_protocol() {
    let env = start().await;
    let token = env.token().await;
    let latency = json!({"ms": 400, "protocol": "graph"});
    assert_eq!(
        env.control(Method::PUT, "/latency", Some(latency)).await.0,
        StatusCode::OK
    );
    let began = Instant::now();
    assert_eq!(env.events_status(&token).await, StatusCode::OK);
    assert!(began.elapsed() >= Duration::from_millis(400));
    let (_, faults) = env.control(Method::GET, "/faults", None).await;
    assert_eq!(faults["latency_ms"]["graph"], 400, "{faults}");

    env.emu
        .set_fault_latency(Some(Protocol::Graph), Duration::ZERO);
    env.emu.set_fault_latency(None, Duration::from_millis(300));
    let began = Instant::now();
    env.token().await;
    assert!(began.elapsed() >= Duration::from_millis(300));
    env.emu.clear_faults();
    env.emu.stop().await;
}

#[tokio::test]
async fn dropped_connections_get_no_answer() {
    let env = start().await;
    let token = env.token().await;
    let drop = json!({"count": 2});
    assert_eq!(
        env.control(Method::POST, "/drop-connections", Some(drop))
            .await
            .0,
        StatusCode::OK
    );
    let url = format!("{}/users/{}/events", env.emu.graph_url(), env.mailbox(0));
    for _ in 0..2 {
        let sent = env.http.get(&url).bearer_auth(&token).send().await;
        assert!(
            sent.is_err(),
            "connection closed without an answer: {sent:?}"
        );
    }
    assert_eq!(env.events_status(&token).await, StatusCode::OK);
    env.emu.drop_connections(1);
    assert!(env.http.get(&url).bearer_auth(&token).send().await.is_err());
    assert_eq!(env.events_status(&token).await, StatusCode::OK);
    env.emu.stop().await;
}

#[tokio::test]
async fn lost_answers_are_served_but_never_answered() {
    let env = start().await;
    let token = env.token().await;
    let lose = json!({"count": 1});
    assert_eq!(
        env.control(Method::POST, "/lose-answers", Some(lose))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        env.control(Method::GET, "/faults", None).await.1["lose_answers"],
        1
    );
    let url = format!("{}/users/{}/events", env.emu.graph_url(), env.mailbox(0));
    let event = json!({
        "subject": "Lost in transit",
        "start": {"dateTime": "2027-02-01T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2027-02-01T11:00:00", "timeZone": "UTC"},
    });
    let sent = env
        .http
        .post(&url)
        .bearer_auth(&token)
        .json(&event)
        .send()
        .await;
    assert!(
        sent.is_err(),
        "connection closed without an answer: {sent:?}"
    );
    let listed: Value = env
        .http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    let created = listed["value"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["subject"] == "Lost in transit")
        .count();
    assert_eq!(created, 1, "the write was carried out: {listed}");

    // `after`: the first request is answered, the second loses its answer.
    let later = json!({"count": 1, "after": 1});
    assert_eq!(
        env.control(Method::POST, "/lose-answers", Some(later))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(env.emu.pending_faults(), (0, 2));
    assert_eq!(env.events_status(&token).await, StatusCode::OK);
    assert!(env.http.get(&url).bearer_auth(&token).send().await.is_err());
    assert_eq!(env.emu.pending_faults(), (0, 0));
    env.emu.drop_connections_after(1, 1);
    assert_eq!(env.events_status(&token).await, StatusCode::OK);
    assert!(env.http.get(&url).bearer_auth(&token).send().await.is_err());
    env.emu.lose_answers(1);
    env.emu.clear_faults();
    assert_eq!(env.emu.pending_faults(), (0, 0), "cleared");
    assert_eq!(env.events_status(&token).await, StatusCode::OK);
    env.emu.stop().await;
}

#[tokio::test]
async fn throttle_and_delta_expiry_reuse_the_graph_knobs() {
    let env = start().await;
    let token = env.token().await;
    let throttle = json!({"mailbox": env.mailbox(0), "seconds": 30});
    assert_eq!(
        env.control(Method::POST, "/throttle", Some(throttle))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        env.events_status(&token).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let unknown = json!({"mailbox": "nobody@contoso.example", "seconds": 30});
    assert_eq!(
        env.control(Method::POST, "/throttle", Some(unknown))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let path = format!(
        "/users/{}/calendarView/delta?startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-04-01T00:00:00Z",
        env.mailbox(1)
    );
    let (_, _, link) = crate::delta::round(&env, &token, &path, 10).await;
    let link = format!("{}{link}", env.emu.graph_url());
    let expired = env
        .control(Method::POST, "/expire-delta-tokens", None)
        .await
        .0;
    assert_eq!(expired, StatusCode::OK);
    let relative = link
        .strip_prefix(&env.emu.graph_url())
        .expect("absolute link");
    let (status, _, body) = env.graph(Method::GET, relative, &token, &[], None).await;
    assert_eq!(status, StatusCode::GONE, "{body}");
    env.emu.stop().await;
}

#[tokio::test]
async fn secrets_expire_and_token_lifetime_is_set_over_http() {
    let env = start().await;
    let lifetime = json!({"seconds": 120});
    assert_eq!(
        env.control(Method::PUT, "/token-lifetime", Some(lifetime))
            .await
            .0,
        StatusCode::OK
    );
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", &env.emu.client_id()),
        ("client_secret", &env.emu.client_secret()),
        ("scope", GRAPH_SCOPE),
    ];
    let (status, body) = env.token_request(&form).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["expires_in"], 120, "{body}");
    let zero = json!({"seconds": 0});
    assert_eq!(
        env.control(Method::PUT, "/token-lifetime", Some(zero))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );

    let expire = json!({"client_id": env.emu.client_id()});
    assert_eq!(
        env.control(Method::POST, "/expire-client-secret", Some(expire))
            .await
            .0,
        StatusCode::OK
    );
    let (status, body) = env.token_request(&form).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error_codes"][0], 7000222, "{body}");
    let unknown = json!({"client_id": "00000000-0000-0000-0000-000000000000"});
    let (status, body) = env
        .control(Method::POST, "/expire-client-secret", Some(unknown))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.to_string().contains(&env.emu.client_secret()));
    env.emu.stop().await;
}

#[tokio::test]
async fn unknown_routes_and_bad_bodies_are_named() {
    let env = start().await;
    let (status, body) = env.control(Method::GET, "/nothing", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = env
        .control(Method::PUT, "/latency", Some(json!({"msec": 5})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"].as_str().is_some_and(|e| e.contains("msec")),
        "{body}"
    );
    let (_, counts) = env.control(Method::GET, "/requests", None).await;
    assert_eq!(counts["total"], 0);
    env.emu.stop().await;
}

fn sync_state(text: &str) -> String {
    let start = text.find("<m:SyncState>").expect("a sync state") + "<m:SyncState>".len();
    let end = text[start..].find('<').expect("closed") + start;
    text[start..end].to_owned()
}

#[tokio::test]
async fn expired_ews_sync_states_answer_invalid_sync_state_data() {
    let env = start().await;
    let mailbox = env.mailbox(0);
    let (status, first) = env.sync(&mailbox, None).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let old = sync_state(&first);
    let (_, again) = env.sync(&mailbox, Some(&old)).await;
    assert!(again.contains("ResponseCode>NoError<"), "{again}");

    let expired = env
        .control(Method::POST, "/expire-sync-states", None)
        .await
        .0;
    assert_eq!(expired, StatusCode::OK);
    let (_, refused) = env.sync(&mailbox, Some(&old)).await;
    assert!(refused.contains("ErrorInvalidSyncStateData"), "{refused}");

    let (_, restarted) = env.sync(&mailbox, None).await;
    let fresh = sync_state(&restarted);
    let (_, continued) = env.sync(&mailbox, Some(&fresh)).await;
    assert!(continued.contains("ResponseCode>NoError<"), "{continued}");

    env.emu.expire_ews_sync_states();
    let (_, refused) = env.sync(&mailbox, Some(&fresh)).await;
    assert!(refused.contains("ErrorInvalidSyncStateData"), "{refused}");
    env.emu.stop().await;
}
