//! The table `exsync status` prints: one aligned row per mailbox, in the language asked for.
//!
//! Invariants: the output depends only on the snapshot, the `now` and the language passed in;
//! every row has the same column widths; a last error is never cut: a long or multi-line one
//! wraps onto continuation lines under its row, indented to the LAST ERROR column, so every
//! word of it is shown.

use chrono::{DateTime, Utc};
use exsync_i18n::{Lang, tr_in};

use crate::human;
use crate::status::StatusSnapshot;

/// The width the LAST ERROR column wraps at.
pub const ERROR_WIDTH: usize = 50;

/// The columns before LAST ERROR.
const COLUMNS: usize = 7;

/// Message ids of the column headers, LAST ERROR last.
const HEADERS: [&str; COLUMNS + 1] = [
    "status-col-login",
    "status-col-mailbox",
    "status-col-enabled",
    "status-col-last-success",
    "status-col-lag",
    "status-col-pending",
    "status-col-held",
    "status-col-last-error",
];

/// One mailbox: its cells and its last error, wrapped.
struct Row {
    cells: [String; COLUMNS],
    error: Vec<String>,
}

/// Renders the snapshot as an aligned table in the process's language, times relative to
/// `now`.
pub fn render_status_table(snapshot: &StatusSnapshot, now: DateTime<Utc>) -> String {
    render_status_table_in(exsync_i18n::lang(), snapshot, now)
}

/// Renders the snapshot as an aligned table in `lang`, times relative to `now`.
pub fn render_status_table_in(lang: Lang, snapshot: &StatusSnapshot, now: DateTime<Utc>) -> String {
    let headers = HEADERS.map(|id| tr_in!(lang, id));
    let rows: Vec<Row> = snapshot
        .mailboxes
        .iter()
        .map(|mailbox| Row {
            cells: [
                mailbox.login.clone(),
                mailbox.mailbox.clone(),
                human::yes_no(lang, mailbox.enabled),
                mailbox.last_success.map_or_else(
                    || tr_in!(lang, "status-never"),
                    |at| human::ago(lang, (now - at).num_seconds()),
                ),
                mailbox
                    .lag_seconds
                    .map_or_else(|| "-".to_owned(), |lag| human::duration(lang, lag)),
                mailbox.pending.to_string(),
                human::yes_no(lang, mailbox.held.is_some()),
            ],
            error: mailbox
                .last_error
                .as_deref()
                .map_or_else(Vec::new, |error| wrap(error, ERROR_WIDTH)),
        })
        .collect();
    let mut widths = [0usize; COLUMNS];
    for cells in std::iter::once(&headers[..COLUMNS]).chain(rows.iter().map(|r| &r.cells[..])) {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String], last: &str| {
        let mut text: String = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}  "))
            .collect();
        text.push_str(last);
        let mut text = text.trim_end().to_owned();
        text.push('\n');
        text
    };
    let mut out = line(&headers[..COLUMNS], &headers[COLUMNS]);
    let blank: Vec<String> = vec![String::new(); COLUMNS];
    for row in &rows {
        let mut error = row.error.iter();
        out.push_str(&line(&row.cells, error.next().map_or("-", String::as_str)));
        for more in error {
            out.push_str(&line(&blank, more));
        }
    }
    out
}

