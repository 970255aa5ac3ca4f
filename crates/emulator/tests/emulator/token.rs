//! The token endpoint: success, and each Entra error Microsoft documents for client secrets.

use exsync_emulator::auth::peek_claims;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{GRAPH_SCOPE, error_code, start};

pub(crate) fn assert_entra_error(status: StatusCode, body: &Value, want: (StatusCode, &str, u64)) {
    assert_eq!(status, want.0, "{body}");
    assert_eq!(body["error"], want.1, "{body}");
    let description = body["error_description"].as_str().expect("description");
    assert!(
        description.starts_with(&format!("AADSTS{}: ", want.2)),
        "{description}"
    );
    assert!(description.contains("\r\nTrace ID: "), "{description}");
    assert!(
        description.contains("\r\nCorrelation ID: "),
        "{description}"
    );
    assert!(description.contains("\r\nTimestamp: "), "{description}");
    assert_eq!(body["error_codes"], serde_json::json!([want.2]));
    for field in ["timestamp", "trace_id", "correlation_id"] {
        assert!(body[field].is_string(), "{field} in {body}");
    }
}

#[tokio::test]
async fn client_credentials_issue_a_bearer_token_with_the_apps_roles() {
    let env = start().await;
    let (client, secret) = (env.emu.client_id(), env.emu.client_secret());
    let (status, body) = env
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client),
            ("client_secret", &secret),
            ("scope", GRAPH_SCOPE),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["ext_expires_in"], 3599);
    let token = body["access_token"].as_str().expect("token");
    let claims = peek_claims(token).expect("JWT-shaped");
    assert_eq!(claims["tid"], env.emu.tenant_id());
    assert_eq!(claims["appid"], client);
    assert_eq!(claims["aud"], "https://graph.microsoft.com");
    let roles: Vec<&str> = claims["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for role in [
        "Calendars.ReadWrite",
        "Tasks.ReadWrite.All",
        "Contacts.ReadWrite",
    ] {
        assert!(roles.contains(&role), "{roles:?}");
    }
}

#[tokio::test]
async fn the_tenant_may_be_named_by_domain() {
    let env = start().await;
    let url = env
        .emu
        .token_url()
        .replace(&env.emu.tenant_id(), "contoso.example");
    let (client, secret) = (env.emu.client_id(), env.emu.client_secret());
    let response = env
        .http
        .post(url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client.as_str()),
            ("client_secret", secret.as_str()),
            ("scope", "https://outlook.office365.com/.default"),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_secret_is_aadsts7000215() {
    let env = start().await;
    let client = env.emu.client_id();
    let (status, body) = env
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client),
            ("client_secret", "not-the-secret"),
            ("scope", GRAPH_SCOPE),
        ])
        .await;
    assert_entra_error(
        status,
        &body,
        (StatusCode::UNAUTHORIZED, "invalid_client", 7000215),
    );
    let description = body["error_description"].as_str().expect("description");
    assert!(
        description.contains("Invalid client secret provided."),
        "{description}"
    );
    assert!(description.contains(&client), "{description}");
}

#[tokio::test]
async fn an_expired_secret_is_aadsts7000222() {
    let env = start().await;
    let (client, secret) = (env.emu.client_id(), env.emu.client_secret());
    assert!(env.emu.expire_client_secrets(&client));
    let (status, body) = env
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client),
            ("client_secret", &secret),
            ("scope", GRAPH_SCOPE),
        ])
        .await;
    assert_entra_error(
        status,
        &body,
        (StatusCode::UNAUTHORIZED, "invalid_client", 7000222),
    );
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("client secret keys for app")),
        "{body}"
    );
}

