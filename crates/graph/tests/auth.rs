//! `exsync_graph::auth` against an in-process emulator: client secret and certificate (PEM,
//! PKCS#12) sign-in, Entra's refusals as administrator messages, the token cache (per scope,
//! single-flight, refresh before expiry, invalidation), retries of transient failures, and no
//! secret in any error or `Debug` output.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Datelike;

use exsync_emulator::client_assertion::{
    SAMPLE_CERTIFICATE_PEM, SAMPLE_PRIVATE_KEY_PEM, sample_certificate,
};
use exsync_emulator::control::Protocol;
use exsync_emulator::{Emulator, EmulatorHandle};
use exsync_graph::auth::{
    AuthError, CertificateCredential, Credential, EXCHANGE_ONLINE_SCOPE, GRAPH_SCOPE, RetryPolicy,
    TokenProvider,
};
use secrecy::{ExposeSecret, SecretString};

const P12_PASSWORD: &str = "exsync-test-only";

async fn emulator() -> EmulatorHandle {
    Emulator::start("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator starts")
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        first_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(50),
    }
}

fn provider(emu: &EmulatorHandle, credential: Credential) -> TokenProvider {
    TokenProvider::new(emu.token_url(), emu.client_id(), credential)
        .with_retry_policy(fast_retries())
}

fn secret_provider(emu: &EmulatorHandle) -> TokenProvider {
    provider(
        emu,
        Credential::Secret(SecretString::from(emu.client_secret())),
    )
}

fn token_requests(emu: &EmulatorHandle) -> u64 {
    emu.request_counts()
        .iter()
        .filter(|c| c.protocol == Protocol::Token)
        .map(|c| c.count)
        .sum()
}

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
}

/// The sample certificate and key in one PEM file, as an administrator would keep them.
fn sample_pem_file(dir: &Path) -> PathBuf {
    let path = dir.join("exsync-app.pem");
    std::fs::write(
        &path,
        format!("{SAMPLE_CERTIFICATE_PEM}{SAMPLE_PRIVATE_KEY_PEM}"),
    )
    .expect("write pem");
    path
}

fn assert_message(error: &AuthError, parts: &[&str]) {
    let text = error.to_string();
    for part in parts {
        assert!(text.contains(part), "{part:?} missing in: {text}");
    }
}

#[tokio::test]
async fn a_client_secret_gets_a_token() {
    let emu = emulator().await;
    let token = secret_provider(&emu)
        .token(GRAPH_SCOPE)
        .await
        .expect("token");
    assert!(!token.secret().expose_secret().is_empty());
    assert_eq!(token_requests(&emu), 1);
}

#[tokio::test]
async fn a_pem_certificate_gets_a_token() {
    let emu = emulator().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let certificate = CertificateCredential::from_pem_file(&sample_pem_file(dir.path()), None)
        .expect("pem loads");
    let registered = sample_certificate().expect("sample certificate");
    assert_eq!(certificate.x5t_s256(), registered.x5t_s256());
    assert_eq!(
        certificate.not_after().map(|t| t.to_rfc3339()),
        Some("2126-10-29T07:55:37+00:00".to_owned()),
        "the certificate's notAfter (openssl x509 -enddate)"
    );
    let token = provider(&emu, Credential::Certificate(certificate))
        .token(GRAPH_SCOPE)
        .await
        .expect("the emulator accepts the PS256 assertion");
    assert!(!token.secret().expose_secret().is_empty());
}

#[tokio::test]
async fn an_openssl_pkcs12_file_gets_a_token() {
    let emu = emulator().await;
    let certificate = CertificateCredential::from_pkcs12_file(
        &testdata("sample-app.p12"),
        &SecretString::from(P12_PASSWORD),
    )
    .expect("p12 loads");
    let registered = sample_certificate().expect("sample certificate");
    assert_eq!(certificate.x5t_s256(), registered.x5t_s256());
    assert!(
        certificate.not_after().is_some_and(|t| t.year() == 2126),
        "{:?}",
        certificate.not_after()
    );
    provider(&emu, Credential::Certificate(certificate))
        .token(EXCHANGE_ONLINE_SCOPE)
        .await
        .expect("the emulator accepts the assertion");
}

