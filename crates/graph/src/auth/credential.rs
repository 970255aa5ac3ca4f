//! The app's credential: a client secret, or a certificate with its RSA private key loaded from
//! a PEM file (certificate + PKCS#8, PKCS#1 or password-encrypted PKCS#8 key) or a PKCS#12
//! (.pfx/.p12) file with its password.
//!
//! Invariant: a [`CertificateCredential`] always holds a private key that belongs to the
//! certificate it names (checked on load: the certificate carries the key's public half), and
//! its `x5t#S256` is the base64url SHA-256 of that certificate's DER. Neither the secret, the
//! key nor a password ever appears in `Debug` output or in an error.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use exsync_config::{CertificateConfig, CertificateFormat, OnlineCredential};
use rsa::RsaPrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::DecodePrivateKey;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::error::AuthError;

/// How the app proves who it is to Entra ID.
#[derive(Clone)]
pub enum Credential {
    /// A client secret (its *Value*).
    Secret(SecretString),
    /// A certificate registered on the app, with its private key.
    Certificate(CertificateCredential),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Secret(_) => f.write_str("Credential::Secret(<redacted>)"),
            Credential::Certificate(c) => {
                f.debug_tuple("Credential::Certificate").field(c).finish()
            }
        }
    }
}

impl Credential {
    /// True when both are the same secret, or certificates with the same thumbprint (the
    /// same certificate; its key is the one the certificate names).
    pub fn same_as(&self, other: &Credential) -> bool {
        match (self, other) {
            (Credential::Secret(a), Credential::Secret(b)) => {
                a.expose_secret() == b.expose_secret()
            }
            (Credential::Certificate(a), Credential::Certificate(b)) => a.x5t_s256 == b.x5t_s256,
            _ => false,
        }
    }

    /// The credential `[exchange.online]` configures; a certificate file is read and checked
    /// now, so a bad file is reported at start-up.
    pub fn from_config(credential: &OnlineCredential) -> Result<Self, AuthError> {
        match credential {
            OnlineCredential::Secret(secret) => Ok(Credential::Secret(secret.clone())),
            OnlineCredential::Certificate(CertificateConfig {
                file,
                format,
                password,
            }) => {
                let certificate = match format {
                    CertificateFormat::Pem => {
                        CertificateCredential::from_pem_file(file, password.as_ref())?
                    }
                    CertificateFormat::Pkcs12 => {
                        let empty = SecretString::from("");
                        let password = password.as_ref().unwrap_or(&empty);
                        CertificateCredential::from_pkcs12_file(file, password)?
                    }
                };
                Ok(Credential::Certificate(certificate))
            }
        }
    }
}

/// A certificate and its RSA private key, ready to sign client assertions.
#[derive(Clone)]
pub struct CertificateCredential {
    key: Arc<RsaPrivateKey>,
    x5t_s256: String,
    not_after: Option<DateTime<Utc>>,
    source: PathBuf,
}

