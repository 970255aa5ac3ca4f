//! Certificate credentials on the token endpoint: client assertions signed PS256/RS256 with the
//! sample app's test key, and each way Entra refuses one (AADSTS700027, 700024, 700023,
//! 700021, 50048, 5002741, 50027). No refusal echoes the assertion.

use chrono::{Duration, Utc};
use exsync_emulator::client_assertion::{JWT_BEARER, SAMPLE_PRIVATE_KEY_PEM, sample_certificate};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Env, GRAPH_SCOPE, start};
use crate::jwt::{Alg, OTHER_KEY_PEM, claims, sign};
use crate::token::assert_entra_error;

/// Posts a client-assertion token request; returns status and body.
async fn exchange(env: &Env, assertion: &str) -> (StatusCode, Value) {
    let client = env.emu.client_id();
    let (status, body) = env
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client),
            ("client_assertion_type", JWT_BEARER),
            ("client_assertion", assertion),
            ("scope", GRAPH_SCOPE),
        ])
        .await;
    let text = body.to_string();
    assert!(!text.contains(assertion), "assertion echoed: {text}");
    if let Some(signature) = assertion.rsplit('.').next().filter(|s| s.len() > 16) {
        assert!(!text.contains(signature), "signature echoed: {text}");
    }
    (status, body)
}

fn ps256_header() -> Value {
    let cert = sample_certificate().expect("sample certificate");
    json!({"alg": "PS256", "typ": "JWT", "x5t#S256": cert.x5t_s256()})
}

fn valid_claims(env: &Env) -> Value {
    claims(&env.emu.client_id(), &env.emu.token_url())
}

/// Asserts a 401 `invalid_client` with `code` whose description contains `text`.
fn assert_refused(status: StatusCode, body: &Value, code: u64, text: &str) {
    assert_entra_error(
        status,
        body,
        (StatusCode::UNAUTHORIZED, "invalid_client", code),
    );
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(description.contains(text), "{description}");
}