#[tokio::test]
async fn an_unknown_app_is_aadsts700016() {
    let env = start().await;
    let secret = env.emu.client_secret();
    let stranger = "11111111-2222-3333-4444-555555555555";
    let (status, body) = env
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", stranger),
            ("client_secret", &secret),
            ("scope", GRAPH_SCOPE),
        ])
        .await;
    assert_entra_error(
        status,
        &body,
        (StatusCode::BAD_REQUEST, "unauthorized_client", 700016),
    );
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains(&format!("Application with identifier '{stranger}'"))),
        "{body}"
    );
}

#[tokio::test]
async fn an_unknown_tenant_is_aadsts90002() {
    let env = start().await;
    let url = env
        .emu
        .token_url()
        .replace(&env.emu.tenant_id(), "fabrikam.example");
    let (client, secret) = (env.emu.client_id(), env.emu.client_secret());
    let response = env
        .http
        .post(url)
        .header("client-request-id", "3f1c0c5e-0000-4000-8000-000000000001")
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client.as_str()),
            ("client_secret", secret.as_str()),
            ("scope", GRAPH_SCOPE),
        ])
        .send()
        .await
        .expect("request");
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_entra_error(
        status,
        &body,
        (StatusCode::BAD_REQUEST, "invalid_request", 90002),
    );
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("Tenant 'fabrikam.example' not found.")),
        "{body}"
    );
    assert_eq!(
        body["correlation_id"],
        "3f1c0c5e-0000-4000-8000-000000000001"
    );
}

#[tokio::test]
async fn missing_secret_bad_scope_and_other_grants_are_refused() {
    let env = start().await;
    let (client, secret) = (env.emu.client_id(), env.emu.client_secret());
    let (status, body) = env
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client),
            ("scope", GRAPH_SCOPE),
        ])
        .await;
    assert_entra_error(
        status,
        &body,
        (StatusCode::UNAUTHORIZED, "invalid_client", 7000216),
    );
    let (status, body) = env
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client),
            ("client_secret", &secret),
            ("scope", "https://graph.microsoft.com/Calendars.ReadWrite"),
        ])
        .await;
    assert_entra_error(
        status,
        &body,
        (StatusCode::BAD_REQUEST, "invalid_scope", 1002012),
    );
    let (status, body) = env
        .token_request(&[("grant_type", "password"), ("client_id", &client)])
        .await;
    assert_entra_error(
        status,
        &body,
        (StatusCode::BAD_REQUEST, "unsupported_grant_type", 70003),
    );
}

#[tokio::test]
async fn the_token_lifetime_is_settable_and_expired_tokens_are_refused() {
    let env = start().await;
    let (client, secret) = (env.emu.client_id(), env.emu.client_secret());
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client.as_str()),
        ("client_secret", secret.as_str()),
        ("scope", GRAPH_SCOPE),
    ];
    let path = format!("/users/{}/events", env.mailbox(0));
    env.emu.set_token_lifetime(chrono::Duration::seconds(60));
    let (status, body) = env.token_request(&form).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["expires_in"], 60);
    let token = body["access_token"].as_str().expect("token");
    let (status, _, _) = env.graph(Method::GET, &path, token, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    // A zero lifetime: the token is expired the moment it is issued (no sleeping in tests).
    env.emu.set_token_lifetime(chrono::Duration::zero());
    let (_, body) = env.token_request(&form).await;
    let expired = body["access_token"].as_str().expect("token");
    let (status, _, body) = env.graph(Method::GET, &path, expired, &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "InvalidAuthenticationToken");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired")),
        "{body}"
    );
}

#[tokio::test]
async fn an_outlook_token_does_not_open_graph() {
    let env = start().await;
    let (client, secret) = (env.emu.client_id(), env.emu.client_secret());
    let (_, body) = env
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client),
            ("client_secret", &secret),
            ("scope", "https://outlook.office365.com/.default"),
        ])
        .await;
    let token = body["access_token"].as_str().expect("token");
    let path = format!("/users/{}/events", env.mailbox(0));
    let (status, _, body) = env.graph(Method::GET, &path, token, &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "InvalidAuthenticationToken");
}
