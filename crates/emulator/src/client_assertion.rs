//! Certificate credentials: checks a `client_assertion` JWT the way Microsoft Entra does for
//! `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`, and holds
//! the sample app's test certificate (`crates/emulator/testdata/`, a test-only key pair).
//!
//! The assertion format is documented on Microsoft Learn, "Microsoft identity platform
//! application authentication certificate credentials"
//! (https://learn.microsoft.com/entra/identity-platform/certificate-credentials): header `alg`
//! PS256 with `x5t#S256` (base64url SHA-256 of the certificate) or RS256 with `x5t` (base64url
//! SHA-1); claims `aud` (the token endpoint), `iss` = `sub` = the client id, `exp`, `nbf`, `jti`.
//! The AADSTS codes and the wording of each refusal are Entra's as quoted in public threads:
//! - 700027 key not found: Azure/azure-sdk-for-net#29007; key found but the signature does not
//!   verify: microsoftgraph/msgraph-sdk-php#1585 (same reason text under AADSTS50013);
//! - 700024 not within its valid time range: AzureAD/microsoft-authentication-library-for-java#984,
//!   AzureAD/microsoft-authentication-library-for-dotnet#4951 (no `nbf` shows as 1970-01-01);
//! - 50027 invalid or malformed JWT: panva/openid-client#348;
//! - 5002741 more than one audience: zitadel/oidc#887;
//! - 50048 subject must match issuer: AzureAD/microsoft-authentication-library-for-java#430;
//! - audience mismatch, "Client assertion audience claim does not match Realm issuer":
//!   AzureAD/azure-activedirectory-library-for-python#79 (there under AADSTS50012; current Entra
//!   answers AADSTS700023), 700021 (`iss` is not the `client_id`): the error code reference,
//!   https://login.microsoftonline.com/error?code=700021.
//!
//! Invariant: the assertion is read and dropped; no error message and no log line carries it
//! (messages quote only thumbprints, client ids and times).

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, TimeZone, Utc};
use rsa::RsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde_json::{Map, Value};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::org::{App, Certificate};

/// The only `client_assertion_type` Entra accepts.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The sample app's certificate (self-signed, test only).
pub const SAMPLE_CERTIFICATE_PEM: &str = include_str!("../testdata/sample-app-cert.pem");
/// Its public key (SubjectPublicKeyInfo PEM).
pub const SAMPLE_PUBLIC_KEY_PEM: &str = include_str!("../testdata/sample-app-pubkey.pem");
/// Its private key (PKCS#8 PEM). Published on purpose: it only opens the emulator.
pub const SAMPLE_PRIVATE_KEY_PEM: &str = include_str!("../testdata/sample-app-key.pem");

/// Clock skew allowed on `nbf` and `exp`, as Entra tolerates a few minutes.
const SKEW_SECONDS: i64 = 300;

/// Where the sample private key lives in the source tree (for integrators and scripts).
pub fn sample_private_key_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/sample-app-key.pem")
}

/// Where the sample certificate lives in the source tree.
pub fn sample_certificate_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/sample-app-cert.pem")
}

/// The sample app's certificate registration (never expires); `None` only if the checked-in
/// files were damaged.
pub fn sample_certificate() -> Option<Certificate> {
    Certificate::from_pem(SAMPLE_CERTIFICATE_PEM, SAMPLE_PUBLIC_KEY_PEM, None).ok()
}

/// Why a certificate cannot be registered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CertificateError {
    /// The certificate PEM has no `CERTIFICATE` block that decodes.
    #[error("not a PEM certificate")]
    NotACertificate,
    /// The public key PEM is not an RSA SubjectPublicKeyInfo.
    #[error("not an RSA public key PEM")]
    NotAnRsaPublicKey,
}

impl Certificate {
    /// A registration from a certificate PEM (for the thumbprints) and its public key PEM.
    pub fn from_pem(
        certificate_pem: &str,
        public_key_pem: &str,
        expires: Option<DateTime<Utc>>,
    ) -> Result<Self, CertificateError> {
        let body: String = certificate_pem
            .lines()
            .skip_while(|l| l.trim() != "-----BEGIN CERTIFICATE-----")
            .skip(1)
            .take_while(|l| l.trim() != "-----END CERTIFICATE-----")
            .map(str::trim)
            .collect();
        let der = STANDARD
            .decode(body)
            .ok()
            .filter(|d| !d.is_empty())
            .ok_or(CertificateError::NotACertificate)?;
        RsaPublicKey::from_public_key_pem(public_key_pem)
            .map_err(|_| CertificateError::NotAnRsaPublicKey)?;
        Ok(Self {
            public_key_pem: public_key_pem.to_owned(),
            sha1_thumbprint: hex_upper(&Sha1::digest(&der)),
            sha256_thumbprint: hex_upper(&Sha256::digest(&der)),
            expires,
        })
    }

    /// The `x5t` header value naming this certificate (base64url SHA-1).
    pub fn x5t(&self) -> String {
        URL_SAFE_NO_PAD.encode(unhex(&self.sha1_thumbprint))
    }

