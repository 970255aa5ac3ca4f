//! Checks that span several keys: what each Exchange kind requires, one credential only,
//! ignored settings, derived defaults, and the warnings given at start-up.

mod common;

use common::{ONLINE, SECRET, errors, load, no_env};
use exsync_config::{
    CertificateFormat, Config, EwsAuth, EwsVersion, ExchangeKind, ExchangeTarget, ExposeSecret,
    Impersonation, OnlineCredential, ServerAuth,
};

fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

#[test]
fn online_requires_tenant_client_and_a_credential() {
    let lines = errors(Config::from_toml_str(
        "[exchange]\nkind = \"online\"\n",
        no_env(),
    ));
    assert_eq!(
        lines,
        [
            "exchange.online.tenant_id is required when exchange.kind = \"online\" (the \"Directory (tenant) ID\" of the app registration)",
            "exchange.online.client_id is required when exchange.kind = \"online\" (the \"Application (client) ID\" of the app registration)",
            "exchange.online.client_secret is required when exchange.kind = \"online\": give client_secret, client_secret_file or certificate_file in [exchange.online]",
        ]
    );
}

#[test]
fn an_empty_string_counts_as_missing() {
    let toml = ONLINE.replace(
        "tenant_id = \"11111111-2222-3333-4444-555555555555\"",
        "tenant_id = \"\"",
    );
    let lines = errors(Config::from_toml_str(&toml, no_env()));
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("exchange.online.tenant_id is required"));
}

#[test]
fn online_accepts_exactly_one_credential() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pem = dir.path().join("app.pem");
    std::fs::write(
        &pem,
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n\
         -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
    )
    .expect("write");
    let cert_line = format!("certificate_file = {:?}\n", pem.display().to_string());

    let both = format!("{ONLINE}{cert_line}");
    assert_eq!(
        errors(Config::from_toml_str(&both, no_env())),
        [
            "exchange.online.client_secret and exchange.online.certificate_file are both set: the app signs in with one credential, remove the other"
        ]
    );

    let only_cert = ONLINE.replace(&format!("client_secret = \"{SECRET}\"\n"), &cert_line);
    let config = load(&only_cert, &[]);
    let ExchangeTarget::Online(online) = &config.exchange.target else {
        panic!("expected online");
    };
    let OnlineCredential::Certificate(certificate) = &online.credential else {
        panic!("expected a certificate");
    };
    assert_eq!(certificate.format, CertificateFormat::Pem);
    assert_eq!(certificate.file, pem);
    assert!(certificate.password.is_none());
}

#[test]
fn certificates_are_checked_when_loading() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cert_only = dir.path().join("cert-only.pem");
    std::fs::write(
        &cert_only,
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    )
    .expect("write");
    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, "hello").expect("write");
    let missing = dir.path().join("missing.pfx");
    for (file, reason) in [
        (
            &cert_only,
            "the PEM file must hold both the certificate and its private key",
        ),
        (
            &garbage,
            "is neither a PEM file nor a PKCS#12 (.pfx/.p12) file",
        ),
        (&missing, ""),
    ] {
        let toml = ONLINE.replace(
            &format!("client_secret = \"{SECRET}\""),
            &format!("certificate_file = {:?}", file.display().to_string()),
        );
        let lines = errors(Config::from_toml_str(&toml, no_env()));
        let prefix = format!(
            "exsync.toml:7: exchange.online.certificate_file: cannot read {}: {reason}",
            file.display()
        );
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with(&prefix), "{lines:?}");
    }
}

#[test]
fn online_defaults_and_derived_scope() {
    let config = load(
        &format!(
            "{ONLINE}graph_url = \"http://127.0.0.1:9000/v1.0/\"\nauthority = \"http://127.0.0.1:9000\"\n"
        ),
        &[],
    );
    let ExchangeTarget::Online(online) = &config.exchange.target else {
        panic!("expected online");
    };
    assert_eq!(online.graph_url, "http://127.0.0.1:9000/v1.0");
    assert_eq!(
        online.scope, "https://graph.microsoft.com/.default",
        "an emulator stands in for Graph"
    );
    assert_eq!(
        online.token_url(),
        "http://127.0.0.1:9000/11111111-2222-3333-4444-555555555555/oauth2/v2.0/token"
    );
    let warnings = config.warnings(date(2026, 1, 1)).join("\n");
    assert!(warnings.contains("exchange.online.graph_url is not https"));
    assert!(warnings.contains("exchange.online.authority is not https"));
}

