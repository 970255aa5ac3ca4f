//! Durations, dates and yes/no as an administrator reads them in `exsync status`, in the
//! language asked for: `12 s`, `5 min`, `2 d` / `2 T`; `2027-03-01` / `01.03.2027`.
//!
//! Invariant: pure formatting of the values passed in; the same value and language always give
//! the same text.

use chrono::{DateTime, NaiveDate, Utc};
use exsync_i18n::{Lang, tr_in};

/// "12 s", "5 min", "3 h", "2 d": the largest whole unit (negative counts as 0).
pub fn duration(lang: Lang, seconds: i64) -> String {
    let seconds = seconds.max(0);
    match seconds {
        0..60 => tr_in!(lang, "status-duration-seconds", n = seconds),
        60..3600 => tr_in!(lang, "status-duration-minutes", n = seconds / 60),
        3600..86400 => tr_in!(lang, "status-duration-hours", n = seconds / 3600),
        _ => tr_in!(lang, "status-duration-days", n = seconds / 86400),
    }
}

/// "12 s ago" / "vor 12 s".
pub fn ago(lang: Lang, seconds: i64) -> String {
    tr_in!(lang, "status-ago", duration = duration(lang, seconds))
}

/// A day: ISO in English, `DD.MM.YYYY` in German.
pub fn date(lang: Lang, day: NaiveDate) -> String {
    match lang {
        Lang::English => day.format("%Y-%m-%d").to_string(),
        Lang::German => day.format("%d.%m.%Y").to_string(),
    }
}

/// An instant in UTC, to the second: `2027-03-01 09:30:00 UTC` / `01.03.2027 09:30:00 UTC`.
pub fn instant(lang: Lang, at: DateTime<Utc>) -> String {
    format!(
        "{} {} UTC",
        date(lang, at.date_naive()),
        at.format("%H:%M:%S")
    )
}

/// "yes" / "ja", "no" / "nein".
pub fn yes_no(lang: Lang, value: bool) -> String {
    tr_in!(lang, if value { "status-yes" } else { "status-no" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_largest_whole_unit_in_each_language() {
        assert_eq!(duration(Lang::English, 12), "12 s");
        assert_eq!(duration(Lang::English, 300), "5 min");
        assert_eq!(duration(Lang::English, 7_300), "2 h");
        assert_eq!(duration(Lang::English, 2 * 86_400 + 5), "2 d");
        assert_eq!(duration(Lang::German, 2 * 86_400 + 5), "2 T");
        assert_eq!(duration(Lang::English, -5), "0 s");
        assert_eq!(ago(Lang::German, 12), "vor 12 s");
        let day = NaiveDate::from_ymd_opt(2027, 3, 1).expect("date");
        assert_eq!(date(Lang::German, day), "01.03.2027");
        assert_eq!(date(Lang::English, day), "2027-03-01");
    }
}