#[tokio::test]
async fn a_ps256_assertion_with_x5t_s256_gets_a_token_that_opens_graph() {
    let env = start().await;
    let assertion = sign(
        Alg::Ps256,
        &ps256_header(),
        &valid_claims(&env),
        SAMPLE_PRIVATE_KEY_PEM,
    );
    let (status, body) = exchange(&env, &assertion).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    let token = body["access_token"].as_str().expect("token");
    let path = format!("/users/{}/events", env.mailbox(0));
    let (status, _, body) = env.graph(Method::GET, &path, token, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn an_rs256_assertion_with_x5t_works_and_aud_may_name_the_tenant_by_domain() {
    let env = start().await;
    let cert = sample_certificate().expect("sample certificate");
    let header = json!({"alg": "RS256", "typ": "JWT", "x5t": cert.x5t()});
    let assertion = sign(
        Alg::Rs256,
        &header,
        &valid_claims(&env),
        SAMPLE_PRIVATE_KEY_PEM,
    );
    let (status, body) = exchange(&env, &assertion).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let by_domain = env
        .emu
        .token_url()
        .replace(&env.emu.tenant_id(), "CONTOSO.example");
    let claims = claims(&env.emu.client_id(), &by_domain);
    let assertion = sign(Alg::Ps256, &ps256_header(), &claims, SAMPLE_PRIVATE_KEY_PEM);
    let (status, body) = exchange(&env, &assertion).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_signature_by_another_key_is_aadsts700027_key_found() {
    let env = start().await;
    let assertion = sign(
        Alg::Ps256,
        &ps256_header(),
        &valid_claims(&env),
        OTHER_KEY_PEM,
    );
    let (status, body) = exchange(&env, &assertion).await;
    let thumbprint = sample_certificate().expect("cert").sha256_thumbprint;
    assert_refused(
        status,
        &body,
        700027,
        "Key was found, but use of the key to verify the signature failed.",
    );
    assert_refused(status, &body, 700027, &thumbprint);
    // The same key with a tampered payload: the signature no longer matches.
    let good = sign(
        Alg::Ps256,
        &ps256_header(),
        &valid_claims(&env),
        SAMPLE_PRIVATE_KEY_PEM,
    );
    let mut parts: Vec<&str> = good.split('.').collect();
    let other = sign(
        Alg::Ps256,
        &ps256_header(),
        &valid_claims(&env),
        SAMPLE_PRIVATE_KEY_PEM,
    );
    let other_payload = other.split('.').nth(1).expect("payload").to_owned();
    parts[1] = &other_payload;
    let (status, body) = exchange(&env, &parts.join(".")).await;
    assert_refused(status, &body, 700027, "Key was found");
}

#[tokio::test]
async fn an_unknown_thumbprint_or_none_is_aadsts700027_key_not_found() {
    let env = start().await;
    let header = json!({"alg": "PS256", "x5t#S256": "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA"});
    let assertion = sign(Alg::Ps256, &header, &valid_claims(&env), OTHER_KEY_PEM);
    let (status, body) = exchange(&env, &assertion).await;
    assert_refused(status, &body, 700027, "The key was not found.");
    assert_refused(
        status,
        &body,
        700027,
        "Thumbprint of key used by client: 'ABCDEF1234567890ABCDEF1234567890ABCDEF1234567890ABCDEF1234567890'",
    );
    assert_refused(status, &body, 700027, &env.emu.client_id());
    let header = json!({"alg": "RS256", "typ": "JWT"});
    let assertion = sign(
        Alg::Rs256,
        &header,
        &valid_claims(&env),
        SAMPLE_PRIVATE_KEY_PEM,
    );
    let (status, body) = exchange(&env, &assertion).await;
    assert_refused(status, &body, 700027, "The key was not found.");
}

#[tokio::test]
async fn an_expired_certificate_registration_is_aadsts700027() {
    let env = start().await;
    for tenant in &mut env.emu.store().lock().org.tenants {
        for app in &mut tenant.apps {
            for cert in &mut app.certificates {
                cert.expires = Some(Utc::now() - Duration::days(1));
            }
        }
    }
    let assertion = sign(
        Alg::Ps256,
        &ps256_header(),
        &valid_claims(&env),
        SAMPLE_PRIVATE_KEY_PEM,
    );
    let (status, body) = exchange(&env, &assertion).await;
    assert_refused(status, &body, 700027, "The key used is expired.");
}

#[tokio::test]
async fn an_expired_or_not_yet_valid_assertion_is_aadsts700024() {
    let env = start().await;
    let now = Utc::now().timestamp();
    let mut expired = valid_claims(&env);
    expired["nbf"] = json!(now - 4000);
    expired["exp"] = json!(now - 3600);
    let assertion = sign(
        Alg::Ps256,
        &ps256_header(),
        &expired,
        SAMPLE_PRIVATE_KEY_PEM,
    );
    let (status, body) = exchange(&env, &assertion).await;
    assert_refused(
        status,
        &body,
        700024,
        "Client assertion is not within its valid time range. Current time: ",
    );
    let mut early = valid_claims(&env);
    early["nbf"] = json!(now + 3600);
    early["exp"] = json!(now + 4000);
    let assertion = sign(Alg::Ps256, &ps256_header(), &early, SAMPLE_PRIVATE_KEY_PEM);
    let (status, body) = exchange(&env, &assertion).await;
    assert_refused(status, &body, 700024, "assertion valid from ");
    // No nbf at all is fine (Entra shows it as 1970-01-01); a minute of skew too.
    let mut lenient = valid_claims(&env);
    lenient.as_object_mut().expect("object").remove("nbf");
    let assertion = sign(
        Alg::Ps256,
        &ps256_header(),
        &lenient,
        SAMPLE_PRIVATE_KEY_PEM,
    );
    assert_eq!(exchange(&env, &assertion).await.0, StatusCode::OK);
    let mut skewed = valid_claims(&env);
    skewed["nbf"] = json!(now + 60);
    let assertion = sign(Alg::Ps256, &ps256_header(), &skewed, SAMPLE_PRIVATE_KEY_PEM);
    assert_eq!(exchange(&env, &assertion).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_audience_is_aadsts700023_and_two_are_aadsts5002741() {
    let env = start().await;
    let client = env.emu.client_id();
    for aud in [
        "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token".to_owned(),
        env.emu.token_url().replace("/oauth2/v2.0/token", "/v2.0"),
        env.emu
            .token_url()
            .replace(&env.emu.tenant_id(), "fabrikam.example"),
    ] {
        let assertion = sign(
            Alg::Ps256,
            &ps256_header(),
            &claims(&client, &aud),
            SAMPLE_PRIVATE_KEY_PEM,
        );
        let (status, body) = exchange(&env, &assertion).await;
        assert_refused(
            status,
            &body,
            700023,
            "Client assertion audience claim does not match Realm issuer.",
        );
    }
    let mut two = valid_claims(&env);
    two["aud"] = json!([env.emu.token_url(), env.emu.base_url()]);
    let assertion = sign(Alg::Ps256, &ps256_header(), &two, SAMPLE_PRIVATE_KEY_PEM);
    let (status, body) = exchange(&env, &assertion).await;
    assert_refused(
        status,
        &body,
        5002741,
        "2 audience values provided, maximum allowed is 1.",
    );
}

#[tokio::test]
async fn a_wrong_issuer_is_aadsts700021_and_a_wrong_subject_aadsts50048() {
    let env = start().await;
    let mut wrong_iss = valid_claims(&env);
    wrong_iss["iss"] = json!("11111111-2222-3333-4444-555555555555");
    wrong_iss["sub"] = wrong_iss["iss"].clone();
    let assertion = sign(
        Alg::Ps256,
        &ps256_header(),
        &wrong_iss,
        SAMPLE_PRIVATE_KEY_PEM,
    );
    let (status, body) = exchange(&env, &assertion).await;
    assert_refused(
        status,
        &body,
        700021,
        "doesn't match 'client_id' parameter.",
    );
    let mut wrong_sub = valid_claims(&env);
    wrong_sub["sub"] = json!("someone-else");
    let assertion = sign(
        Alg::Ps256,
        &ps256_header(),
        &wrong_sub,
        SAMPLE_PRIVATE_KEY_PEM,
    );
    let (status, body) = exchange(&env, &assertion).await;
    assert_refused(status, &body, 50048, "Subject must match the issuer claim");
}

#[tokio::test]
async fn a_malformed_jwt_is_aadsts50027() {
    let env = start().await;
    let mut no_jti = valid_claims(&env);
    no_jti.as_object_mut().expect("object").remove("jti");
    let hs256 = json!({"alg": "HS256", "x5t#S256": sample_certificate().expect("cert").x5t_s256()});
    let cases = [
        "not-a-jwt".to_owned(),
        "a.b.c".to_owned(),
        "e30.e30.e30.e30".to_owned(),
        sign(Alg::Ps256, &ps256_header(), &no_jti, SAMPLE_PRIVATE_KEY_PEM),
        sign(
            Alg::Rs256,
            &hs256,
            &valid_claims(&env),
            SAMPLE_PRIVATE_KEY_PEM,
        ),
    ];
    for assertion in cases {
        let (status, body) = exchange(&env, &assertion).await;
        assert_refused(status, &body, 50027, "JWT token is invalid or malformed.");
    }
}

#[tokio::test]
async fn an_assertion_needs_the_jwt_bearer_assertion_type() {
    let env = start().await;
    let client = env.emu.client_id();
    let assertion = sign(
        Alg::Ps256,
        &ps256_header(),
        &valid_claims(&env),
        SAMPLE_PRIVATE_KEY_PEM,
    );
    for kind in [
        None,
        Some("urn:ietf:params:oauth:client-assertion-type:saml2-bearer"),
    ] {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", client.as_str()),
            ("client_assertion", assertion.as_str()),
            ("scope", GRAPH_SCOPE),
        ];
        if let Some(kind) = kind {
            form.push(("client_assertion_type", kind));
        }
        let (status, body) = env.token_request(&form).await;
        assert_entra_error(
            status,
            &body,
            (StatusCode::BAD_REQUEST, "invalid_request", 900144),
        );
        assert!(!body.to_string().contains(&assertion), "{body}");
    }
}
