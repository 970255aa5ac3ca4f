//! The JSON line of issue 3: its fields, and that they work.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{GRAPH_SCOPE, start};

#[tokio::test]
async fn the_json_line_describes_a_working_sample_organisation() {
    let env = start().await;
    let line = env.emu.describe().to_json_line();
    assert!(!line.contains('\n'));
    let d: Value = serde_json::from_str(&line).expect("one JSON object");
    let port = env.emu.addr().port();
    assert_ne!(port, 0);
    assert_eq!(d["graph_url"], format!("http://127.0.0.1:{port}/v1.0"));
    assert_eq!(
        d["ews_url"],
        format!("http://127.0.0.1:{port}/EWS/Exchange.asmx")
    );
    let tenant = d["tenant_id"].as_str().expect("tenant_id");
    assert_eq!(
        d["token_url"],
        format!("http://127.0.0.1:{port}/{tenant}/oauth2/v2.0/token")
    );
    for key in ["client_id", "client_secret", "ews_username", "ews_password"] {
        assert!(d[key].as_str().is_some_and(|v| !v.is_empty()), "{key}");
    }
    let mailboxes = d["mailboxes"].as_array().expect("mailboxes");
    assert!(mailboxes.len() >= 3);
    // The credentials in the line get a token at the URL in the line.
    let response = env
        .http
        .post(d["token_url"].as_str().expect("url"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", d["client_id"].as_str().expect("id")),
            (
                "client_secret",
                d["client_secret"].as_str().expect("secret"),
            ),
            ("scope", GRAPH_SCOPE),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let token: Value = response.json().await.expect("json");
    let url = format!(
        "{}/users/{}/events",
        d["graph_url"].as_str().expect("graph"),
        mailboxes[2].as_str().expect("mailbox")
    );
    let listed = env
        .http
        .get(url)
        .bearer_auth(token["access_token"].as_str().expect("token"))
        .send()
        .await
        .expect("request");
    assert_eq!(listed.status(), StatusCode::OK);
}

#[tokio::test]
async fn stopping_the_emulator_closes_its_port() {
    let env = start().await;
    let url = env.emu.graph_url();
    env.emu.stop().await;
    let refused = env.http.get(format!("{url}/users/x/events")).send().await;
    assert!(refused.is_err());
}

#[tokio::test]
async fn another_organisation_can_be_served_and_an_empty_one_is_refused() {
    use chrono::{Duration, Utc};
    use exsync_emulator::{ClientSecret, Emulator, Organisation, StartError};

    let addr = "127.0.0.1:0".parse().expect("addr");
    let refused = Emulator::start_with(addr, Organisation::default()).await;
    assert!(matches!(refused, Err(StartError::EmptyOrganisation)));

    let mut org = Organisation::sample();
    let app = &mut org.tenants[0].apps[0];
    app.secrets.push(ClientSecret {
        value: "old-secret-value".to_owned(),
        expires: Utc::now() - Duration::days(1),
    });
    let emu = Emulator::start_with(addr, org).await.expect("starts");
    let http = reqwest::Client::new();
    let client = emu.client_id();
    let ask = |secret: String| {
        let request = http.post(emu.token_url()).form(&[
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", client.clone()),
            ("client_secret", secret),
            ("scope", GRAPH_SCOPE.to_owned()),
        ]);
        async move {
            let response = request.send().await.expect("request");
            let status = response.status();
            (status, response.json::<Value>().await.expect("json"))
        }
    };
    let (status, body) = ask("old-secret-value".to_owned()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error_codes"][0], 7000222);
    let (status, _) = ask(emu.client_secret()).await;
    assert_eq!(status, StatusCode::OK);
}
