//! `exsync status LOGIN`: everything the service knows about one mailbox, a labelled line
//! each, with the held deletions and the last error in full.
//!
//! Invariants: the output depends only on the mailbox, the `now` and the language passed in;
//! nothing is cut: every line of a long message is shown, indented under its label.

use chrono::{DateTime, Utc};
use exsync_i18n::{Lang, tr_in};

use crate::human;
use crate::status::MailboxStatus;

/// The mailbox's details in `lang`, times absolute (UTC) and relative to `now`.
pub fn render_mailbox_detail(lang: Lang, mailbox: &MailboxStatus, now: DateTime<Utc>) -> String {
    let when = |at: Option<DateTime<Utc>>| {
        at.map_or_else(
            || tr_in!(lang, "status-never"),
            |at| {
                format!(
                    "{} ({})",
                    human::instant(lang, at),
                    human::ago(lang, (now - at).num_seconds())
                )
            },
        )
    };
    let fields = [
        (
            "status-detail-enabled",
            human::yes_no(lang, mailbox.enabled),
        ),
        ("status-detail-last-success", when(mailbox.last_success)),
        ("status-detail-last-pass", when(mailbox.last_pass)),
        (
            "status-detail-lag",
            mailbox
                .lag_seconds
                .map_or_else(|| "-".to_owned(), |lag| human::duration(lang, lag)),
        ),
        ("status-detail-pending", mailbox.pending.to_string()),
        (
            "status-detail-held",
            mailbox
                .held
                .clone()
                .unwrap_or_else(|| human::yes_no(lang, false)),
        ),
        (
            "status-detail-last-error",
            mailbox.last_error.clone().unwrap_or_else(|| "-".to_owned()),
        ),
    ];
    let labels: Vec<String> = fields
        .iter()
        .map(|(id, _)| format!("{}:", tr_in!(lang, *id)))
        .collect();
    let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut out = format!("{} ({})\n", mailbox.login, mailbox.mailbox);
    for (label, (_, value)) in labels.iter().zip(&fields) {
        let mut lines = value.lines();
        out.push_str(&format!(
            "  {label:<width$}  {}\n",
            lines.next().unwrap_or_default()
        ));
        for more in lines {
            out.push_str(&format!("  {:<width$}  {more}\n", ""));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_field_and_the_whole_error_are_shown_in_both_languages() {
        let now = Utc
            .with_ymd_and_hms(2027, 3, 1, 10, 0, 0)
            .single()
            .expect("time");
        let error = format!("{} the end\nsecond line", "a very long error ".repeat(10));
        let mailbox = MailboxStatus {
            login: "eva".into(),
            mailbox: "eva@x.example".into(),
            enabled: true,
            last_success: Some(now - chrono::Duration::seconds(90)),
            last_pass: Some(now - chrono::Duration::seconds(30)),
            lag_seconds: Some(90),
            pending: 3,
            held: None,
            last_error: Some(error.clone()),
        };
        let text = render_mailbox_detail(Lang::English, &mailbox, now);
        assert!(text.starts_with("eva (eva@x.example)\n"), "{text}");
        assert!(
            text.contains("  last success:  2027-03-01 09:58:30 UTC (1 min ago)\n"),
            "{text}"
        );
        assert!(
            text.contains(&error.lines().next().unwrap_or_default().to_owned()),
            "{text}"
        );
        assert!(text.contains("\n                 second line\n"), "{text}");
        assert!(text.contains("  held:          no\n"), "{text}");

        let german = render_mailbox_detail(Lang::German, &mailbox, now);
        assert!(
            german.contains("  Letzter Erfolg:     01.03.2027 09:58:30 UTC (vor 1 min)\n"),
            "{german}"
        );
        assert!(german.contains("  Ausstehend:         3\n"), "{german}");
        assert!(
            german.contains("\n                      second line\n"),
            "{german}"
        );
    }
}
