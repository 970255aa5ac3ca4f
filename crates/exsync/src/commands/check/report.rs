//! What `exsync check` found: one typed line per check, and the report they make up.
//!
//! Invariants: a line's `message` and `fix` are already in the process's language (they come
//! from the message catalogue) and never hold a secret; `check`, `status` and `problem` are
//! stable, language-independent codes for monitoring; the report has failed when any line has.

use serde::Serialize;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// It works.
    Passed,
    /// It works, but needs attention soon (e.g. a secret expiring within the warning period).
    Warning,
    /// It does not work; the line says why and what to do.
    Failed,
    /// Not checked, because something it needs failed before (that line says why).
    Skipped,
}

impl Status {
    /// The word shown in the text output.
    pub fn label(self) -> String {
        match self {
            Status::Passed => exsync_i18n::tr!("check-passed"),
            Status::Warning => exsync_i18n::tr!("check-status-warning"),
            Status::Failed => exsync_i18n::tr!("check-failed"),
            Status::Skipped => exsync_i18n::tr!("check-status-skipped"),
        }
    }
}

/// Which check a line reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// The configuration loads without errors.
    Configuration,
    /// The business database is reachable and its integration schema current.
    BusinessDatabase,
    /// The sync state database is reachable.
    StateDatabase,
    /// Which Exchange is checked (and whether this version can talk to it).
    Exchange,
    /// Days until the client secret or certificate expires.
    CredentialExpiry,
    /// An access token was obtained.
    Token,
    /// One application permission the enabled data types need, in the token's `roles`.
    Permission,
    /// The enabled users (one line when there are none, one per user without a mailbox).
    Users,
    /// A user's mailbox was found and may be reached by the app.
    Mailbox,
    /// Calendar read and write probe.
    Calendar,
    /// To Do read and write probe.
    Todo,
    /// Contacts read and write probe.
    Contacts,
}

impl CheckId {
    /// The check's name in the text output.
    pub fn title(self) -> String {
        let id = match self {
            CheckId::Configuration => "check-title-configuration",
            CheckId::BusinessDatabase => "check-title-business-database",
            CheckId::StateDatabase => "check-title-state-database",
            CheckId::Exchange => "check-title-exchange",
            CheckId::CredentialExpiry => "check-title-credential-expiry",
            CheckId::Token => "check-title-token",
            CheckId::Permission => "check-title-permission",
            CheckId::Users => "check-title-users",
            CheckId::Mailbox => "check-title-mailbox",
            CheckId::Calendar => "check-title-calendar",
            CheckId::Todo => "check-title-todo",
            CheckId::Contacts => "check-title-contacts",
        };
        exsync_i18n::tr!(id)
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckLine {
    /// Which check.
    pub check: CheckId,
    /// What it was about, when there are several of a kind: a user and mailbox, a permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// How it came out.
    pub status: Status,
    /// A stable code for what is wrong (`aadsts7000215`, `mailbox_not_found`, …); none when
    /// passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<&'static str>,
    /// What was found, or why it failed.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Whole days until the credential expires (negative: expired); credential lines only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
}

impl CheckLine {
    /// A passed check.
    pub fn passed(check: CheckId, message: String) -> Self {
        Self {
            check,
            subject: None,
            status: Status::Passed,
            problem: None,
            message,
            fix: None,
            days_left: None,
        }
    }

    /// A failed check with its problem code, reason and fix.
    pub fn failed(check: CheckId, problem: &'static str, message: String, fix: String) -> Self {
        Self {
            status: Status::Failed,
            problem: Some(problem),
            fix: Some(fix),
            ..Self::passed(check, message)
        }
    }

    /// A warning with its problem code, reason and fix.
    pub fn warning(check: CheckId, problem: &'static str, message: String, fix: String) -> Self {
        Self {
            status: Status::Warning,
            ..Self::failed(check, problem, message, fix)
        }
    }

    /// A check not made because `because` (localized) failed first.
    pub fn skipped(check: CheckId, because: String) -> Self {
        Self {
            status: Status::Skipped,
            ..Self::passed(check, because)
        }
    }

    /// The same line about `subject`.
    pub fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// The same line with the days left until a credential expires.
    pub fn with_days_left(mut self, days: i64) -> Self {
        self.days_left = Some(days);
        self
    }
}

/// Every line of one run, in the order they were checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// The lines.
    pub checks: Vec<CheckLine>,
}

/// How many lines have each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Passed.
    pub passed: usize,
    /// Warnings.
    pub warnings: usize,
    /// Failed.
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
}

impl Report {
    /// Adds a line.
    pub fn push(&mut self, line: CheckLine) {
        self.checks.push(line);
    }

    /// Adds lines.
    pub fn extend(&mut self, lines: impl IntoIterator<Item = CheckLine>) {
        self.checks.extend(lines);
    }

    /// True when any check failed.
    pub fn failed(&self) -> bool {
        self.checks.iter().any(|c| c.status == Status::Failed)
    }

    /// How many lines have each status.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for line in &self.checks {
            match line.status {
                Status::Passed => counts.passed += 1,
                Status::Warning => counts.warnings += 1,
                Status::Failed => counts.failed += 1,
                Status::Skipped => counts.skipped += 1,
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_fails_on_a_failed_line_only() {
        let mut report = Report::default();
        report.push(CheckLine::passed(CheckId::Configuration, "ok".into()));
        report.push(CheckLine::warning(
            CheckId::CredentialExpiry,
            "expires_soon",
            "soon".into(),
            "renew".into(),
        ));
        report.push(CheckLine::skipped(CheckId::Mailbox, "no token".into()));
        assert!(!report.failed());
        report.push(
            CheckLine::failed(
                CheckId::Token,
                "aadsts7000215",
                "wrong".into(),
                "fix".into(),
            )
            .about("app"),
        );
        assert!(report.failed());
        assert_eq!(
            report.counts(),
            Counts {
                passed: 1,
                warnings: 1,
                failed: 1,
                skipped: 1
            }
        );
        let json = serde_json::to_value(&report.checks[3]).expect("serializes");
        assert_eq!(json["check"], "token");
        assert_eq!(json["status"], "failed");
        assert_eq!(json["problem"], "aadsts7000215");
        assert_eq!(json["subject"], "app");
        assert!(json.get("days_left").is_none());
    }
}