#[tokio::test]
async fn an_encrypted_pem_key_opens_with_the_configured_password() {
    let emu = emulator().await;
    let path = testdata("sample-app-encrypted.pem");
    let password = SecretString::from(P12_PASSWORD);
    let certificate = CertificateCredential::from_pem_file(&path, Some(&password)).expect("opens");
    provider(&emu, Credential::Certificate(certificate))
        .token(GRAPH_SCOPE)
        .await
        .expect("the emulator accepts the assertion");

    let error = CertificateCredential::from_pem_file(&path, None).expect_err("no password");
    assert_message(
        &error,
        &["encrypted.pem", "exchange.online.certificate_password"],
    );
    let wrong = SecretString::from("Wr0ng-Passw0rd!");
    let error = CertificateCredential::from_pem_file(&path, Some(&wrong)).expect_err("wrong");
    assert_message(
        &error,
        &["sample-app-encrypted.pem", "password does not open"],
    );
    assert!(!format!("{error} {error:?}").contains("Wr0ng-Passw0rd!"));
}

#[tokio::test]
async fn an_unregistered_certificate_is_reported_as_such() {
    let emu = emulator().await;
    let certificate = CertificateCredential::from_pem_file(&testdata("unregistered-app.pem"), None)
        .expect("PKCS#1 key with its certificate loads");
    let error = provider(&emu, Credential::Certificate(certificate))
        .token(GRAPH_SCOPE)
        .await
        .expect_err("not registered");
    assert!(
        matches!(error, AuthError::CertificateRejected { .. }),
        "{error:?}"
    );
    assert_message(&error, &["AADSTS700027", "Certificates & secrets"]);
}

#[tokio::test]
async fn a_wrong_secret_says_to_copy_the_value_not_the_id() {
    let emu = emulator().await;
    let wrong = "not-the-real-secret~value";
    let error = provider(&emu, Credential::Secret(SecretString::from(wrong)))
        .token(GRAPH_SCOPE)
        .await
        .expect_err("wrong secret");
    assert!(matches!(error, AuthError::WrongSecret { .. }), "{error:?}");
    assert_message(
        &error,
        &[
            "secret is wrong",
            "*Value* (not its ID)",
            "exchange.online.client_secret",
        ],
    );
    assert!(!error.to_string().contains(wrong) && !format!("{error:?}").contains(wrong));
    assert_eq!(token_requests(&emu), 1, "a refusal is not retried");
}

#[tokio::test]
async fn an_expired_secret_says_to_create_a_new_one() {
    let emu = emulator().await;
    assert!(emu.expire_client_secrets(&emu.client_id()));
    let error = secret_provider(&emu)
        .token(GRAPH_SCOPE)
        .await
        .expect_err("expired");
    assert!(
        matches!(error, AuthError::ExpiredSecret { .. }),
        "{error:?}"
    );
    assert_message(
        &error,
        &["expired", "create a new one", "Certificates & secrets"],
    );
}

#[tokio::test]
async fn an_unknown_app_says_to_check_the_client_id_and_consent() {
    let emu = emulator().await;
    let provider = TokenProvider::new(
        emu.token_url(),
        "00000000-0000-0000-0000-000000000000".into(),
        Credential::Secret(SecretString::from(emu.client_secret())),
    );
    let error = provider.token(GRAPH_SCOPE).await.expect_err("unknown app");
    assert!(matches!(error, AuthError::UnknownApp { .. }), "{error:?}");
    assert_message(
        &error,
        &["AADSTS700016", "exchange.online.client_id", "consent"],
    );
}

#[tokio::test]
async fn an_unknown_tenant_says_to_check_the_tenant_id() {
    let emu = emulator().await;
    let token_url = format!(
        "{}/no-such-tenant.example/oauth2/v2.0/token",
        emu.base_url()
    );
    let provider = TokenProvider::new(
        token_url,
        emu.client_id(),
        Credential::Secret(SecretString::from(emu.client_secret())),
    );
    let error = provider
        .token(GRAPH_SCOPE)
        .await
        .expect_err("unknown tenant");
    assert!(
        matches!(error, AuthError::UnknownTenant { .. }),
        "{error:?}"
    );
    assert_message(
        &error,
        &[
            "AADSTS90002",
            "exchange.online.tenant_id",
            "no-such-tenant.example",
        ],
    );
}