#[test]
fn secret_expiry_is_warned_about_in_time() {
    let toml = format!("{ONLINE}client_secret_expires_on = 2026-05-21\n");
    let config = load(&toml, &[]);
    assert!(config.warnings(date(2026, 4, 1)).is_empty());
    let soon = config.warnings(date(2026, 5, 1)).join("\n");
    assert!(
        soon.contains("expires on 2026-05-21 (in 20 days)"),
        "{soon}"
    );
    let expired = config.warnings(date(2026, 6, 1)).join("\n");
    assert!(expired.contains("expired on 2026-05-21"), "{expired}");

    let from_env = load(
        ONLINE,
        &[
            (
                "EXSYNC_EXCHANGE_ONLINE_CLIENT_SECRET_EXPIRES_ON",
                "2026-05-21",
            ),
            ("EXSYNC_EXCHANGE_ONLINE_SECRET_EXPIRY_WARNING_DAYS", "60"),
        ],
    );
    assert!(!from_env.warnings(date(2026, 4, 1)).is_empty());
    let lines = errors(Config::from_toml_str(
        &format!("{ONLINE}client_secret_expires_on = \"21.05.2026\"\n"),
        no_env(),
    ));
    assert_eq!(
        lines,
        [
            "exsync.toml:8: exchange.online.client_secret_expires_on: must be a date such as 2027-05-31"
        ]
    );
}

#[test]
fn server_requires_url_and_credentials() {
    assert_eq!(
        errors(Config::from_toml_str(
            "[exchange]\nkind = \"server\"\n",
            no_env()
        )),
        [
            "exchange.server.ews_url is required when exchange.kind = \"server\" (e.g. https://mail.example.com/EWS/Exchange.asmx)",
            "exchange.server.username is required when exchange.kind = \"server\" and exchange.server.auth = \"ntlm\"",
            "exchange.server.password is required when exchange.kind = \"server\" and exchange.server.auth = \"ntlm\"",
        ]
    );
    assert_eq!(
        errors(Config::from_toml_str(
            "[exchange]\nkind = \"server\"\n[exchange.server]\news_url = \"mail.example.com\"\nauth = \"bearer\"\n",
            no_env()
        )),
        [
            "exchange.server.token is required when exchange.kind = \"server\" and exchange.server.auth = \"bearer\""
        ]
    );
}

#[test]
fn a_complete_server_section_is_understood() {
    let config = load(
        r#"
[exchange]
kind = "server"
mailbox_addressing = "user_name"
[exchange.server]
ews_url = "exchange.firma.local"
auth = "basic"
username = "sync@firma.local"
server_version = "Exchange2013_SP1"
accept_invalid_certs = true
"#,
        &[("EXSYNC_EXCHANGE_SERVER_PASSWORD", "pw")],
    );
    assert_eq!(config.exchange.kind(), ExchangeKind::Server);
    let ExchangeTarget::Server(server) = &config.exchange.target else {
        panic!("expected a server");
    };
    assert_eq!(
        server.ews_url,
        "https://exchange.firma.local/EWS/Exchange.asmx"
    );
    assert_eq!(server.auth.kind(), EwsAuth::Basic);
    let ServerAuth::Basic(credentials) = &server.auth else {
        panic!("expected basic");
    };
    assert_eq!(credentials.username, "sync@firma.local");
    assert_eq!(credentials.password.expose_secret(), "pw");
    assert_eq!(
        server.impersonation,
        Impersonation::PrincipalName,
        "derived from user_name"
    );
    assert_eq!(server.server_version, EwsVersion::Exchange2013Sp1);
    assert!(
        config
            .warnings(date(2026, 1, 1))
            .iter()
            .any(|w| w.contains("accept_invalid_certs"))
    );
}

