//! `exsync check`'s output: one text line per check with its status, reason and fix, then a
//! summary; or, with `--json`, one JSON document for monitoring.
//!
//! Invariant: the JSON carries every line with its stable codes (`check`, `status`, `problem`)
//! beside the texts, so a monitor never has to parse words of one language.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::report::{CheckLine, Counts, Report, Status};

/// The report as text lines, each ending in a newline.
pub fn text(report: &Report) -> String {
    let width = [
        Status::Passed,
        Status::Warning,
        Status::Failed,
        Status::Skipped,
    ]
    .iter()
    .map(|s| s.label().chars().count())
    .max()
    .unwrap_or(0);
    let mut out = String::new();
    for line in &report.checks {
        let mut title = line.check.title();
        if let Some(subject) = &line.subject {
            title = format!("{title} {subject}");
        }
        out.push_str(&format!(
            "{:<width$}  {title}: {}",
            line.status.label(),
            line.message
        ));
        if let Some(fix) = &line.fix {
            out.push_str(&format!(
                " {}",
                exsync_i18n::tr!("check-fix", fix = fix.as_str())
            ));
        }
        out.push('\n');
    }
    let counts = report.counts();
    out.push_str(&exsync_i18n::tr!(
        "check-summary",
        passed = counts.passed,
        warnings = counts.warnings,
        failed = counts.failed,
        skipped = counts.skipped,
    ));
    out.push('\n');
    out
}

/// The JSON document, fields in this order.
#[derive(Serialize)]
struct Document<'a> {
    ok: bool,
    checked_at: String,
    counts: Counts,
    checks: &'a [CheckLine],
}

/// The report as one JSON document (pretty-printed): `ok`, `checked_at`, `counts` and
/// `checks`, in that order.
pub fn json(report: &Report, checked_at: DateTime<Utc>) -> serde_json::Result<String> {
    let document = Document {
        ok: !report.failed(),
        checked_at: checked_at.to_rfc3339(),
        counts: report.counts(),
        checks: &report.checks,
    };
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::super::report::CheckId;
    use super::*;

    fn sample() -> Report {
        let mut report = Report::default();
        report.push(CheckLine::passed(CheckId::Configuration, "valid".into()));
        report.push(
            CheckLine::failed(
                CheckId::Permission,
                "permission_missing",
                "missing".into(),
                "add it".into(),
            )
            .about("Tasks.ReadWrite.All"),
        );
        report
    }

    #[test]
    fn each_check_is_one_line_with_reason_and_fix() {
        let text = text(&sample());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("passed"), "{text}");
        assert!(
            lines[1].starts_with("failed")
                && lines[1].contains("Tasks.ReadWrite.All: missing")
                && lines[1].ends_with("add it"),
            "{text}"
        );
        assert!(lines[2].contains("1 failed"), "{text}");
    }

    #[test]
    fn the_json_has_the_verdict_the_counts_and_every_line() {
        let at = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        let text = json(&sample(), at).expect("serializes");
        assert!(
            text.trim_start().starts_with("{\n  \"ok\": false"),
            "{text}"
        );
        let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(value["ok"], false);
        assert_eq!(value["counts"]["failed"], 1);
        assert_eq!(value["counts"]["passed"], 1);
        assert_eq!(value["checks"][1]["problem"], "permission_missing");
        assert!(value["checks"][0].get("fix").is_none());
        assert!(
            value["checked_at"]
                .as_str()
                .is_some_and(|t| t.starts_with("2027"))
        );
    }
}