    /// The `x5t#S256` header value naming this certificate (base64url SHA-256).
    pub fn x5t_s256(&self) -> String {
        URL_SAFE_NO_PAD.encode(unhex(&self.sha256_thumbprint))
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// Why an assertion is refused: each variant is one Entra answer (all 401 `invalid_client`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssertionError {
    /// Not three base64url parts of JSON, an unsupported `alg`, or a required claim missing.
    #[error("JWT token is invalid or malformed.")]
    Malformed,
    /// No registered certificate has the thumbprint in the header (upper-case hex, or empty).
    #[error(
        "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'.]"
    )]
    KeyNotFound {
        /// Thumbprint the client named.
        thumbprint: String,
        /// The app.
        client_id: String,
    },
    /// The certificate's registration has expired.
    #[error(
        "Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '{thumbprint}']"
    )]
    KeyExpired {
        /// Thumbprint the client named.
        thumbprint: String,
    },
    /// The signature does not verify with the named certificate's key.
    #[error(
        "Client assertion contains an invalid signature. [Reason - Key was found, but use of the key to verify the signature failed., Thumbprint of key used by client: '{thumbprint}']"
    )]
    BadSignature {
        /// Thumbprint the client named.
        thumbprint: String,
    },
    /// `iss` is not the `client_id` of the request.
    #[error("Client assertion application identifier doesn't match 'client_id' parameter.")]
    WrongIssuer,
    /// `sub` differs from `iss`.
    #[error("Subject must match the issuer claim in the client assertion.")]
    SubjectNotIssuer,
    /// `aud` is an array of more than one value.
    #[error(
        "Number of audience values in the provided client credential exceed maximum allowed. {0} audience values provided, maximum allowed is 1."
    )]
    TooManyAudiences(usize),
    /// `aud` is not this tenant's token endpoint.
    #[error("Client assertion audience claim does not match Realm issuer.")]
    WrongAudience,
    /// `nbf` is in the future or `exp` in the past (beyond the allowed skew).
    #[error(
        "Client assertion is not within its valid time range. Current time: {now}, assertion valid from {nbf}, expiry time of assertion {exp}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."
    )]
    OutsideTimeRange {
        /// Server time.
        now: String,
        /// `nbf` (1970-01-01 when absent).
        nbf: String,
        /// `exp`.
        exp: String,
    },
}

impl AssertionError {
    /// The AADSTS number Entra answers with.
    pub fn code(&self) -> u32 {
        match self {
            Self::Malformed => 50027,
            Self::KeyNotFound { .. } | Self::KeyExpired { .. } | Self::BadSignature { .. } => {
                700027
            }
            Self::WrongIssuer => 700021,
            Self::SubjectNotIssuer => 50048,
            Self::TooManyAudiences(_) => 5002741,
            Self::WrongAudience => 700023,
            Self::OutsideTimeRange { .. } => 700024,
        }
    }
}

/// Checks `assertion` for `app` (named by `client_id` in the request): signature against a
/// registered certificate, then `iss`/`sub`, `aud` (one of `audiences`, compared
/// case-insensitively), `nbf`/`exp` at `now`, `jti`.
pub fn verify(
    assertion: &str,
    app: &App,
    client_id: &str,
    audiences: &[String],
    now: DateTime<Utc>,
) -> Result<(), AssertionError> {
    let mut parts = assertion.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AssertionError::Malformed);
    };
    let header = json_part(h)?;
    let claims = json_part(p)?;
    let signature = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| AssertionError::Malformed)?;
    let alg = header.get("alg").and_then(Value::as_str);
    if !matches!(alg, Some("PS256" | "RS256")) {
        return Err(AssertionError::Malformed);
    }
    let named = |key: &str| header.get(key).and_then(Value::as_str);
    let (thumbprint, certificate) = if let Some(t) = named("x5t#S256") {
        let hex = hex_upper(&URL_SAFE_NO_PAD.decode(t).unwrap_or_default());
        let found = app.certificates.iter().find(|c| c.sha256_thumbprint == hex);
        (hex, found)
    } else if let Some(t) = named("x5t") {
        let hex = hex_upper(&URL_SAFE_NO_PAD.decode(t).unwrap_or_default());
        let found = app.certificates.iter().find(|c| c.sha1_thumbprint == hex);
        (hex, found)
    } else {
        (String::new(), None)
    };
    let Some(certificate) = certificate else {
        return Err(AssertionError::KeyNotFound {
            thumbprint,
            client_id: app.client_id.clone(),
        });
    };
    if certificate.expires.is_some_and(|e| e <= now) {
        return Err(AssertionError::KeyExpired { thumbprint });
    }
    let signed = format!("{h}.{p}");
    if !signature_verifies(certificate, alg, signed.as_bytes(), &signature) {
        return Err(AssertionError::BadSignature { thumbprint });
    }
    check_claims(&claims, client_id, audiences, now)
}