#[test]
fn settings_of_the_unused_kind_are_ignored_with_a_warning() {
    let config = load(
        "[exchange]\nkind = \"emulator\"\n[exchange.server]\news_url = \"mail.example.com\"\n",
        &[(
            "EXSYNC_EXCHANGE_ONLINE_CLIENT_SECRET_FILE",
            "/does/not/exist",
        )],
    );
    let warnings = config.warnings(date(2026, 1, 1));
    assert_eq!(
        warnings,
        [
            "[exchange.online] is not used while exchange.kind = \"emulator\"; ignored: exchange.online.client_secret_file (EXSYNC_EXCHANGE_ONLINE_CLIENT_SECRET_FILE)",
            "[exchange.server] is not used while exchange.kind = \"emulator\"; ignored: exchange.server.ews_url (exsync.toml:4)",
        ]
    );
}

#[test]
fn a_secret_given_both_ways_in_the_environment_is_an_error() {
    let lines = errors(Config::from_toml_str(
        ONLINE,
        common::env(&[
            ("EXSYNC_EXCHANGE_ONLINE_CLIENT_SECRET", "a"),
            (
                "EXSYNC_EXCHANGE_ONLINE_CLIENT_SECRET_FILE",
                "/run/secrets/b",
            ),
        ]),
    ));
    assert_eq!(
        lines,
        [
            "exchange.online.client_secret (EXSYNC_EXCHANGE_ONLINE_CLIENT_SECRET) and exchange.online.client_secret_file (EXSYNC_EXCHANGE_ONLINE_CLIENT_SECRET_FILE) are both set: give the secret one way only"
        ]
    );
}

#[test]
fn admin_listen_accepts_off_addresses_and_localhost() {
    let off = load("[admin]\nlisten = \"off\"\n", &[]);
    assert_eq!(off.admin.listen, None);
    let local = load("", &[("EXSYNC_ADMIN_LISTEN", "localhost:9999")]);
    assert_eq!(
        local.admin.listen.map(|a| a.to_string()).as_deref(),
        Some("127.0.0.1:9999")
    );
}

#[test]
fn an_admin_endpoint_other_machines_can_reach_needs_a_token() {
    let lines = errors(Config::from_toml_str(
        "[admin]\nlisten = \"0.0.0.0:8470\"\n",
        no_env(),
    ));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("admin.listen") && lines[0].contains("admin.token"),
        "{lines:?}"
    );
    let with_token = load(
        "[admin]\nlisten = \"0.0.0.0:8470\"\ntoken = \"Admin~Token~7\"\n",
        &[],
    );
    assert!(with_token.admin.token.is_some());
    assert!(
        !format!("{with_token:?}").contains("Admin~Token~7"),
        "the token is never shown"
    );
    let loopback = load("[admin]\nlisten = \"127.0.0.1:8470\"\n", &[]);
    assert!(loopback.admin.token.is_none(), "optional on loopback");
}

#[test]
fn a_bnwin_ews_endpoint_or_scope_in_the_graph_keys_is_named_with_the_fix() {
    let toml = format!(
        "{ONLINE}graph_url = \"https://outlook.office365.com/EWS/Exchange.asmx\"\n\
         scope = \"https://outlook.office365.com/.default\"\n"
    );
    let lines = errors(Config::from_toml_str(&toml, no_env()));
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("exsync.toml:8: exchange.online.graph_url: is an EWS endpoint"),
        "{lines:?}"
    );
    assert!(
        lines[0].contains("write graph_url = \"https://graph.microsoft.com/v1.0\""),
        "{lines:?}"
    );
    assert!(lines[0].contains("exchange.kind = \"online\""), "{lines:?}");
    assert!(
        lines[1].starts_with(
            "exsync.toml:9: exchange.online.scope: is the Exchange Online (EWS) scope"
        ),
        "{lines:?}"
    );
    // The Graph address without its version is completed.
    let config = load(
        &format!("{ONLINE}graph_url = \"https://graph.microsoft.com\"\n"),
        &[],
    );
    let ExchangeTarget::Online(online) = &config.exchange.target else {
        panic!("expected online");
    };
    assert_eq!(online.graph_url, "https://graph.microsoft.com/v1.0");
    assert_eq!(online.scope, "https://graph.microsoft.com/.default");
}