/// `text` in lines of at most `width` characters, broken between words; each of its own lines
/// starts a new one, blank lines are dropped, and a word longer than `width` is split.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for source in text.lines() {
        let mut current = String::new();
        for word in source.split_whitespace() {
            let mut word: Vec<char> = word.chars().collect();
            loop {
                let used = current.chars().count();
                let space = usize::from(used > 0);
                if used + space + word.len() <= width {
                    if space == 1 {
                        current.push(' ');
                    }
                    current.extend(word.iter());
                    break;
                }
                if used > 0 {
                    lines.push(std::mem::take(&mut current));
                    continue;
                }
                // A word longer than a whole line: split it.
                let rest = word.split_off(width);
                lines.push(word.iter().collect());
                word = rest;
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
    }
    lines
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

    fn snapshot(mailboxes: Vec<MailboxStatus>) -> StatusSnapshot {
        StatusSnapshot {
            taken_at: at(10_000),
            mailboxes,
            passes_ok: 0,
            passes_failed: 0,
            items_written: Vec::new(),
            items_rejected: Vec::new(),
            throttles: 0,
            errors: 0,
            secret_expires_at: None,
            credential: None,
        }
    }

    fn three_mailboxes() -> Vec<MailboxStatus> {
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
        vec![eva, bob, mailbox("zoe", "z@x.example")]
    }

    #[test]
    fn the_table_aligns_columns_and_shows_relative_times() {
        let expected = "\
LOGIN         MAILBOX        ENABLED  LAST SUCCESS  LAG   PENDING  HELD  LAST ERROR
eva           eva@x.example  yes      12 s ago      12 s  0        no    -
bob.longname  b@x.example    no       2 h ago       2 h   4        yes   ErrorItemNotFound: the item was deleted in
                                                                         Exchange meanwhile
zoe           z@x.example    yes      never         -     0        no    -
";
        let table = render_status_table_in(Lang::English, &snapshot(three_mailboxes()), at(10_000));
        assert_eq!(table, expected);
    }

    #[test]
    fn the_table_speaks_german() {
        let expected = "\
BENUTZER      POSTFACH       AKTIV  LETZTER ERFOLG  VERZUG  AUSSTEHEND  ZURÜCKGEHALTEN  LETZTER FEHLER
eva           eva@x.example  ja     vor 12 s        12 s    0           nein            -
bob.longname  b@x.example    nein   vor 2 h         2 h     4           ja              ErrorItemNotFound: the item was deleted in
                                                                                        Exchange meanwhile
zoe           z@x.example    ja     nie             -       0           nein            -
";
        let table = render_status_table_in(Lang::German, &snapshot(three_mailboxes()), at(10_000));
        assert_eq!(table, expected);
    }

    /// Regression: the LAST ERROR column used to cut errors after 37 characters with "...",
    /// hiding the part that says what to do.
    #[test]
    fn a_long_multi_line_error_is_shown_whole_under_its_row() {
        let error = "Graph answered 403 Forbidden for eva@x.example: ErrorAccessDenied: Access \
                     is denied. Check credentials and try again.\nfix: grant the application \
                     permission Calendars.ReadWrite in the Entra admin center (API permissions) \
                     and give admin consent";
        let mut eva = mailbox("eva", "eva@x.example");
        eva.last_error = Some(error.into());
        let table = render_status_table_in(
            Lang::English,
            &snapshot(vec![eva, mailbox("zoe", "z@x.example")]),
            at(10_000),
        );
        let lines: Vec<&str> = table.lines().collect();
        let column = lines[0].find("LAST ERROR").expect("header");
        assert!(!table.contains("..."), "{table}");
        let mut shown = Vec::new();
        for line in &lines[1..lines.len() - 1] {
            let (left, right) = line.split_at(column);
            if !line.starts_with("eva") {
                assert!(
                    left.trim().is_empty(),
                    "continuation lines hold the error only: {line}"
                );
            }
            assert!(right.chars().count() <= ERROR_WIDTH, "{line}");
            shown.extend(right.split_whitespace());
        }
        let words: Vec<&str> = error.split_whitespace().collect();
        assert_eq!(shown, words, "every word, in order:\n{table}");
        assert!(lines[lines.len() - 1].starts_with("zoe"), "{table}");
    }

    #[test]
    fn wrapping_breaks_between_words_and_splits_only_overlong_ones() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh ij", 3), ["abc", "def", "gh", "ij"]);
        assert_eq!(wrap("one\n\ntwo", 10), ["one", "two"]);
        assert!(wrap("", 10).is_empty());
    }
}
