//! Reads `[exchange]`, `[exchange.online]` and `[exchange.server]` and checks that the chosen
//! kind has everything it needs.
//!
//! Invariant: only the section of the chosen `exchange.kind` is validated and kept; keys set in
//! the other sections produce a warning naming them, never an error and never a file read.

use std::path::Path;

use crate::checks;
use crate::error::ConfigError;
use crate::exchange::{
    CertificateConfig, CertificateFormat, Credentials, DEFAULT_AUTHORITY, DEFAULT_GRAPH_URL,
    DEFAULT_SECRET_EXPIRY_WARNING_DAYS, ExchangeConfig, ExchangeTarget, OnlineConfig,
    OnlineCredential, ServerAuth, ServerConfig,
};
use crate::keys::KEYS;
use crate::resolve::Resolver;
use crate::types::{EwsAuth, EwsVersion, ExchangeKind, Impersonation, MailboxAddressing};

const ONLINE: &str = "when exchange.kind = \"online\"";
const SERVER: &str = "when exchange.kind = \"server\"";

/// Returns the `[exchange]` configuration and warnings about ignored settings.
pub(crate) fn build_exchange(r: &mut Resolver<'_>) -> (ExchangeConfig, Vec<String>) {
    let kind = r.choice("exchange.kind").unwrap_or(ExchangeKind::Emulator);
    let mailbox_addressing: MailboxAddressing =
        r.choice("exchange.mailbox_addressing").unwrap_or_default();
    let mut warnings = Vec::new();
    let online = match kind {
        ExchangeKind::Online => build_online(r, &mut warnings),
        _ => {
            warnings.extend(ignored_section(r, "exchange.online", kind));
            None
        }
    };
    let server = match kind {
        ExchangeKind::Server => build_server(r, mailbox_addressing, &mut warnings),
        _ => {
            warnings.extend(ignored_section(r, "exchange.server", kind));
            None
        }
    };
    let target = match (online, server) {
        (Some(online), _) => ExchangeTarget::Online(online),
        (_, Some(server)) => ExchangeTarget::Server(server),
        _ => ExchangeTarget::Emulator,
    };
    let config = ExchangeConfig {
        mailbox_addressing,
        target,
    };
    (config, warnings)
}

/// Marks the section's keys read; a warning listing those that were set.
fn ignored_section(r: &mut Resolver<'_>, section: &str, kind: ExchangeKind) -> Option<String> {
    let set: Vec<String> = KEYS
        .iter()
        .filter(|key| key.section() == section)
        .filter_map(|key| {
            r.ignore(key.name)
                .map(|origin| format!("{} ({origin})", key.name))
        })
        .collect();
    (!set.is_empty()).then(|| {
        format!(
            "[{section}] is not used while exchange.kind = \"{kind}\"; ignored: {}",
            set.join(", ")
        )
    })
}

fn missing(key: &'static str, reason: String) -> ConfigError {
    ConfigError::Missing { key, reason }
}

fn build_online(r: &mut Resolver<'_>, warnings: &mut Vec<String>) -> Option<OnlineConfig> {
    let tenant_id = r.text("exchange.online.tenant_id", checks::tenant);
    let client_id = r.text("exchange.online.client_id", checks::guid);
    let secret = r.secret("exchange.online.client_secret").map(|(s, _)| s);
    let expires_on = r.date("exchange.online.client_secret_expires_on");
    let warning_days = r
        .whole("exchange.online.secret_expiry_warning_days", 0, 365)
        .unwrap_or(DEFAULT_SECRET_EXPIRY_WARNING_DAYS);
    let certificate_file = r.path("exchange.online.certificate_file");
    let certificate_password = r
        .secret("exchange.online.certificate_password")
        .map(|(s, _)| s);
    let authority = r
        .text("exchange.online.authority", checks::http_url)
        .unwrap_or_else(|| DEFAULT_AUTHORITY.to_owned());
    let graph_url = r
        .text("exchange.online.graph_url", checks::graph_url)
        .unwrap_or_else(|| DEFAULT_GRAPH_URL.to_owned());
    let scope = r
        .text("exchange.online.scope", checks::scope)
        .unwrap_or_else(|| checks::default_scope(&graph_url));

    if !r.is_given("exchange.online.tenant_id") {
        r.error(missing(
            "exchange.online.tenant_id",
            format!("{ONLINE} (the \"Directory (tenant) ID\" of the app registration)"),
        ));
    }
    if !r.is_given("exchange.online.client_id") {
        r.error(missing(
            "exchange.online.client_id",
            format!("{ONLINE} (the \"Application (client) ID\" of the app registration)"),
        ));
    }
    let secret_given = r.is_given_secret("exchange.online.client_secret");
    let certificate_given = r.is_given("exchange.online.certificate_file");
    if secret_given && certificate_given {
        r.error(ConfigError::Conflict {
            keys: vec![
                "exchange.online.client_secret",
                "exchange.online.certificate_file",
            ],
            message: "exchange.online.client_secret and exchange.online.certificate_file are \
                      both set: the app signs in with one credential, remove the other"
                .to_owned(),
        });
        return None;
    }
    if !secret_given && !certificate_given {
        r.error(missing(
            "exchange.online.client_secret",
            format!(
                "{ONLINE}: give client_secret, client_secret_file or certificate_file in \
                 [exchange.online]"
            ),
        ));
        return None;
    }
    let credential = if certificate_given {
        let file = certificate_file?;
        let format = certificate_format(r, &file)?;
        OnlineCredential::Certificate(CertificateConfig {
            file,
            format,
            password: certificate_password,
        })
    } else {
        if certificate_password.is_some() {
            warnings.push(
                "exchange.online.certificate_password is ignored: no certificate_file is set"
                    .to_owned(),
            );
        }
        OnlineCredential::Secret(secret?)
    };
    Some(OnlineConfig {
        tenant_id: tenant_id?,
        client_id: client_id?,
        credential,
        client_secret_expires_on: expires_on,
        secret_expiry_warning_days: warning_days,
        authority,
        graph_url,
        scope,
    })
}