fn json_part(part: &str) -> Result<Map<String, Value>, AssertionError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| AssertionError::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(AssertionError::Malformed),
    }
}

fn signature_verifies(
    certificate: &Certificate,
    alg: Option<&str>,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let Ok(key) = RsaPublicKey::from_public_key_pem(&certificate.public_key_pem) else {
        return false;
    };
    match alg {
        Some("PS256") => rsa::pss::Signature::try_from(signature).is_ok_and(|sig| {
            rsa::pss::VerifyingKey::<Sha256>::new(key)
                .verify(message, &sig)
                .is_ok()
        }),
        Some("RS256") => rsa::pkcs1v15::Signature::try_from(signature).is_ok_and(|sig| {
            rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key)
                .verify(message, &sig)
                .is_ok()
        }),
        _ => false,
    }
}

fn check_claims(
    claims: &Map<String, Value>,
    client_id: &str,
    audiences: &[String],
    now: DateTime<Utc>,
) -> Result<(), AssertionError> {
    let text = |key: &str| claims.get(key).and_then(Value::as_str);
    if !text("iss").is_some_and(|iss| iss.eq_ignore_ascii_case(client_id)) {
        return Err(AssertionError::WrongIssuer);
    }
    if text("sub") != text("iss") {
        return Err(AssertionError::SubjectNotIssuer);
    }
    let aud = match claims.get("aud") {
        Some(Value::String(a)) => Some(a.as_str()),
        Some(Value::Array(list)) if list.len() > 1 => {
            return Err(AssertionError::TooManyAudiences(list.len()));
        }
        Some(Value::Array(list)) => list.first().and_then(Value::as_str),
        _ => None,
    };
    if !aud.is_some_and(|a| audiences.iter().any(|want| want.eq_ignore_ascii_case(a))) {
        return Err(AssertionError::WrongAudience);
    }
    let time = |key: &str| claims.get(key).and_then(Value::as_i64);
    let exp = time("exp").ok_or(AssertionError::Malformed)?;
    let nbf = time("nbf").unwrap_or(0);
    let skew = Duration::seconds(SKEW_SECONDS);
    let shown = |secs: i64| {
        Utc.timestamp_opt(secs, 0)
            .single()
            .map_or_else(|| secs.to_string(), iso)
    };
    let (nbf_at, exp_at) = (
        Utc.timestamp_opt(nbf, 0).single(),
        Utc.timestamp_opt(exp, 0).single(),
    );
    let in_range =
        nbf_at.is_some_and(|t| t <= now + skew) && exp_at.is_some_and(|t| t > now - skew);
    if !in_range {
        return Err(AssertionError::OutsideTimeRange {
            now: iso(now),
            nbf: shown(nbf),
            exp: shown(exp),
        });
    }
    if text("jti").is_none_or(str::is_empty) {
        return Err(AssertionError::Malformed);
    }
    Ok(())
}

fn iso(t: DateTime<Utc>) -> String {
    // Entra writes seven fractional digits (ticks of 100 ns).
    let ticks = t.timestamp_subsec_nanos() / 100;
    format!("{}.{ticks:07}Z", t.format("%Y-%m-%dT%H:%M:%S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_certificate_loads_and_names_itself() {
        let cert = sample_certificate().expect("checked-in test certificate");
        assert_eq!(cert.sha1_thumbprint.len(), 40);
        assert_eq!(cert.sha256_thumbprint.len(), 64);
        assert_eq!(unhex(&cert.sha256_thumbprint).len(), 32);
        assert_eq!(URL_SAFE_NO_PAD.decode(cert.x5t()).expect("b64").len(), 20);
        assert!(sample_private_key_path().exists());
        assert!(sample_certificate_path().exists());
    }

    #[test]
    fn thumbprints_match_what_openssl_prints() {
        // `openssl x509 -in testdata/sample-app-cert.pem -noout -fingerprint -sha1 / -sha256`
        let cert = sample_certificate().expect("checked-in test certificate");
        assert_eq!(
            cert.sha1_thumbprint,
            "4EC428EDE233722946ED19BF346633831E4D1FE3"
        );
        assert_eq!(
            cert.sha256_thumbprint,
            "51A9266A59C778F90E7F255F496F7B670063702E91E1A830480DC7B0E6AAD621"
        );
    }

    #[test]
    fn times_are_written_with_seven_fractional_digits_as_entra_does() {
        let t = Utc
            .timestamp_opt(1_727_906_703, 675_516_500)
            .single()
            .expect("valid");
        assert_eq!(iso(t), "2024-10-02T22:05:03.6755165Z");
    }

    #[test]
    fn bad_pem_is_refused() {
        assert_eq!(
            Certificate::from_pem("nope", SAMPLE_PUBLIC_KEY_PEM, None),
            Err(CertificateError::NotACertificate)
        );
        assert_eq!(
            Certificate::from_pem(SAMPLE_CERTIFICATE_PEM, "nope", None),
            Err(CertificateError::NotAnRsaPublicKey)
        );
    }
}
