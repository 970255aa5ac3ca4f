//! HTTPS for every request to Entra ID and Graph: rustls with the *ring* provider (the one the
//! database driver already uses) and the operating system's certificate store, so a company's
//! inspection proxy or private CA installed there is trusted as by any other program.
//!
//! Invariant: every HTTP client of the connector is built from [`http_client_builder`], which
//! installs *ring* as the process's TLS provider first (rustls is built with two providers —
//! *ring* for the database driver, aws-lc for reqwest's fallback — so a process default keeps
//! every TLS configuration in the process unambiguous).

use std::sync::Once;

/// A `reqwest` client builder that speaks HTTPS (and plain HTTP, for the emulator).
pub fn http_client_builder() -> reqwest::ClientBuilder {
    install_provider();
    reqwest::Client::builder()
}

/// Installs *ring* as the process's rustls provider, once. Another provider installed before
/// (by a program embedding this crate) is kept.
fn install_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _already_installed = rustls::crypto::ring::default_provider().install_default();
    });
}