/// Reads the certificate once to check it is there and to tell PEM from PKCS#12.
fn certificate_format(r: &mut Resolver<'_>, file: &Path) -> Option<CertificateFormat> {
    let key = "exchange.online.certificate_file";
    let origin = r.origin(key)?.clone();
    let fail = |reason: &str| ConfigError::UnreadableFile {
        origin: origin.clone(),
        key,
        path: file.to_owned(),
        reason: reason.to_owned(),
    };
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(error) => {
            r.error(fail(&error.to_string()));
            return None;
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    if text.trim_start().starts_with("-----BEGIN") {
        if text.contains("PRIVATE KEY-----") && text.contains("BEGIN CERTIFICATE-----") {
            Some(CertificateFormat::Pem)
        } else {
            r.error(fail(
                "the PEM file must hold both the certificate and its private key",
            ));
            None
        }
    } else if bytes.first() == Some(&0x30) {
        Some(CertificateFormat::Pkcs12)
    } else if bytes.is_empty() {
        r.error(fail("the file is empty"));
        None
    } else {
        r.error(fail("is neither a PEM file nor a PKCS#12 (.pfx/.p12) file"));
        None
    }
}

fn build_server(
    r: &mut Resolver<'_>,
    addressing: MailboxAddressing,
    warnings: &mut Vec<String>,
) -> Option<ServerConfig> {
    let ews_url = r.text("exchange.server.ews_url", checks::ews_url);
    let auth: EwsAuth = r.choice("exchange.server.auth").unwrap_or(EwsAuth::Ntlm);
    let username = r.text("exchange.server.username", checks::user_name);
    let password = r.secret("exchange.server.password").map(|(s, _)| s);
    let token = r.secret("exchange.server.token").map(|(s, _)| s);
    let impersonation = r
        .choice("exchange.server.impersonation")
        .unwrap_or(match addressing {
            MailboxAddressing::MailboxAddress => Impersonation::SmtpAddress,
            MailboxAddressing::UserName => Impersonation::PrincipalName,
        });
    let server_version = r
        .choice_among(
            "exchange.server.server_version",
            EwsVersion::ALL,
            " (Exchange2016 also for Exchange 2019 and Subscription Edition)",
        )
        .unwrap_or(EwsVersion::Exchange2016);
    let accept_invalid_certs = r
        .bool("exchange.server.accept_invalid_certs")
        .unwrap_or(false);

    let given = |r: &Resolver<'_>, key: &str| r.is_given_secret(key);
    if !r.is_given("exchange.server.ews_url") {
        r.error(missing(
            "exchange.server.ews_url",
            format!("{SERVER} (e.g. https://mail.example.com/EWS/Exchange.asmx)"),
        ));
    }
    let auth = match auth {
        EwsAuth::Basic | EwsAuth::Ntlm => {
            let because = format!("{SERVER} and exchange.server.auth = \"{auth}\"");
            if !given(r, "exchange.server.username") {
                r.error(missing("exchange.server.username", because.clone()));
            }
            if !given(r, "exchange.server.password") {
                r.error(missing("exchange.server.password", because));
            }
            if given(r, "exchange.server.token") {
                warnings.push(format!(
                    "exchange.server.token is ignored: exchange.server.auth = \"{auth}\""
                ));
            }
            let credentials = Credentials {
                username: username?,
                password: password?,
            };
            if auth == EwsAuth::Basic {
                ServerAuth::Basic(credentials)
            } else {
                ServerAuth::Ntlm(credentials)
            }
        }
        EwsAuth::Bearer => {
            if !given(r, "exchange.server.token") {
                r.error(missing(
                    "exchange.server.token",
                    format!("{SERVER} and exchange.server.auth = \"bearer\""),
                ));
            }
            if given(r, "exchange.server.password") {
                warnings.push(
                    "exchange.server.password is ignored: exchange.server.auth = \"bearer\""
                        .to_owned(),
                );
            }
            ServerAuth::Bearer(token?)
        }
    };
    Some(ServerConfig {
        ews_url: ews_url?,
        auth,
        impersonation,
        server_version,
        accept_invalid_certs,
    })
}
