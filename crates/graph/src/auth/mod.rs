//! Entra ID app-only authentication (OAuth 2.0 client credentials against the Microsoft
//! identity platform v2.0 token endpoint), as exsync needs it to run unattended.
//!
//! - [`Credential`]: a client secret, or a certificate + RSA key from PEM or PKCS#12, which
//!   signs a PS256 client assertion per request (`assertion`).
//! - [`TokenProvider`]: tokens per scope, cached, refreshed before expiry by one caller at a
//!   time; [`TokenProvider::invalidate`] after a 401.
//! - [`AuthError`]: Entra's refusals (AADSTS codes) as messages an administrator can act on;
//!   transient failures (unreachable, 5xx, 429) are retried with backoff and jitter first.
//!
//! Invariant: no client secret, certificate password, private key, client assertion or access
//! token appears in a log line, an error message or `Debug` output.

mod assertion;
mod credential;
mod endpoint;
mod error;
mod provider;

pub use credential::{CertificateCredential, Credential};
pub use endpoint::RetryPolicy;
pub use error::AuthError;
pub use provider::{AccessToken, EXCHANGE_ONLINE_SCOPE, GRAPH_SCOPE, TokenProvider};
