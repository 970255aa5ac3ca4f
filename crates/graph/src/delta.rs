//! One delta round: follow `@odata.nextLink` pages until Graph hands out an `@odata.deltaLink`.
//! Used for `calendarView/delta`, To Do `tasks/delta` and `contacts/delta` alike.
//!
//! Invariant: a round either returns every entry of every page with the delta link that
//! follows them, or an error; a caller that failed keeps its previous delta link and reads the
//! same changes again next time (Graph's delta replays are harmless to the planner).

use serde_json::Value;

use crate::client::{GraphClient, GraphError, GraphRequest};

/// The entries of a delta round and the link for the next one.
#[derive(Debug, Clone, Default)]
pub struct DeltaRound {
    /// Every entry of every page, in order (`@removed` entries included).
    pub entries: Vec<Value>,
    /// `@odata.deltaLink` for the next round.
    pub delta_link: String,
    /// Pages read.
    pub pages: u32,
}

/// Page size asked for with `Prefer: odata.maxpagesize`.
pub const DELTA_PAGE_SIZE: usize = 200;

/// Pages a round may take before it is considered broken (a server that keeps paging).
const MAX_PAGES: u32 = 100_000;

/// Reads a whole delta round starting at `url` (an initial delta URL or a stored delta link).
pub async fn delta_round(
    client: &GraphClient,
    mailbox: &str,
    url: &str,
    operation: &'static str,
) -> Result<DeltaRound, GraphError> {
    let mut round = DeltaRound::default();
    let mut next = url.to_owned();
    loop {
        let request = GraphRequest::get(next.clone(), operation)
            .prefer(format!("odata.maxpagesize={DELTA_PAGE_SIZE}"));
        let page = client.send(mailbox, &request).await?.body;
        round.pages += 1;
        if let Some(values) = page["value"].as_array() {
            round.entries.extend(values.iter().cloned());
        }
        if let Some(link) = page["@odata.deltaLink"].as_str() {
            round.delta_link = link.to_owned();
            return Ok(round);
        }
        match page["@odata.nextLink"].as_str() {
            Some(link) if round.pages < MAX_PAGES => next = link.to_owned(),
            _ => {
                return Err(GraphError::Protocol {
                    mailbox: mailbox.to_owned(),
                    operation: operation.to_owned(),
                    reason: "a delta page had neither @odata.nextLink nor @odata.deltaLink".into(),
                });
            }
        }
    }
}

/// True for a delta entry that reports a deletion (`"@removed": {"reason": ...}`).
pub fn is_removed(entry: &Value) -> bool {
    entry.get("@removed").is_some()
}

/// `/users/{mailbox}` with the address escaped for a URL path.
pub fn user_path(mailbox: &str) -> String {
    format!("/users/{}", escape_path(mailbox))
}

/// Percent-escapes what may not stand in a URL path segment.
pub fn escape_path(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' | b'=' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Percent-escapes a query parameter value.
pub fn escape_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_addresses_are_escaped_for_paths() {
        assert_eq!(
            user_path("eva.berger@contoso.example"),
            "/users/eva.berger@contoso.example"
        );
        assert_eq!(escape_path("AAMk/a+b="), "AAMk%2Fa%2Bb=");
        assert_eq!(escape_query("id eq 'x'"), "id%20eq%20%27x%27");
    }

    #[test]
    fn removed_entries_are_recognised() {
        assert!(is_removed(
            &serde_json::json!({"id": "1", "@removed": {"reason": "deleted"}})
        ));
        assert!(!is_removed(&serde_json::json!({"id": "1"})));
    }
}
