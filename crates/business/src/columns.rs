//! How model values are spelled in the columns of the integration tables: wall-clock times,
//! dates, zone names, the documented enumeration texts and `;`-separated lists.
//!
//! Invariant: every spelling written here is read back to the same value (tests prove it), and
//! every value that cannot be read becomes a [`Problem`] that names the column, shows the value
//! and says what to write instead.

use chrono::{NaiveDate, NaiveDateTime};
use exsync_model::{
    AttendeeResponse, AttendeeRole, BodyFormat, Importance, Sensitivity, ShowAs, TaskStatus,
    TimeZoneName, normalize_categories,
};

use crate::error::Problem;

const LOCAL_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";
const DATE_FORMAT: &str = "%Y-%m-%d";

/// A wall-clock time as stored: `YYYY-MM-DDTHH:MM:SS` (fractions of a second are dropped).
pub(crate) fn format_local(local: NaiveDateTime) -> String {
    local.format(LOCAL_FORMAT).to_string()
}

/// A date as stored: `YYYY-MM-DD`.
pub(crate) fn format_date(date: NaiveDate) -> String {
    date.format(DATE_FORMAT).to_string()
}

/// A wall-clock time; a bare date is refused (a timed value needs its time).
pub(crate) fn parse_local(column: &'static str, text: &str) -> Result<NaiveDateTime, Problem> {
    let text = text.trim();
    NaiveDateTime::parse_from_str(text, LOCAL_FORMAT).map_err(|_| {
        if NaiveDate::parse_from_str(text, DATE_FORMAT).is_ok() {
            Problem::at(
                column,
                format!("holds the date {text:?} without a time"),
                format!(
                    "write the wall-clock time as YYYY-MM-DDTHH:MM:SS (e.g. {text}T09:00:00), \
                     or set all_day for a whole-day appointment"
                ),
            )
        } else {
            bad_time(column, text)
        }
    })
}

/// A wall-clock time, where a bare date means its midnight.
pub(crate) fn parse_local_or_date(
    column: &'static str,
    text: &str,
) -> Result<NaiveDateTime, Problem> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, DATE_FORMAT) {
        return Ok(date.and_time(chrono::NaiveTime::MIN));
    }
    NaiveDateTime::parse_from_str(text, LOCAL_FORMAT).map_err(|_| bad_time(column, text))
}

/// A date; a time of day other than midnight is refused.
pub(crate) fn parse_day(column: &'static str, text: &str) -> Result<NaiveDate, Problem> {
    let local = parse_local_or_date(column, text)?;
    if local.time() != chrono::NaiveTime::MIN {
        return Err(Problem::at(
            column,
            format!("holds {text:?}, a time of day, in an all-day appointment"),
            "write the date alone (YYYY-MM-DD), or clear all_day for a timed appointment",
        ));
    }
    Ok(local.date())
}

fn bad_time(column: &'static str, text: &str) -> Problem {
    Problem::at(
        column,
        format!("holds {text:?}, which is not a valid date and time"),
        "write a wall-clock time as YYYY-MM-DDTHH:MM:SS or a date as YYYY-MM-DD \
         (e.g. 2026-03-02T09:00:00)",
    )
}

/// A zone name as given, checked to be a known IANA or Windows zone.
pub(crate) fn parse_zone(column: &'static str, text: &str) -> Result<TimeZoneName, Problem> {
    TimeZoneName::new(text.trim()).map_err(|_| {
        Problem::at(
            column,
            format!("unknown time zone {text:?}"),
            "use an IANA name (e.g. Europe/Berlin) or a Windows name \
             (e.g. W. Europe Standard Time)",
        )
    })
}

/// An enumeration stored as one of a documented set of texts.
pub(crate) trait ColumnEnum: Copy + PartialEq + 'static {
    /// Every value.
    const ALL: &'static [Self];
    /// The stored text.
    fn text(self) -> &'static str;
}

/// Reads an enumeration column; NULL and blank are `None` (the column's default applies).
pub(crate) fn parse_enum<T: ColumnEnum>(
    column: &'static str,
    text: Option<&str>,
) -> Result<Option<T>, Problem> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    T::ALL
        .iter()
        .copied()
        .find(|value| value.text().eq_ignore_ascii_case(text))
        .map(Some)
        .ok_or_else(|| {
            let allowed: Vec<&str> = T::ALL.iter().map(|value| value.text()).collect();
            Problem::at(
                column,
                format!("holds {text:?}, which is not an allowed value"),
                format!("write one of {}", allowed.join(", ")),
            )
        })
}

macro_rules! column_enum {
    ($ty:ty, [$($variant:path => $text:literal),+ $(,)?]) => {
        impl ColumnEnum for $ty {
            const ALL: &'static [Self] = &[$($variant),+];

            fn text(self) -> &'static str {
                match self {
                    $($variant => $text,)+
                }
            }
        }
    };
}

