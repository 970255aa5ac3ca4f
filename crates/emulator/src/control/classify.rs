//! Names a request for the counters: its protocol, operation and mailbox.
//!
//! Invariant: reads only the path, the method, the `X-AnchorMailbox` header and (EWS) the SOAP
//! body's operation element and impersonated address; the body is handed on unchanged. An EWS
//! body is only copied while EWS reads it ([`tee`]), so EWS's own timing (a request holds its
//! concurrency slot from its headers on) is kept.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::Request;
use http_body_util::BodyExt;

use super::Protocol;
use crate::server::Shared;

/// Largest EWS body read for classification (EWS itself refuses larger ones).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Graph path words kept as they are; other segments are ids, counted as `{id}`.
const GRAPH_WORDS: &[&str] = &[
    "events",
    "calendar",
    "calendarview",
    "delta",
    "delta()",
    "instances",
    "todo",
    "lists",
    "tasks",
    "contactfolders",
    "contacts",
];

/// How much of an EWS body is kept for naming it (operation and impersonation come first).
const TEE_LIMIT: usize = 64 * 1024;

/// The protocol a path belongs to.
pub(super) fn protocol(path: &str) -> Protocol {
    if path.starts_with("/v1.0/") {
        Protocol::Graph
    } else if path.eq_ignore_ascii_case("/ews/exchange.asmx") {
        Protocol::Ews
    } else if path.ends_with("/oauth2/v2.0/token") {
        Protocol::Token
    } else {
        Protocol::Other
    }
}

/// A copy of the first [`TEE_LIMIT`] bytes of an EWS body, filled as EWS reads it.
pub(super) struct Tee {
    anchor: Option<String>,
    copied: Arc<Mutex<Vec<u8>>>,
}

/// Hands `request` on with a body that copies what is read of it into the [`Tee`].
pub(super) fn tee(request: Request) -> (Request, Tee) {
    let anchor = anchor(&request);
    let copied = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&copied);
    let (parts, body) = request.into_parts();
    let body = body.map_frame(move |frame| {
        if let Some(data) = frame.data_ref() {
            let mut kept = sink.lock().unwrap_or_else(|p| p.into_inner());
            let room = TEE_LIMIT.saturating_sub(kept.len());
            kept.extend_from_slice(&data[..room.min(data.len())]);
        }
        frame
    });
    let request = Request::from_parts(parts, Body::new(body));
    (request, Tee { anchor, copied })
}

impl Tee {
    /// Names the request from what was read of its body.
    pub(super) fn seen(self, shared: &Shared) -> Seen {
        let copied = self.copied.lock().unwrap_or_else(|p| p.into_inner());
        ews_seen(shared, self.anchor, &String::from_utf8_lossy(&copied))
    }
}

fn anchor(request: &Request) -> Option<String> {
    request
        .headers()
        .get("x-anchormailbox")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn ews_seen(shared: &Shared, anchor: Option<String>, text: &str) -> Seen {
    let operation = soap_operation(text).unwrap_or_else(|| "(body not read)".to_owned());
    let named = anchor.or_else(|| impersonated(text));
    Seen {
        protocol: Protocol::Ews,
        operation,
        mailbox: named.map(|m| canonical(shared, &m)).unwrap_or_default(),
    }
}

/// What the counters record of one request.
pub(super) struct Seen {
    pub(super) protocol: Protocol,
    pub(super) operation: String,
    pub(super) mailbox: String,
}

/// Classifies `request`, reading an EWS body whole; returns it (body intact) with its name.
pub(super) async fn classify(shared: &Shared, request: Request) -> (Request, Seen) {
    let path = request.uri().path().to_owned();
    let method = request.method().as_str().to_owned();
    if let Some(rest) = path.strip_prefix("/v1.0/") {
        let seen = graph(shared, &method, rest);
        return (request, seen);
    }
    if path.eq_ignore_ascii_case("/ews/exchange.asmx") {
        let anchor = anchor(&request);
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, MAX_BODY)
            .await
            .unwrap_or_default();
        let seen = ews_seen(shared, anchor, &String::from_utf8_lossy(&bytes));
        return (Request::from_parts(parts, Body::from(bytes)), seen);
    }
    let (protocol, operation) = if path.ends_with("/oauth2/v2.0/token") {
        (Protocol::Token, "token".to_owned())
    } else {
        (Protocol::Other, method)
    };
    let seen = Seen {
        protocol,
        operation,
        mailbox: String::new(),
    };
    (request, seen)
}

