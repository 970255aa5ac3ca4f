//! Identifiers the emulator hands out: GUIDs, Graph item ids, change keys, client secrets,
//! access tokens, and the timestamps Microsoft writes.
//!
//! Invariant: every generated value comes from a random v4 UUID (122 random bits), so two
//! calls never collide in practice; nothing here is derived from a secret.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A fresh GUID in the lower-case hyphenated form Entra and Graph use.
pub fn guid() -> String {
    Uuid::new_v4().hyphenated().to_string()
}

/// A fresh Graph item id. Real ids are opaque base64 strings starting with `AAMk`; ours keep
/// that shape (URL-safe alphabet, so they need no escaping in a path).
pub fn item_id() -> String {
    let mut bytes = Vec::with_capacity(34);
    bytes.extend_from_slice(&[0x00, 0x03, 0x24, 0x00]);
    bytes.extend_from_slice(Uuid::new_v4().as_bytes());
    bytes.extend_from_slice(Uuid::new_v4().as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// True when `id` has the shape of an id this emulator hands out (see [`item_id`]); anything
/// else is answered as Graph answers a malformed id.
pub fn is_well_formed_item_id(id: &str) -> bool {
    id.starts_with("AAMk")
        && id.len() >= 16
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A fresh change key (base64, as Exchange writes them).
pub fn change_key() -> String {
    let mut bytes = vec![0x16, 0x00, 0x00, 0x00];
    bytes.extend_from_slice(&Uuid::new_v4().as_bytes()[..14]);
    STANDARD.encode(bytes)
}

/// A fresh client secret in the shape Entra issues them (`xxx8Q~` followed by 34 characters).
pub fn client_secret() -> String {
    let raw = URL_SAFE_NO_PAD.encode(
        [
            Uuid::new_v4().as_bytes().as_slice(),
            Uuid::new_v4().as_bytes().as_slice(),
        ]
        .concat(),
    );
    let body: String = raw.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let head: String = body.chars().take(3).collect();
    let tail: String = body.chars().skip(3).take(34).collect();
    format!("{head}8Q~{tail}")
}

/// Base64url without padding, as JWT segments are written.
pub fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes a base64url segment (without padding); `None` when it is not base64url.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// A timestamp as Graph writes `createdDateTime`: seven fractional digits and `Z`.
pub fn graph_timestamp(at: DateTime<Utc>) -> String {
    format!(
        "{}{:07}Z",
        at.format("%Y-%m-%dT%H:%M:%S."),
        at.timestamp_subsec_nanos() / 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_promised_shapes() {
        let id = item_id();
        assert!(is_well_formed_item_id(&id), "{id}");
        assert!(!is_well_formed_item_id("not-an-id"));
        assert!(!is_well_formed_item_id("AAMk/with/slashes/in/it"));
        assert_ne!(item_id(), id);
        let secret = client_secret();
        assert_eq!(secret.len(), 40, "{secret}");
        assert_eq!(&secret[3..6], "8Q~");
        assert_eq!(guid().len(), 36);
        let at = DateTime::parse_from_rfc3339("2026-11-22T07:05:08.123456789Z")
            .map(|t| t.with_timezone(&Utc))
            .expect("valid");
        assert_eq!(graph_timestamp(at), "2026-11-22T07:05:08.1234567Z");
    }
}
