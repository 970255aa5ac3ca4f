//! The demo's closing summary: a table per user (appointments, tasks and contacts synced,
//! errors) and what the service wrote on each side, as its status board counted it.
//!
//! Invariant: pure formatting; the numbers come from the caller (link counts of the state
//! store, the status board), so the table shows what happened, not what was planned.

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

/// The table, a line per user, and each recorded error below it.
pub fn table(rows: &[SummaryRow]) -> String {
    let part = |(done, all): (usize, usize)| format!("{done}/{all}");
    let mut out = format!(
        "  {:<8} {:<28} {:>12} {:>6} {:>9} {:>7}\n",
        "USER", "MAILBOX", "APPOINTMENTS", "TASKS", "CONTACTS", "ERRORS"
    );
    for row in rows {
        let p = &row.progress;
        out.push_str(&format!(
            "  {:<8} {:<28} {:>12} {:>6} {:>9} {:>7}\n",
            p.login,
            row.mailbox,
            part(p.appointments),
            part(p.tasks),
            part(p.contacts),
            row.errors()
        ));
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
/// wrote on `side` (`exchange` or `business`), or `nothing`.
pub fn written(snapshot: &StatusSnapshot, side: &str) -> String {
    let mut operations = Vec::new();
    for operation in ["created", "updated", "deleted"] {
        let kinds: Vec<String> = [ItemKind::Appointment, ItemKind::Task, ItemKind::Contact]
            .into_iter()
            .filter_map(|kind| {
                let count = written_count(snapshot, side, kind, operation);
                (count > 0).then(|| {
                    let plural = if count == 1 { "" } else { "s" };
                    format!("{count} {}{plural}", kind.as_str())
                })
            })
            .collect();
        if !kinds.is_empty() {
            operations.push(format!("{operation} {}", kinds.join(", ")));
        }
    }
    if operations.is_empty() {
        "nothing".to_owned()
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
            written(&snapshot, "exchange"),
            "created 7 appointments, 12 contacts; updated 1 appointment"
        );
        assert_eq!(written(&snapshot, "business"), "updated 1 appointment");
        assert_eq!(written(&self::snapshot(&[]), "business"), "nothing");
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
        let text = table(&[
            row("anna", (2, 2), None),
            row("ben", (1, 2), Some("task x: too long")),
        ]);
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
    }
}