fn graph(shared: &Shared, method: &str, rest: &str) -> Seen {
    let mut segments = rest.split('/').filter(|s| !s.is_empty());
    let (operation, mailbox) = match segments.next() {
        Some("users") => {
            let user = segments.next().map(|u| canonical(shared, u));
            let tail: Vec<&str> = segments
                .map(|s| {
                    if GRAPH_WORDS.contains(&s.to_ascii_lowercase().as_str()) {
                        s
                    } else {
                        "{id}"
                    }
                })
                .collect();
            (format!("{method} {}", tail.join("/")), user)
        }
        Some(first) => (format!("{method} {first}"), None),
        None => (method.to_owned(), None),
    };
    Seen {
        protocol: Protocol::Graph,
        operation: operation.trim_end().to_owned(),
        mailbox: mailbox.unwrap_or_default(),
    }
}

/// The primary address of the mailbox `name` names (id, UPN or address); `name` lower-cased
/// when no tenant knows it.
fn canonical(shared: &Shared, name: &str) -> String {
    let state = shared.store.lock();
    let found = state.org.tenants.iter().find_map(|t| t.mailbox(name));
    found.map_or_else(|| name.to_ascii_lowercase(), |m| m.mail.clone())
}

/// Local name of the first element inside the SOAP `Body`.
fn soap_operation(xml: &str) -> Option<String> {
    let body = find_start_tag(xml, "Body")?;
    let after = &xml[body..];
    let mut rest = &after[after.find('>')? + 1..];
    loop {
        let open = rest.find('<')?;
        rest = &rest[open + 1..];
        if rest.starts_with('/') {
            return None;
        }
        if rest.starts_with('!') || rest.starts_with('?') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        let local = name.rsplit(':').next().unwrap_or_default();
        return (!local.is_empty()).then(|| local.to_owned());
    }
}

/// Byte offset of the first start tag with this local name (any prefix).
pub(super) fn find_start_tag(xml: &str, local: &str) -> Option<usize> {
    xml.match_indices('<').map(|(i, _)| i).find(|&i| {
        let name: String = xml[i + 1..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        name.rsplit(':').next() == Some(local)
    })
}

/// The address in `ExchangeImpersonation/ConnectingSID`, if any.
fn impersonated(xml: &str) -> Option<String> {
    ["PrimarySmtpAddress", "SmtpAddress", "PrincipalName"]
        .into_iter()
        .find_map(|local| {
            let at = find_start_tag(xml, local)?;
            let after = &xml[at..];
            let text = &after[after.find('>')? + 1..];
            let value = text[..text.find('<')?].trim();
            (!value.is_empty()).then(|| value.to_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_soap_operation_and_the_impersonated_mailbox() {
        let xml = r#"<?xml version="1.0"?><s:Envelope xmlns:s="x"><s:Header><t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress> a@b.example </t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></s:Header><s:Body><!-- c --><m:GetItem Traversal="Shallow"/></s:Body></s:Envelope>"#;
        assert_eq!(soap_operation(xml).as_deref(), Some("GetItem"));
        assert_eq!(impersonated(xml).as_deref(), Some("a@b.example"));
        assert_eq!(soap_operation("<Envelope><Body></Body></Envelope>"), None);
        assert_eq!(soap_operation("not xml"), None);
    }
}