column_enum!(ShowAs, [
    ShowAs::Free => "free",
    ShowAs::Tentative => "tentative",
    ShowAs::Busy => "busy",
    ShowAs::OutOfOffice => "out_of_office",
    ShowAs::WorkingElsewhere => "working_elsewhere",
]);
column_enum!(Sensitivity, [
    Sensitivity::Normal => "normal",
    Sensitivity::Personal => "personal",
    Sensitivity::Private => "private",
    Sensitivity::Confidential => "confidential",
]);
column_enum!(Importance, [
    Importance::Low => "low",
    Importance::Normal => "normal",
    Importance::High => "high",
]);
column_enum!(BodyFormat, [BodyFormat::Text => "text", BodyFormat::Html => "html"]);
column_enum!(TaskStatus, [
    TaskStatus::NotStarted => "not_started",
    TaskStatus::InProgress => "in_progress",
    TaskStatus::Completed => "completed",
    TaskStatus::WaitingOnOthers => "waiting_on_others",
    TaskStatus::Deferred => "deferred",
]);
column_enum!(AttendeeRole, [
    AttendeeRole::Required => "required",
    AttendeeRole::Optional => "optional",
    AttendeeRole::Resource => "resource",
]);
column_enum!(AttendeeResponse, [
    AttendeeResponse::None => "none",
    AttendeeResponse::Accepted => "accepted",
    AttendeeResponse::Tentative => "tentative",
    AttendeeResponse::Declined => "declined",
    AttendeeResponse::Organizer => "organizer",
]);

/// A list as stored: entries joined by `"; "`. A `;` inside an entry cannot be stored and
/// becomes `,`.
pub(crate) fn join_list(items: &[String]) -> String {
    items
        .iter()
        .map(|item| item.trim().replace(';', ","))
        .filter(|item| !item.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A stored list: split at `;`, blanks trimmed, empty entries dropped.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Stored categories: a list without case-insensitive duplicates, order kept.
pub(crate) fn split_categories(text: &str) -> Vec<String> {
    let mut categories = split_list(text);
    normalize_categories(&mut categories);
    categories
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_text<T: ColumnEnum + std::fmt::Debug>() {
        for value in T::ALL {
            assert!(!value.text().is_empty(), "{value:?} has no text");
            assert_eq!(parse_enum::<T>("c", Some(value.text())), Ok(Some(*value)));
        }
    }

    #[test]
    fn enumerations_round_trip_and_unknown_texts_list_the_allowed_ones() {
        every_text::<ShowAs>();
        every_text::<Sensitivity>();
        every_text::<Importance>();
        every_text::<BodyFormat>();
        every_text::<TaskStatus>();
        every_text::<AttendeeRole>();
        every_text::<AttendeeResponse>();
        assert_eq!(ShowAs::ALL.len(), 5);
        assert_eq!(parse_enum::<ShowAs>("show_as", None), Ok(None));
        assert_eq!(
            parse_enum::<ShowAs>("show_as", Some("BUSY")),
            Ok(Some(ShowAs::Busy))
        );
        let problem = parse_enum::<ShowAs>("show_as", Some("maybe")).expect_err("unknown");
        assert!(problem.fix.contains("out_of_office"), "{problem:?}");
    }

    #[test]
    fn times_and_dates_round_trip() {
        let local = NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .expect("valid");
        assert_eq!(format_local(local), "2026-03-02T09:00:00");
        assert_eq!(parse_local("start_time", "2026-03-02T09:00:00"), Ok(local));
        assert_eq!(parse_day("start_time", "2026-03-02"), Ok(local.date()));
        assert_eq!(
            parse_day("start_time", "2026-03-02T00:00:00"),
            Ok(local.date())
        );
        assert!(parse_day("start_time", "2026-03-02T09:00:00").is_err());
        let problem = parse_local("start_time", "2026-03-02").expect_err("no time");
        assert!(problem.fix.contains("all_day"), "{problem:?}");
        assert!(parse_local("start_time", "2026-02-30T09:00:00").is_err());
    }

    #[test]
    fn lists_split_at_semicolons() {
        assert_eq!(split_list(" Kunde ;; Service;"), vec!["Kunde", "Service"]);
        assert_eq!(
            join_list(&["Kunde".into(), "A;B".into(), " ".into()]),
            "Kunde; A,B"
        );
        assert_eq!(
            split_categories("Kunde; kunde; Service"),
            vec!["Kunde", "Service"]
        );
    }

    #[test]
    fn zones_are_checked_and_kept_as_given() {
        assert_eq!(
            parse_zone("start_zone", "W. Europe Standard Time").map(|z| z.as_str().to_owned()),
            Ok("W. Europe Standard Time".to_owned())
        );
        let problem = parse_zone("start_zone", "Mars/Base").expect_err("unknown");
        assert_eq!(problem.column, Some("start_zone"));
        assert!(problem.fix.contains("Europe/Berlin"));
    }
}
