//! The Prometheus text exposition (format 0.0.4) of a [`StatusSnapshot`] for `/metrics`.
//!
//! Invariant: every metric family has one `# HELP` and one `# TYPE` line before its samples,
//! and every label value is escaped (`\\`, `\"`, `\n`) as the format requires.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::status::StatusSnapshot;

/// The `Content-Type` of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Renders the snapshot as Prometheus text; `now` gives the seconds until the secret expires.
pub fn render_metrics(snapshot: &StatusSnapshot, now: DateTime<Utc>) -> String {
    let mut out = Exposition::default();
    out.family(
        "exsync_passes_total",
        "counter",
        "Sync passes per mailbox and kind, by result.",
    );
    out.sample(
        "exsync_passes_total",
        &[("result", "ok")],
        snapshot.passes_ok,
    );
    out.sample(
        "exsync_passes_total",
        &[("result", "failed")],
        snapshot.passes_failed,
    );

    out.family(
        "exsync_items_written_total",
        "counter",
        "Items written, by side, kind and operation.",
    );
    for written in &snapshot.items_written {
        let labels = [
            ("side", written.side.as_str()),
            ("kind", written.kind.as_str()),
            ("operation", written.operation.as_str()),
        ];
        out.sample("exsync_items_written_total", &labels, written.count);
    }

    out.family(
        "exsync_items_rejected_total",
        "counter",
        "Items that could not be synced, by kind.",
    );
    for rejected in &snapshot.items_rejected {
        let labels = [("kind", rejected.kind.as_str())];
        out.sample("exsync_items_rejected_total", &labels, rejected.count);
    }

    out.family(
        "exsync_throttled_total",
        "counter",
        "Throttled responses (HTTP 429) seen.",
    );
    out.sample("exsync_throttled_total", &[], snapshot.throttles);
    out.family(
        "exsync_errors_total",
        "counter",
        "Errors: failed passes and other failures.",
    );
    out.sample("exsync_errors_total", &[], snapshot.errors);

    out.family(
        "exsync_mailbox_lag_seconds",
        "gauge",
        "Seconds since the oldest unsynced change, or since the last successful pass.",
    );
    for mailbox in &snapshot.mailboxes {
        if let Some(lag) = mailbox.lag_seconds {
            out.sample(
                "exsync_mailbox_lag_seconds",
                &[("mailbox", &mailbox.mailbox)],
                lag,
            );
        }
    }
    out.family(
        "exsync_mailbox_pending",
        "gauge",
        "Changes waiting to be synced.",
    );
    for mailbox in &snapshot.mailboxes {
        out.sample(
            "exsync_mailbox_pending",
            &[("mailbox", &mailbox.mailbox)],
            mailbox.pending,
        );
    }
    out.family(
        "exsync_mailbox_held",
        "gauge",
        "1 when the mass-deletion guard holds deletions for the mailbox.",
    );
    for mailbox in &snapshot.mailboxes {
        let held = u8::from(mailbox.held.is_some());
        out.sample(
            "exsync_mailbox_held",
            &[("mailbox", &mailbox.mailbox)],
            held,
        );
    }

    if let Some(expires_at) = snapshot.secret_expires_at {
        out.family(
            "exsync_client_secret_expiry_seconds",
            "gauge",
            "Seconds until the Entra client secret expires (negative once expired).",
        );
        let seconds = (expires_at - now).num_seconds();
        out.sample("exsync_client_secret_expiry_seconds", &[], seconds);
    }
    out.text
}

#[derive(Default)]
struct Exposition {
    text: String,
}

impl Exposition {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        // Writing to a String cannot fail.
        let _ = writeln!(self.text, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        self.text.push_str(name);
        if !labels.is_empty() {
            let joined: Vec<String> = labels
                .iter()
                .map(|(key, value)| format!("{key}=\"{}\"", escape_label_value(value)))
                .collect();
            let _ = write!(self.text, "{{{}}}", joined.join(","));
        }
        let _ = writeln!(self.text, " {value}");
    }
}

/// Escapes a label value: backslash, double quote and line feed.
pub fn escape_label_value(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Escapes HELP text: backslash and line feed.
fn escape_help(help: &str) -> String {
    help.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_escape_backslash_quote_and_newline() {
        assert_eq!(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    }
}