#[tokio::test]
async fn tokens_are_cached_per_scope() {
    let emu = emulator().await;
    let provider = secret_provider(&emu);
    let first = provider.token(GRAPH_SCOPE).await.expect("token");
    let second = provider.token(GRAPH_SCOPE).await.expect("cached token");
    assert_eq!(
        first.secret().expose_secret(),
        second.secret().expose_secret()
    );
    assert_eq!(token_requests(&emu), 1, "the second call made no request");
    let outlook = provider.token(EXCHANGE_ONLINE_SCOPE).await.expect("token");
    assert_ne!(
        first.secret().expose_secret(),
        outlook.secret().expose_secret()
    );
    assert_eq!(token_requests(&emu), 2, "another scope has its own token");
}

#[tokio::test]
async fn concurrent_callers_share_one_request() {
    let emu = emulator().await;
    // Hold each token request a moment so the callers really overlap.
    emu.set_fault_latency(Some(Protocol::Token), Duration::from_millis(200));
    let provider = secret_provider(&emu);
    let callers: Vec<_> = (0..10)
        .map(|_| {
            let p = provider.clone();
            tokio::spawn(async move { p.token(GRAPH_SCOPE).await })
        })
        .collect();
    let mut tokens = Vec::new();
    for caller in callers {
        tokens.push(caller.await.expect("task").expect("token"));
    }
    assert_eq!(token_requests(&emu), 1);
    assert!(
        tokens
            .windows(2)
            .all(|w| w[0].secret().expose_secret() == w[1].secret().expose_secret())
    );
}

#[tokio::test]
async fn concurrent_callers_share_one_refusal() {
    let emu = emulator().await;
    emu.set_fault_latency(Some(Protocol::Token), Duration::from_millis(200));
    let provider = provider(&emu, Credential::Secret(SecretString::from("wrong")));
    let callers: Vec<_> = (0..10)
        .map(|_| {
            let p = provider.clone();
            tokio::spawn(async move { p.token(GRAPH_SCOPE).await })
        })
        .collect();
    for caller in callers {
        let error = caller.await.expect("task").expect_err("refused");
        assert!(matches!(error, AuthError::WrongSecret { .. }), "{error:?}");
    }
    assert_eq!(token_requests(&emu), 1);
}

#[tokio::test]
async fn a_token_is_refreshed_before_it_expires() {
    let emu = emulator().await;
    emu.set_token_lifetime(chrono::Duration::seconds(2));
    let provider = secret_provider(&emu);
    let first = provider.token(GRAPH_SCOPE).await.expect("token");
    // Past half-life (refresh time of a 2 s token) but before expiry.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let second = provider.token(GRAPH_SCOPE).await.expect("refreshed token");
    assert_ne!(
        first.secret().expose_secret(),
        second.secret().expose_secret()
    );
    assert_eq!(token_requests(&emu), 2);
}

#[tokio::test]
async fn invalidate_drops_the_rejected_token_only() {
    let emu = emulator().await;
    let provider = secret_provider(&emu);
    let first = provider.token(GRAPH_SCOPE).await.expect("token");
    provider.invalidate(GRAPH_SCOPE, &first).await;
    let second = provider.token(GRAPH_SCOPE).await.expect("new token");
    assert_ne!(
        first.secret().expose_secret(),
        second.secret().expose_secret()
    );
    // A late 401 for the old token must not throw away the new one.
    provider.invalidate(GRAPH_SCOPE, &first).await;
    let third = provider.token(GRAPH_SCOPE).await.expect("cached");
    assert_eq!(
        second.secret().expose_secret(),
        third.secret().expose_secret()
    );
    assert_eq!(token_requests(&emu), 2);
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let emu = emulator().await;
    emu.drop_connections(1);
    secret_provider(&emu)
        .token(GRAPH_SCOPE)
        .await
        .expect("second attempt succeeds");
    assert_eq!(token_requests(&emu), 2);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let emu = emulator().await;
    emu.set_error_rate(Protocol::Token, 503, 1.0).expect("knob");
    let error = secret_provider(&emu)
        .token(GRAPH_SCOPE)
        .await
        .expect_err("503");
    assert!(error.is_transient());
    assert_message(&error, &["503", &emu.token_url(), "tried 3 times"]);
    assert_eq!(token_requests(&emu), 3);
}

