//! What the transfer log writes of a body: secrets redacted, then cut to [`BODY_LIMIT`]
//! characters with `... (N more bytes)`.
//!
//! Invariants: redaction happens before cutting (a cut never reveals part of a secret); the
//! value of every member or form field named in [`SECRET_NAMES`] (ignoring case, at any JSON
//! depth) becomes [`REDACTED`], and so does whatever follows `Bearer ` in any text.

use serde_json::Value;

use super::{BODY_LIMIT, REDACTED, SECRET_NAMES};

/// A JSON body for the log: secret members redacted, cut to [`BODY_LIMIT`].
pub(crate) fn json_body(body: &Value) -> String {
    if body.is_null() {
        return String::new();
    }
    let mut body = body.clone();
    redact_json(&mut body);
    truncate(&body.to_string())
}

/// A form body for the log, built from its fields: secret fields redacted (their values are
/// never put into the text), cut to [`BODY_LIMIT`].
pub(crate) fn form_body(fields: &[(&str, &str)]) -> String {
    let text = fields
        .iter()
        .map(|(name, value)| {
            let value = if is_secret_name(name) {
                REDACTED
            } else {
                value
            };
            format!("{name}={value}")
        })
        .collect::<Vec<_>>()
        .join("&");
    truncate(&text)
}

/// A body as received: JSON is redacted member by member, anything else as text (form fields,
/// `"name": "value"` pairs, bearer tokens); then cut to [`BODY_LIMIT`].
pub(crate) fn raw_body(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return String::new();
    }
    if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
        return json_body(&value);
    }
    truncate(&redact_text(&String::from_utf8_lossy(bytes)))
}

