//! What a pass did, per mailbox and item kind: writes on each side, items rejected with the
//! reason, notices the engine raised, deletions held, and a mailbox-wide failure if any.
//!
//! Invariant: every item the pass could not sync is in `rejected` with a message that names
//! it and the fix; a report with no rejections and no failure means everything was synced.

use std::fmt::{self, Write as _};

use exsync_i18n::{Lang, tr_in};

use exsync_model::ItemKind;
use serde::Serialize;

/// Writes on one side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SideCounts {
    /// Items created.
    pub created: usize,
    /// Items updated.
    pub updated: usize,
    /// Items deleted.
    pub deleted: usize,
}

impl SideCounts {
    /// Any write at all.
    pub fn any(&self) -> bool {
        self.created + self.updated + self.deleted > 0
    }
}

/// One item the pass could not sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The item (business id and/or Exchange id).
    pub item: String,
    /// Why, and what to do.
    pub reason: String,
}

/// The outcome of one pass for one mailbox and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindReport {
    /// The business user's login.
    pub login: String,
    /// The mailbox.
    pub mailbox: String,
    /// The kind.
    pub kind: ItemKind,
    /// Writes to Exchange.
    pub exchange: SideCounts,
    /// Writes to the business database.
    pub business: SideCounts,
    /// Items linked without a write (found equal on both sides).
    pub linked: usize,
    /// Unlinked items paired by content with their twin on the other side (linked, not
    /// copied; a difference between the two was written as an update).
    pub paired: usize,
    /// Unlinked items held out because several candidates on the other side match: neither
    /// linked nor copied until someone removes the extra copies.
    pub ambiguous: Vec<Rejection>,
    /// Items that could not be synced.
    pub rejected: Vec<Rejection>,
    /// What the engine wants an administrator to know (conflicts, overwritten edits, ...).
    pub notices: Vec<String>,
    /// The mass-deletion guard's message, when it held deletions.
    pub held: Option<String>,
    /// A failure that stopped the whole pass for this mailbox and kind.
    pub failure: Option<String>,
    /// True when Exchange was read from scratch (first pass, expired delta link, new window).
    pub initial: bool,
}

impl KindReport {
    /// An empty report.
    pub fn new(login: &str, mailbox: &str, kind: ItemKind) -> Self {
        KindReport {
            login: login.to_owned(),
            mailbox: mailbox.to_owned(),
            kind,
            exchange: SideCounts::default(),
            business: SideCounts::default(),
            linked: 0,
            paired: 0,
            ambiguous: Vec::new(),
            rejected: Vec::new(),
            notices: Vec::new(),
            held: None,
            failure: None,
            initial: false,
        }
    }

    /// True when some item, or the whole pass, failed (an ambiguous pairing leaves items
    /// unsynced, so it counts).
    pub fn failed(&self) -> bool {
        self.failure.is_some() || !self.rejected.is_empty() || !self.ambiguous.is_empty()
    }

    /// Records a rejected item.
    pub fn reject(&mut self, item: impl Into<String>, reason: impl Into<String>) {
        self.rejected.push(Rejection {
            item: item.into(),
            reason: reason.into(),
        });
    }
}

impl KindReport {
    /// The report as `exsync sync` prints it, in `lang`: one line of counts, then one line per
    /// failure, held deletion, rejected or unpaired item and notice.
    pub fn render(&self, lang: Lang) -> String {
        let counts = |c: &SideCounts| format!("+{} ~{} -{}", c.created, c.updated, c.deleted);
        let mut out = format!(
            "{:<16} {:<32} {:<12} {} {:<14} {} {:<14} {} {}",
            self.login,
            self.mailbox,
            self.kind.as_str(),
            tr_in!(lang, "report-exchange"),
            counts(&self.exchange),
            tr_in!(lang, "report-business"),
            counts(&self.business),
            tr_in!(lang, "report-rejected"),
            self.rejected.len()
        );
        if self.paired > 0 {
            let _ = write!(out, " {} {}", tr_in!(lang, "report-paired"), self.paired);
        }
        if !self.ambiguous.is_empty() {
            let label = tr_in!(lang, "report-ambiguous");
            let _ = write!(out, " {label} {}", self.ambiguous.len());
        }
        let line = |out: &mut String, id: &str, text: &str| {
            let _ = write!(out, "\n    {}: {text}", tr_in!(lang, id));
        };
        if let Some(failure) = &self.failure {
            line(&mut out, "report-failed", failure);
        }
        if let Some(held) = &self.held {
            line(&mut out, "report-held", held);
        }
        let rejected = tr_in!(lang, "report-rejected-item");
        for rejection in &self.rejected {
            let _ = write!(
                out,
                "\n    {rejected} {}: {}",
                rejection.item, rejection.reason
            );
        }
        for ambiguous in &self.ambiguous {
            line(&mut out, "report-not-paired", &ambiguous.reason);
        }
        for notice in &self.notices {
            line(&mut out, "report-note", notice);
        }
        out
    }
}

impl fmt::Display for KindReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(exsync_i18n::lang()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_fails_on_any_rejection_and_prints_it() {
        let mut report = KindReport::new("eva", "eva@x.example", ItemKind::Task);
        assert!(!report.failed());
        report.exchange.created = 2;
        report.reject(
            "business 7",
            "the subject is empty: give the task a subject",
        );
        assert!(report.failed());
        let text = report.to_string();
        assert!(text.contains("+2 ~0 -0"), "{text}");
        assert!(
            text.contains("rejected business 7: the subject is empty"),
            "{text}"
        );
        let german = report.render(Lang::German);
        assert!(german.contains("Exchange +2 ~0 -0"), "{german}");
        assert!(
            german.contains("abgelehnt business 7: the subject is empty"),
            "{german}"
        );
    }
}