#[tokio::test]
async fn an_unreachable_endpoint_is_named() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let token_url = format!("http://127.0.0.1:{port}/contoso/oauth2/v2.0/token");
    let provider = TokenProvider::new(
        token_url.clone(),
        "app".into(),
        Credential::Secret("s".into()),
    )
    .with_retry_policy(fast_retries());
    let error = provider
        .token(GRAPH_SCOPE)
        .await
        .expect_err("nobody listens");
    assert!(matches!(error, AuthError::Unreachable { .. }), "{error:?}");
    assert_message(&error, &["cannot reach the token endpoint", &token_url]);
}

#[tokio::test]
async fn no_secret_reaches_an_error_or_debug_output() {
    let emu = emulator().await;
    let secret = emu.client_secret();
    let good = secret_provider(&emu);
    let token = good.token(GRAPH_SCOPE).await.expect("token");
    let token_text = token.secret().expose_secret().to_owned();
    let dir = tempfile::tempdir().expect("tempdir");
    let certificate =
        CertificateCredential::from_pem_file(&sample_pem_file(dir.path()), None).expect("pem");

    let mut shown = vec![
        format!("{good:?}"),
        format!("{token:?}"),
        format!("{:?}", Credential::Certificate(certificate.clone())),
        format!("{:?}", provider(&emu, Credential::Certificate(certificate))),
    ];
    emu.expire_client_secrets(&emu.client_id());
    let expired = secret_provider(&emu)
        .token(GRAPH_SCOPE)
        .await
        .expect_err("expired");
    let wrong_password = CertificateCredential::from_pkcs12_file(
        &testdata("sample-app.p12"),
        &SecretString::from(secret.clone()),
    )
    .expect_err("the client secret is not the p12 password");
    for error in [expired, wrong_password] {
        shown.push(error.to_string());
        shown.push(format!("{error:?}"));
    }
    let key_body = SAMPLE_PRIVATE_KEY_PEM.lines().nth(1).expect("key line");
    for text in &shown {
        assert!(!text.contains(&secret), "secret in {text}");
        assert!(!text.contains(&token_text), "token in {text}");
        assert!(!text.contains(key_body), "key in {text}");
        assert!(!text.contains(P12_PASSWORD), "password in {text}");
    }
}

#[tokio::test]
async fn throttling_is_reported_as_such() {
    let emu = emulator().await;
    emu.set_error_rate(Protocol::Token, 429, 1.0).expect("knob");
    let error = secret_provider(&emu)
        .token(GRAPH_SCOPE)
        .await
        .expect_err("429");
    assert!(matches!(error, AuthError::Throttled { .. }), "{error:?}");
    assert!(error.is_transient());
    assert_message(&error, &["throttling", "HTTP 429", &emu.token_url()]);
}

#[tokio::test]
async fn the_online_config_with_a_pkcs12_certificate_signs_in() {
    use exsync_config::{CertificateConfig, CertificateFormat, OnlineConfig, OnlineCredential};
    let emu = emulator().await;
    let config = OnlineConfig {
        tenant_id: emu.tenant_id(),
        client_id: emu.client_id(),
        credential: OnlineCredential::Certificate(CertificateConfig {
            file: testdata("sample-app.p12"),
            format: CertificateFormat::Pkcs12,
            password: Some(SecretString::from(P12_PASSWORD)),
        }),
        client_secret_expires_on: None,
        secret_expiry_warning_days: 30,
        authority: emu.base_url(),
        graph_url: emu.graph_url(),
        scope: GRAPH_SCOPE.into(),
    };
    let provider = TokenProvider::from_config(&config).expect("certificate loads");
    assert_eq!(provider.token_url(), emu.token_url());
    provider.token(&config.scope).await.expect("token");
}
