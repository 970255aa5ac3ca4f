//! Builds client assertions for the tests: signs PS256/RS256 JWTs with the sample app's
//! test key (`testdata/sample-app-key.pem`) or with a stranger's (`testdata/other-key.pem`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::RsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::rand_core::OsRng;
use rsa::sha2::Sha256;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use serde_json::{Value, json};

/// A private key that no app has registered.
pub const OTHER_KEY_PEM: &str = include_str!("../../testdata/other-key.pem");

/// The signing algorithms Entra accepts.
#[derive(Clone, Copy)]
pub enum Alg {
    Ps256,
    Rs256,
}

/// `header.payload.signature` with `header` and `claims` as given, signed with `key_pem`.
pub fn sign(alg: Alg, header: &Value, claims: &Value, key_pem: &str) -> String {
    let key = RsaPrivateKey::from_pkcs8_pem(key_pem).expect("test key");
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"));
    let signed = format!("{}.{}", part(header), part(claims));
    let signature = match alg {
        Alg::Ps256 => rsa::pss::BlindedSigningKey::<Sha256>::new(key)
            .sign_with_rng(&mut OsRng, signed.as_bytes())
            .to_vec(),
        Alg::Rs256 => rsa::pkcs1v15::SigningKey::<Sha256>::new(key)
            .sign(signed.as_bytes())
            .to_vec(),
    };
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The claims Entra asks for: `aud`, `iss` = `sub` = client id, `jti`, `nbf`, `exp` (10 min).
pub fn claims(client_id: &str, aud: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "aud": aud,
        "iss": client_id,
        "sub": client_id,
        "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": now,
        "iat": now,
        "exp": now + 600,
    })
}