impl fmt::Debug for CertificateCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateCredential")
            .field("x5t#S256", &self.x5t_s256)
            .field("not_after", &self.not_after)
            .field("source", &self.source)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl CertificateCredential {
    /// Reads a PEM file holding the certificate (`CERTIFICATE`) and its private key
    /// (`PRIVATE KEY` = PKCS#8, `RSA PRIVATE KEY` = PKCS#1, or `ENCRYPTED PRIVATE KEY` =
    /// PKCS#8 encrypted with `password`). With a chain, the certificate that matches the key
    /// is used.
    pub fn from_pem_file(path: &Path, password: Option<&SecretString>) -> Result<Self, AuthError> {
        let text = std::fs::read_to_string(path).map_err(|e| file_error(path, read_problem(&e)))?;
        Self::from_pem(&text, password, path)
    }

    /// As [`Self::from_pem_file`], from text already read; `source` names it in errors.
    pub fn from_pem(
        text: &str,
        password: Option<&SecretString>,
        source: &Path,
    ) -> Result<Self, AuthError> {
        let blocks = pem_blocks(text).map_err(|p| file_error(source, p))?;
        let mut certificates = Vec::new();
        let mut key = None;
        for (label, der) in blocks {
            match label.as_str() {
                "CERTIFICATE" => certificates.push(der),
                "PRIVATE KEY" => {
                    let k = RsaPrivateKey::from_pkcs8_der(&der).map_err(|_| {
                        file_error(
                            source,
                            "its PRIVATE KEY is not an RSA key in PKCS#8 form (Entra ID \
                             certificate credentials need an RSA key)"
                                .into(),
                        )
                    })?;
                    key = Some(k);
                }
                "RSA PRIVATE KEY" => {
                    let k = RsaPrivateKey::from_pkcs1_der(&der).map_err(|_| {
                        file_error(
                            source,
                            "its RSA PRIVATE KEY does not parse as PKCS#1".into(),
                        )
                    })?;
                    key = Some(k);
                }
                "ENCRYPTED PRIVATE KEY" => key = Some(decrypt_pkcs8(&der, password, source)?),
                _ => {}
            }
        }
        let Some(key) = key else {
            return Err(file_error(
                source,
                "it holds no private key: put the certificate and its private key (-----BEGIN \
                 PRIVATE KEY-----) into the file, or use the .pfx with its password"
                    .into(),
            ));
        };
        Self::from_key_and_certificates(key, &certificates, source)
    }

    /// Reads a PKCS#12 (.pfx/.p12) file with its password.
    pub fn from_pkcs12_file(path: &Path, password: &SecretString) -> Result<Self, AuthError> {
        let der = std::fs::read(path).map_err(|e| file_error(path, read_problem(&e)))?;
        Self::from_pkcs12(&der, password, path)
    }

    /// As [`Self::from_pkcs12_file`], from bytes already read; `source` names it in errors.
    pub fn from_pkcs12(
        der: &[u8],
        password: &SecretString,
        source: &Path,
    ) -> Result<Self, AuthError> {
        let store = p12_keystore::KeyStore::from_pkcs12(der, password.expose_secret())
            .map_err(|e| file_error(source, pkcs12_problem(&e)))?;
        let Some((_alias, chain)) = store.private_key_chain() else {
            return Err(file_error(
                source,
                "the PKCS#12 file holds no private key with its certificate: export the \
                 certificate *with* its private key"
                    .into(),
            ));
        };
        let key = RsaPrivateKey::from_pkcs8_der(chain.key()).map_err(|_| {
            file_error(
                source,
                "its private key is not an RSA key (Entra ID certificate credentials need an \
                 RSA key)"
                    .into(),
            )
        })?;
        let certificates: Vec<Vec<u8>> =
            chain.chain().iter().map(|c| c.as_der().to_vec()).collect();
        Self::from_key_and_certificates(key, &certificates, source)
    }

    /// Pairs the key with the certificate that carries its public key.
    fn from_key_and_certificates(
        key: RsaPrivateKey,
        certificates: &[Vec<u8>],
        source: &Path,
    ) -> Result<Self, AuthError> {
        if certificates.is_empty() {
            return Err(file_error(
                source,
                "it holds no certificate (-----BEGIN CERTIFICATE-----): add the certificate \
                 that is registered on the app next to the key"
                    .into(),
            ));
        }
        // The certificate's SubjectPublicKeyInfo holds the PKCS#1 RSAPublicKey DER verbatim,
        // so the matching certificate contains those bytes.
        let public = key
            .to_public_key()
            .to_pkcs1_der()
            .map_err(|_| file_error(source, "its RSA key cannot be encoded".into()))?;
        let Some(certificate) = certificates.iter().find(|c| contains(c, public.as_bytes())) else {
            return Err(file_error(
                source,
                "the private key does not belong to the certificate(s) in the file: put the \
                 certificate and the key that were created together into it"
                    .into(),
            ));
        };
        Ok(Self {
            key: Arc::new(key),
            x5t_s256: URL_SAFE_NO_PAD.encode(Sha256::digest(certificate)),
            not_after: not_after(certificate),
            source: source.to_owned(),
        })
    }

    /// The end of the certificate's validity (its `notAfter`); `None` when the certificate's
    /// DER cannot be read as X.509 (the key still works, Entra ID judges the registration).
    pub fn not_after(&self) -> Option<DateTime<Utc>> {
        self.not_after
    }

    /// `x5t#S256`: base64url (no padding) of the SHA-256 of the certificate's DER.
    pub fn x5t_s256(&self) -> &str {
        &self.x5t_s256
    }

    /// The file the certificate came from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    pub(crate) fn key(&self) -> &RsaPrivateKey {
        &self.key
    }
}

/// The `notAfter` of an X.509 certificate in DER.
fn not_after(der: &[u8]) -> Option<DateTime<Utc>> {
    use x509_cert::der::Decode;
    let certificate = x509_cert::Certificate::from_der(der).ok()?;
    let since_epoch = certificate
        .tbs_certificate
        .validity
        .not_after
        .to_unix_duration();
    DateTime::from_timestamp(i64::try_from(since_epoch.as_secs()).ok()?, 0)
}

