//! The demo's closing summary: a table per user (appointments, tasks and contacts synced,
//! errors) and what the service wrote on each side, as its status board counted it.
//!
//! Invariant: pure formatting in the language passed in; the numbers come from the caller
//! (link counts of the state store, the status board), so the table shows what happened, not
//! what was planned.

use exsync_i18n::{Lang, tr_in};
use exsync_model::ItemKind;
use exsync_service::StatusSnapshot;

use super::progress::UserProgress;

/// One user's row.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    /// Items synced per kind.
    pub progress: UserProgress,
    /// The mailbox address.
    pub mailbox: String,
    /// The last error the service recorded for the mailbox, if any.
    pub error: Option<String>,
}

impl SummaryRow {
    /// Items not synced, plus one when the service recorded an error for the mailbox.
    pub fn errors(&self) -> usize {
        let (done, all) = self.progress.total();
        all.saturating_sub(done) + usize::from(self.error.is_some())
    }
}

/// The columns: message id of the header and the least width.
const COLUMNS: [(&str, usize); 6] = [
    ("demo-col-user", 8),
    ("demo-col-mailbox", 28),
    ("demo-col-appointments", 12),
    ("demo-col-tasks", 6),
    ("demo-col-contacts", 9),
    ("demo-col-errors", 7),
];

/// The table in `lang`, a line per user, and each recorded error below it.
pub fn table(lang: Lang, rows: &[SummaryRow]) -> String {
    let part = |(done, all): (usize, usize)| format!("{done}/{all}");
    let headers = COLUMNS.map(|(id, _)| tr_in!(lang, id));
    let mut widths = COLUMNS.map(|(_, width)| width);
    for (width, header) in widths.iter_mut().zip(&headers) {
        *width = (*width).max(header.chars().count());
    }
    // Names and addresses left-aligned, numbers right-aligned.
    let line = |cells: [String; 6]| {
        let [w0, w1, w2, w3, w4, w5] = widths;
        let [c0, c1, c2, c3, c4, c5] = cells;
        format!("  {c0:<w0$} {c1:<w1$} {c2:>w2$} {c3:>w3$} {c4:>w4$} {c5:>w5$}\n")
    };
    let mut out = line(headers);
    for row in rows {
        let p = &row.progress;
        out.push_str(&line([
            p.login.clone(),
            row.mailbox.clone(),
            part(p.appointments),
            part(p.tasks),
            part(p.contacts),
            row.errors().to_string(),
        ]));
    }
    for row in rows {
        if let Some(error) = &row.error {
            out.push_str(&format!("  {}: {error}\n", row.progress.login));
        }
    }
    out
}

/// Items of `kind` the service wrote on `side` (`exchange` or `business`) with `operation`
/// (`created`, `updated`, `deleted`).
pub fn written_count(
    snapshot: &StatusSnapshot,
    side: &str,
    kind: ItemKind,
    operation: &str,
) -> u64 {
    snapshot
        .items_written
        .iter()
        .filter(|w| w.side == side && w.kind == kind && w.operation == operation)
        .map(|w| w.count)
        .sum()
}

/// `created 7 appointments, 5 tasks, 12 contacts; updated 1 appointment`: what the service
/// wrote on `side` (`exchange` or `business`), or `nothing`, in `lang`.
pub fn written(lang: Lang, snapshot: &StatusSnapshot, side: &str) -> String {
    let mut operations = Vec::new();
    for (operation, id) in [
        ("created", "demo-written-created"),
        ("updated", "demo-written-updated"),
        ("deleted", "demo-written-deleted"),
    ] {
        let kinds: Vec<String> = [ItemKind::Appointment, ItemKind::Task, ItemKind::Contact]
            .into_iter()
            .filter_map(|kind| {
                let count = written_count(snapshot, side, kind, operation);
                (count > 0).then(|| super::counted(lang, count as usize, kind))
            })
            .collect();
        if !kinds.is_empty() {
            operations.push(tr_in!(lang, id, items = kinds.join(", ")));
        }
    }
    if operations.is_empty() {
        tr_in!(lang, "demo-written-nothing")
    } else {
        operations.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use exsync_service::WrittenCount;

    use super::*;

    fn snapshot(written: &[(&str, ItemKind, &str, u64)]) -> StatusSnapshot {
        let mut snapshot = exsync_service::StatusBoard::new().snapshot(Utc::now());
        snapshot.items_written = written
            .iter()
            .map(|&(side, kind, operation, count)| WrittenCount {
                side: side.into(),
                kind,
                operation: operation.into(),
                count,
            })
            .collect();
        snapshot
    }

    #[test]
    fn written_counts_each_side_by_operation_and_kind() {
        let snapshot = snapshot(&[
            ("exchange", ItemKind::Appointment, "created", 7),
            ("exchange", ItemKind::Contact, "created", 12),
            ("exchange", ItemKind::Appointment, "updated", 1),
            ("business", ItemKind::Appointment, "updated", 1),
        ]);
        assert_eq!(
            written(Lang::English, &snapshot, "exchange"),
            "created 7 appointments, 12 contacts; updated 1 appointment"
        );
        assert_eq!(
            written(Lang::English, &snapshot, "business"),
            "updated 1 appointment"
        );
        assert_eq!(
            written(Lang::English, &self::snapshot(&[]), "business"),
            "nothing"
        );
        assert_eq!(
            written(Lang::German, &snapshot, "exchange"),
            "7 Termine, 12 Kontakte angelegt; 1 Termin geändert"
        );
        assert_eq!(
            written(Lang::German, &self::snapshot(&[]), "business"),
            "nichts"
        );
    }

    #[test]
    fn the_table_counts_unsynced_items_and_lists_errors() {
        let row = |login: &str, tasks: (usize, usize), error: Option<&str>| SummaryRow {
            progress: UserProgress {
                login: login.into(),
                appointments: (3, 3),
                tasks,
                contacts: (4, 4),
            },
            mailbox: format!("{login}@demo.example"),
            error: error.map(str::to_owned),
        };
        let rows = [
            row("anna", (2, 2), None),
            row("ben", (1, 2), Some("task x: too long")),
        ];
        let text = table(Lang::English, &rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].contains("APPOINTMENTS") && lines[0].ends_with("ERRORS"));
        assert!(
            lines[1].starts_with("  anna ") && lines[1].ends_with(" 0"),
            "{text}"
        );
        assert!(
            lines[2].contains("1/2") && lines[2].ends_with(" 2"),
            "{text}"
        );
        assert_eq!(lines[3], "  ben: task x: too long");

        let german = table(Lang::German, &rows);
        let lines: Vec<&str> = german.lines().collect();
        assert_eq!(
            lines[0],
            "  BENUTZER POSTFACH                          TERMINE AUFGABEN  KONTAKTE  FEHLER"
        );
        // Every row is as wide as the header: the columns line up.
        assert_eq!(
            lines[1].chars().count(),
            lines[0].chars().count(),
            "{german}"
        );
        assert!(lines[2].ends_with(" 2"), "{german}");
    }
}
