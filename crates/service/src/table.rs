//! The table `exsync status` prints: one aligned row per mailbox.
//!
//! Invariant: the output depends only on the snapshot and the `now` passed in; every row has
//! the same column widths, and long error messages are cut to keep rows on one line.

use chrono::{DateTime, Utc};

use crate::status::StatusSnapshot;

/// The longest last-error text shown before it is cut with "...".
const ERROR_WIDTH: usize = 40;

const HEADERS: [&str; 8] = [
    "LOGIN",
    "MAILBOX",
    "ENABLED",
    "LAST SUCCESS",
    "LAG",
    "PENDING",
    "HELD",
    "LAST ERROR",
];

/// Renders the snapshot as an aligned table, times relative to `now`.
pub fn render_status_table(snapshot: &StatusSnapshot, now: DateTime<Utc>) -> String {
    let mut rows: Vec<[String; 8]> = vec![HEADERS.map(str::to_owned)];
    for mailbox in &snapshot.mailboxes {
        rows.push([
            mailbox.login.clone(),
            mailbox.mailbox.clone(),
            if mailbox.enabled { "yes" } else { "no" }.to_owned(),
            mailbox.last_success.map_or_else(
                || "never".to_owned(),
                |at| format!("{} ago", duration((now - at).num_seconds())),
            ),
            mailbox.lag_seconds.map_or_else(|| "-".to_owned(), duration),
            mailbox.pending.to_string(),
            if mailbox.held.is_some() { "yes" } else { "no" }.to_owned(),
            mailbox
                .last_error
                .as_deref()
                .map_or_else(|| "-".to_owned(), truncate),
        ]);
    }
    let mut widths = [0usize; 8];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// "12 s", "5 min", "3 h", "2 d": the largest whole unit.
fn duration(seconds: i64) -> String {
    let seconds = seconds.max(0);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        3600..86400 => format!("{} h", seconds / 3600),
        _ => format!("{} d", seconds / 86400),
    }
}

/// Keeps the first line of an error, cut to [`ERROR_WIDTH`] characters.
fn truncate(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default();
    if line.chars().count() <= ERROR_WIDTH && line.len() == message.len() {
        return line.to_owned();
    }
    let kept: String = line.chars().take(ERROR_WIDTH - 3).collect();
    format!("{kept}...")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::MailboxStatus;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + seconds, 0)
            .single()
            .expect("valid time")
    }

    fn mailbox(login: &str, address: &str) -> MailboxStatus {
        MailboxStatus {
            login: login.into(),
            mailbox: address.into(),
            enabled: true,
            last_success: None,
            last_pass: None,
            lag_seconds: None,
            pending: 0,
            held: None,
            last_error: None,
        }
    }

    #[test]
    fn the_table_aligns_columns_and_shows_relative_times() {
        let now = at(10_000);
        let mut eva = mailbox("eva", "eva@x.example");
        eva.last_success = Some(at(9_988));
        eva.lag_seconds = Some(12);
        let mut bob = mailbox("bob.longname", "b@x.example");
        bob.enabled = false;
        bob.last_success = Some(at(10_000 - 7_200));
        bob.lag_seconds = Some(7_300);
        bob.pending = 4;
        bob.held = Some("30 deletions held".into());
        bob.last_error =
            Some("ErrorItemNotFound: the item was deleted in Exchange meanwhile".into());
        let snapshot = StatusSnapshot {
            taken_at: now,
            mailboxes: vec![eva, bob, mailbox("zoe", "z@x.example")],
            passes_ok: 0,
            passes_failed: 0,
            items_written: Vec::new(),
            items_rejected: Vec::new(),
            throttles: 0,
            errors: 0,
            secret_expires_at: None,
        };
        let expected = "\
LOGIN         MAILBOX        ENABLED  LAST SUCCESS  LAG   PENDING  HELD  LAST ERROR
eva           eva@x.example  yes      12 s ago      12 s  0        no    -
bob.longname  b@x.example    no       2 h ago       2 h   4        yes   ErrorItemNotFound: the item was delet...
zoe           z@x.example    yes      never         -     0        no    -
";
        assert_eq!(render_status_table(&snapshot, now), expected);
    }
}
