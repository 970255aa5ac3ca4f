//! Loading certificate credentials from files (`exsync_graph::auth::CertificateCredential`):
//! PKCS#12 written with legacy algorithms, and every file problem reported with the file and
//! the fix, never the password. Sign-in with the loaded certificates is in `auth.rs`.

use std::path::{Path, PathBuf};

use exsync_emulator::client_assertion::{
    SAMPLE_CERTIFICATE_PEM, SAMPLE_PRIVATE_KEY_PEM, sample_certificate, sample_private_key_path,
};
use exsync_graph::auth::{AuthError, CertificateCredential};
use secrecy::SecretString;

const P12_PASSWORD: &str = "exsync-test-only";

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
}

fn assert_message(error: &AuthError, parts: &[&str]) {
    let text = error.to_string();
    for part in parts {
        assert!(text.contains(part), "{part:?} missing in: {text}");
    }
}

#[test]
fn a_legacy_triple_des_pkcs12_file_loads() {
    use p12_keystore::{Certificate, EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm};
    use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(SAMPLE_PRIVATE_KEY_PEM).expect("sample key");
    let key_der = key.to_pkcs8_der().expect("pkcs8");
    let cert_b64: String = SAMPLE_CERTIFICATE_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    use base64::Engine;
    let cert_der = base64::engine::general_purpose::STANDARD
        .decode(cert_b64)
        .expect("cert");
    let mut store = KeyStore::new();
    let chain = p12_keystore::PrivateKeyChain::new(
        key_der.as_bytes(),
        [1u8; 20],
        [Certificate::from_der(&cert_der).expect("cert parses")],
    );
    store.add_entry("sample", KeyStoreEntry::PrivateKeyChain(chain));
    let p12 = store
        .writer(P12_PASSWORD)
        .encryption_algorithm(EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc)
        .mac_algorithm(MacAlgorithm::HmacSha1)
        .write()
        .expect("p12 written");
    let certificate = CertificateCredential::from_pkcs12(
        &p12,
        &SecretString::from(P12_PASSWORD),
        Path::new("legacy.pfx"),
    )
    .expect("3DES/SHA-1 p12 loads");
    let registered = sample_certificate().expect("sample certificate");
    assert_eq!(certificate.x5t_s256(), registered.x5t_s256());
}

#[test]
fn a_wrong_pkcs12_password_names_the_file_and_the_fix_but_not_the_password() {
    let wrong = "Wr0ng-Passw0rd!";
    let path = testdata("sample-app.p12");
    let error = CertificateCredential::from_pkcs12_file(&path, &SecretString::from(wrong))
        .expect_err("wrong password");
    assert_message(
        &error,
        &["sample-app.p12", "exchange.online.certificate_password"],
    );
    assert!(!error.to_string().contains(wrong));
    assert!(!format!("{error:?}").contains(wrong));
}

#[test]
fn certificate_file_problems_name_the_file_and_the_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.pem");
    let error = CertificateCredential::from_pem_file(&missing, None).expect_err("missing");
    assert_message(
        &error,
        &[
            "missing.pem",
            "does not exist",
            "exchange.online.certificate_file",
        ],
    );

    let cert_only = dir.path().join("cert-only.pem");
    std::fs::write(&cert_only, SAMPLE_CERTIFICATE_PEM).expect("write");
    let error = CertificateCredential::from_pem_file(&cert_only, None).expect_err("no key");
    assert_message(&error, &["cert-only.pem", "no private key"]);

    let mismatched = dir.path().join("mismatched.pem");
    let other_key =
        std::fs::read_to_string(sample_private_key_path().with_file_name("other-key.pem"))
            .expect("other key");
    std::fs::write(&mismatched, format!("{SAMPLE_CERTIFICATE_PEM}{other_key}")).expect("write");
    let error = CertificateCredential::from_pem_file(&mismatched, None).expect_err("mismatch");
    assert_message(
        &error,
        &["mismatched.pem", "does not belong to the certificate"],
    );

    let error = CertificateCredential::from_pem_file(&testdata("sample-app.p12"), None)
        .expect_err("binary");
    assert_message(&error, &["sample-app.p12", ".pfx"]);
}
