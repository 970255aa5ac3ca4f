//! The client assertion: a JWT signed with the app's certificate key, sent instead of a client
//! secret (Microsoft Learn, "Microsoft identity platform application authentication
//! certificate credentials", <https://learn.microsoft.com/entra/identity-platform/certificate-credentials>).
//!
//! Header `alg` PS256 (RSASSA-PSS, SHA-256, salt = 32 bytes: "Use PSS padding"), `typ` JWT,
//! `x5t#S256` = base64url SHA-256 of the certificate's DER. Claims `aud` = the token URL,
//! `iss` = `sub` = the client id, `jti` = a fresh GUID, `nbf` = `iat` = now, `exp` = now + 10
//! minutes (the page advises 5-10 minutes after `nbf`).
//!
//! Invariant: an assertion is built fresh for each token request and only ever handed to the
//! HTTP form; it is never logged, stored or put into an error.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rsa::pss::BlindedSigningKey;
use rsa::rand_core::OsRng;
use rsa::signature::{RandomizedSigner, SignatureEncoding};
use secrecy::SecretString;
use serde_json::json;
use sha2::Sha256;

use super::credential::CertificateCredential;

/// Lifetime of an assertion.
const ASSERTION_LIFETIME_SECONDS: i64 = 600;

/// `client_assertion_type` for a JWT client assertion.
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Builds and signs an assertion for `client_id` addressed to `token_url`, valid from `now`.
pub(crate) fn client_assertion(
    certificate: &CertificateCredential,
    client_id: &str,
    token_url: &str,
    now: DateTime<Utc>,
) -> SecretString {
    let header = json!({
        "alg": "PS256",
        "typ": "JWT",
        "x5t#S256": certificate.x5t_s256(),
    });
    let issued = now.timestamp();
    let claims = json!({
        "aud": token_url,
        "iss": client_id,
        "sub": client_id,
        "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": issued,
        "iat": issued,
        "exp": issued + ASSERTION_LIFETIME_SECONDS,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = BlindedSigningKey::<Sha256>::new(certificate.key().clone());
    let signature = key.sign_with_rng(&mut OsRng, signing_input.as_bytes());
    SecretString::from(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    ))
}