/// An `ENCRYPTED PRIVATE KEY` (PKCS#8, PBES2) opened with the configured password.
fn decrypt_pkcs8(
    der: &[u8],
    password: Option<&SecretString>,
    source: &Path,
) -> Result<RsaPrivateKey, AuthError> {
    let Some(password) = password else {
        return Err(file_error(
            source,
            "its private key is encrypted: set exchange.online.certificate_password to its \
             password"
                .into(),
        ));
    };
    let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der).map_err(|_| {
        file_error(
            source,
            "its ENCRYPTED PRIVATE KEY does not parse as PKCS#8".into(),
        )
    })?;
    let document = info.decrypt(password.expose_secret()).map_err(|_| {
        file_error(
            source,
            "the password does not open its private key: set \
             exchange.online.certificate_password to the key's password (or the key is \
             encrypted with an algorithm other than PBES2/AES)"
                .into(),
        )
    })?;
    RsaPrivateKey::from_pkcs8_der(document.as_bytes()).map_err(|_| {
        file_error(
            source,
            "its private key is not an RSA key (Entra ID certificate credentials need an RSA \
             key)"
                .into(),
        )
    })
}

fn file_error(file: &Path, problem: String) -> AuthError {
    AuthError::CertificateFile {
        file: file.to_owned(),
        problem,
    }
}

fn read_problem(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            "it does not exist: check exchange.online.certificate_file".into()
        }
        std::io::ErrorKind::PermissionDenied => {
            "the service may not read it: give the service account read access".into()
        }
        std::io::ErrorKind::InvalidData => {
            "it is not PEM text: a binary file is probably PKCS#12 (.pfx); name it .pfx/.p12".into()
        }
        _ => format!("it cannot be read ({e})"),
    }
}

/// p12-keystore's errors never include the password; they are mapped to fixes here.
fn pkcs12_problem(e: &p12_keystore::error::Error) -> String {
    use p12_keystore::error::Error as P12;
    match e {
        P12::MacError(_) => "the password does not open it: set \
                             exchange.online.certificate_password to the password the .pfx was \
                             exported with"
            .into(),
        P12::DerError(_) | P12::InvalidVersion => {
            "it is not a PKCS#12 (.pfx/.p12) file: export the certificate with its private key \
             as .pfx, or use PEM"
                .into()
        }
        P12::UnsupportedEncryptionScheme | P12::UnsupportedMacAlgorithm => {
            "it is protected with an algorithm this service cannot read: re-export it with \
             AES-256 (e.g. `openssl pkcs12 -export` or Windows' \"AES256-SHA256\")"
                .into()
        }
        P12::UnpadError | P12::InvalidData => {
            "its contents do not decrypt (a wrong exchange.online.certificate_password, or a \
             damaged file)"
                .into()
        }
        other => format!("it cannot be read as PKCS#12 ({other})"),
    }
}

/// `(label, DER)` of each `-----BEGIN label-----` … `-----END label-----` block.
fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            return Err("a PEM header line is cut off".into());
        };
        let label = after[..label_end].to_owned();
        let body_and_rest = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = body_and_rest.find(&end_marker) else {
            return Err(format!("its {label} block has no END line"));
        };
        let body: String = body_and_rest[..end]
            .lines()
            .filter(|l| !l.contains(':'))
            .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
            .collect();
        let der = STANDARD
            .decode(body)
            .map_err(|_| format!("its {label} block is not valid base64"))?;
        blocks.push((label, der));
        rest = &body_and_rest[end + end_marker.len()..];
    }
    if blocks.is_empty() {
        return Err(
            "it holds no PEM blocks (-----BEGIN …-----): is it a .pfx? then name it \
                    .pfx/.p12"
                .into(),
        );
    }
    Ok(blocks)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_are_split_and_decoded() {
        let text = concat!(
            "junk\n-----BEGIN A-----\nAQID\n-----END A-----\n",
            "-----BEGIN B-----\nBA==\n-----END B-----\n"
        );
        let blocks = pem_blocks(text).expect("parses");
        assert_eq!(
            blocks,
            vec![("A".into(), vec![1, 2, 3]), ("B".into(), vec![4])]
        );
    }

    #[test]
    fn text_without_pem_blocks_is_refused() {
        assert!(pem_blocks("hello").is_err());
        assert!(pem_blocks("-----BEGIN A-----\nAQID\n").is_err());
    }

    #[test]
    fn secret_credentials_do_not_show_in_debug() {
        let c = Credential::Secret(SecretString::from("hunter2-value"));
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