fn is_secret_name(name: &str) -> bool {
    SECRET_NAMES.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// Replaces the value of every secret member (at any depth) and scrubs bearer tokens from
/// every other string.
fn redact_json(value: &mut Value) {
    match value {
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                if is_secret_name(name) {
                    *member = Value::String(REDACTED.to_owned());
                } else {
                    redact_json(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        Value::String(text) if text.contains("Bearer ") => *text = redact_bearer(text),
        _ => {}
    }
}

/// Text that is not JSON: a form body, broken JSON, an HTML error page.
fn redact_text(text: &str) -> String {
    let text = if looks_like_form(text) {
        redact_form(text)
    } else {
        redact_json_text(text)
    };
    redact_bearer(&text)
}

fn looks_like_form(text: &str) -> bool {
    text.contains('=') && !text.contains(|c: char| c.is_whitespace() || "{}\"<>".contains(c))
}

/// `a=1&client_secret=x` -> `a=1&client_secret=[redacted]`.
fn redact_form(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_name(name) => format!("{name}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `"access_token" : "x"` -> `"access_token" : "[redacted]"` in text that is not valid JSON.
fn redact_json_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        let after_open = &rest[open + 1..];
        let Some(close) = string_end(after_open) else {
            break;
        };
        let name = &after_open[..close];
        out.push_str(&rest[..open + close + 2]);
        rest = &after_open[close + 1..];
        if !is_secret_name(name) {
            continue;
        }
        let trimmed = rest.trim_start();
        let Some(after_colon) = trimmed.strip_prefix(':') else {
            continue;
        };
        let value = after_colon.trim_start();
        let Some(quoted) = value.strip_prefix('"') else {
            continue;
        };
        out.push_str(&rest[..rest.len() - value.len()]);
        out.push('"');
        out.push_str(REDACTED);
        out.push('"');
        rest = match string_end(quoted) {
            Some(end) => &quoted[end + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Index of the closing quote of a JSON string whose opening quote was just consumed
/// (escaped quotes skipped).
fn string_end(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// `Bearer eyJ...` -> `Bearer [redacted]` wherever it occurs.
fn redact_bearer(text: &str) -> String {
    const PREFIX: &str = "Bearer ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        out.push_str(&rest[..at + PREFIX.len()]);
        rest = &rest[at + PREFIX.len()..];
        let token_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-._~+/=".contains(c)))
            .unwrap_or(rest.len());
        if token_len > 0 {
            out.push_str(REDACTED);
        }
        rest = &rest[token_len..];
    }
    out.push_str(rest);
    out
}

/// The first [`BODY_LIMIT`] characters, then `... (N more bytes)` when there are more.
pub(crate) fn truncate(text: &str) -> String {
    match text.char_indices().nth(BODY_LIMIT) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}... ({} more bytes)", &text[..cut], text.len() - cut),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SECRET: &str = "Abc8Q~very-secret-value";
    const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

    #[test]
    fn secret_json_members_are_redacted_at_any_depth_and_in_any_case() {
        let body = json!({
            "token_type": "Bearer",
            "access_token": TOKEN,
            "nested": [{ "Refresh_Token": "r1", "id_token": TOKEN, "keep": "visible" }],
            "client_secret": SECRET,
            "PASSWORD": "hunter2",
            "client_assertion": TOKEN,
        });
        let logged = json_body(&body);
        for secret in [TOKEN, SECRET, "r1", "hunter2"] {
            assert!(!logged.contains(secret), "{secret} leaked: {logged}");
        }
        let parsed: Value = serde_json::from_str(&logged).expect("still JSON");
        assert_eq!(parsed["access_token"], REDACTED);
        assert_eq!(parsed["nested"][0]["Refresh_Token"], REDACTED);
        assert_eq!(parsed["nested"][0]["keep"], "visible");
        assert_eq!(
            parsed["token_type"], "Bearer",
            "other members stay as they are"
        );
    }

    #[test]
    fn bearer_tokens_inside_strings_are_redacted() {
        let logged = json_body(&json!({ "message": format!("sent Bearer {TOKEN} twice") }));
        assert!(!logged.contains(TOKEN), "{logged}");
        assert!(logged.contains("Bearer [redacted] twice"), "{logged}");
    }

    #[test]
    fn form_fields_are_redacted_by_name_when_built_and_when_received() {
        let built = form_body(&[
            ("grant_type", "client_credentials"),
            ("client_id", "app-1"),
            ("client_secret", SECRET),
            ("client_assertion", TOKEN),
        ]);
        assert_eq!(
            built,
            "grant_type=client_credentials&client_id=app-1\
             &client_secret=[redacted]&client_assertion=[redacted]"
        );
        let received = raw_body(
            format!("grant_type=password&password={SECRET}&refresh_token={TOKEN}&x=1").as_bytes(),
        );
        assert_eq!(
            received,
            "grant_type=password&password=[redacted]&refresh_token=[redacted]&x=1"
        );
    }

    #[test]
    fn broken_json_is_redacted_as_text_including_escaped_quotes() {
        let text = format!(r#"{{"m": "a\"b", "password" : "{SECRET}", "access_token":"{TOKEN}"#);
        let logged = raw_body(text.as_bytes());
        assert!(!logged.contains(SECRET), "{logged}");
        assert!(!logged.contains("eyJ"), "{logged}");
        assert!(
            logged.starts_with(r#"{"m": "a\"b", "password" : "[redacted]""#),
            "{logged}"
        );
        let html = raw_body(format!("<p>Authorization: Bearer {TOKEN}</p>").as_bytes());
        assert_eq!(html, "<p>Authorization: Bearer [redacted]</p>");
    }

    #[test]
    fn long_bodies_are_cut_after_redaction_with_the_rest_counted() {
        let long = format!(
            "{{\"password\":\"{SECRET}\",\"text\":\"{}\"",
            "é".repeat(3_000)
        );
        let logged = raw_body(long.as_bytes());
        assert!(!logged.contains(SECRET));
        let (kept, note) = logged.split_once("... (").expect("cut");
        assert_eq!(kept.chars().count(), BODY_LIMIT);
        let redacted_len = long.len() - SECRET.len() + REDACTED.len();
        assert_eq!(note, format!("{} more bytes)", redacted_len - kept.len()));
        assert_eq!(truncate("short"), "short");
        let exact = "x".repeat(BODY_LIMIT);
        assert_eq!(truncate(&exact), exact, "exactly the limit is not cut");
    }

    #[test]
    fn empty_and_null_bodies_log_as_nothing() {
        assert_eq!(raw_body(b""), "");
        assert_eq!(json_body(&Value::Null), "");
    }
}
