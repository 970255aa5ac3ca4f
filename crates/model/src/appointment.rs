//! A calendar appointment: a single item, or a recurring series with its exceptions.
//!
//! Invariant: an appointment's time is either timed (`start < end` or equal, both wall-clock
//! times with zones) or all-day (whole dates, `end` exclusive and after `start`); see
//! [`Appointment::validate`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::common::{Body, EmailAddress, Importance};
use crate::recurrence::Series;
use crate::zone::{UnknownTimeZone, ZonedDateTime};

/// A calendar item as exsync syncs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    /// Title.
    pub subject: String,
    /// Where it takes place (display name of the location).
    #[serde(default)]
    pub location: String,
    /// Free text ("info" field).
    #[serde(default)]
    pub body: Body,
    /// When it takes place; for a series, the first occurrence.
    pub when: When,
    /// Free/busy status shown to others.
    #[serde(default)]
    pub show_as: ShowAs,
    /// Private, personal, confidential or normal.
    #[serde(default)]
    pub sensitivity: Sensitivity,
    /// Importance.
    #[serde(default)]
    pub importance: Importance,
    /// Outlook categories.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Reminder: `None` = off, `Some(m)` = m minutes before the start.
    #[serde(default)]
    pub reminder_minutes: Option<u32>,
    /// Organizer of a meeting (read side only: exsync never sends invitations).
    #[serde(default)]
    pub organizer: Option<EmailAddress>,
    /// Attendees of a meeting (read side only).
    #[serde(default)]
    pub attendees: Vec<Attendee>,
    /// Recurrence pattern with modified and cancelled occurrences; `None` for a single item.
    #[serde(default)]
    pub series: Option<Series>,
}

/// When an appointment takes place.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum When {
    /// From a wall-clock time to another, each in its zone (they may differ, as in Outlook).
    Timed {
        /// Start.
        start: ZonedDateTime,
        /// End.
        end: ZonedDateTime,
    },
    /// Whole days, `start` to `end` exclusive (a one-day event ends the next day).
    AllDay {
        /// First day.
        start: NaiveDate,
        /// The day after the last day.
        end: NaiveDate,
    },
}

impl When {
    /// True for an all-day appointment.
    pub fn is_all_day(&self) -> bool {
        matches!(self, When::AllDay { .. })
    }
}

/// Free/busy status (Graph `showAs`, EWS `LegacyFreeBusyStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShowAs {
    /// Free.
    Free,
    /// Tentative.
    Tentative,
    /// Busy (the default).
    #[default]
    Busy,
    /// Out of office.
    OutOfOffice,
    /// Working elsewhere.
    WorkingElsewhere,
}

/// Sensitivity (Graph `sensitivity`, EWS `Sensitivity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// Normal (the default).
    #[default]
    Normal,
    /// Personal.
    Personal,
    /// Private.
    Private,
    /// Confidential.
    Confidential,
}

/// A meeting attendee (read side).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attendee {
    /// Who.
    pub email: EmailAddress,
    /// Required, optional or a resource.
    #[serde(default)]
    pub role: AttendeeRole,
    /// The attendee's answer.
    #[serde(default)]
    pub response: AttendeeResponse,
}

/// The kind of attendee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendeeRole {
    /// Required.
    #[default]
    Required,
    /// Optional.
    Optional,
    /// A room or equipment.
    Resource,
}

/// An attendee's answer to the invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendeeResponse {
    /// Not answered yet.
    #[default]
    None,
    /// Accepted.
    Accepted,
    /// Tentatively accepted.
    Tentative,
    /// Declined.
    Declined,
    /// The organizer.
    Organizer,
}

/// Why an appointment cannot be synced as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidAppointment {
    /// A zone name is not known.
    #[error(transparent)]
    Zone(#[from] UnknownTimeZone),
    /// The end lies before the start.
    #[error("the end ({end}) lies before the start ({start}): move the end after the start")]
    EndBeforeStart {
        /// Start as written.
        start: String,
        /// End as written.
        end: String,
    },
    /// The reminder lies further ahead than Outlook allows.
    #[error(
        "a reminder of {0} minutes is longer than two weeks (20160 minutes), which Outlook refuses"
    )]
    ReminderTooLong(u32),
}

impl Appointment {
    /// A single, timed appointment with default flags.
    pub fn timed(subject: impl Into<String>, start: ZonedDateTime, end: ZonedDateTime) -> Self {
        Self::with_when(subject, When::Timed { start, end })
    }

    /// A single all-day appointment from `start` to `end` (exclusive).
    pub fn all_day(subject: impl Into<String>, start: NaiveDate, end: NaiveDate) -> Self {
        Self::with_when(subject, When::AllDay { start, end })
    }

    fn with_when(subject: impl Into<String>, when: When) -> Self {
        Self {
            subject: subject.into(),
            location: String::new(),
            body: Body::default(),
            when,
            show_as: ShowAs::default(),
            sensitivity: Sensitivity::default(),
            importance: Importance::default(),
            categories: Vec::new(),
            reminder_minutes: None,
            organizer: None,
            attendees: Vec::new(),
            series: None,
        }
    }

    /// True when someone else organises this meeting: exsync then imports it but never writes
    /// business-side edits back (that would send updates to the attendees).
    pub fn is_foreign_meeting(&self, mailbox: &str) -> bool {
        self.organizer
            .as_ref()
            .is_some_and(|o| !o.address.eq_ignore_ascii_case(mailbox))
    }

    /// Checks what Exchange would refuse, so that one bad item is rejected with a reason
    /// instead of failing a whole batch.
    pub fn validate(&self) -> Result<(), InvalidAppointment> {
        match &self.when {
            When::Timed { start, end } => {
                let (s, e) = (start.to_utc()?, end.to_utc()?);
                if e < s {
                    return Err(InvalidAppointment::EndBeforeStart {
                        start: format!("{} {}", start.local, start.zone),
                        end: format!("{} {}", end.local, end.zone),
                    });
                }
            }
            When::AllDay { start, end } => {
                if end <= start {
                    return Err(InvalidAppointment::EndBeforeStart {
                        start: start.to_string(),
                        end: end.to_string(),
                    });
                }
            }
        }
        if let Some(minutes) = self.reminder_minutes
            && minutes > 20_160
        {
            return Err(InvalidAppointment::ReminderTooLong(minutes));
        }
        if let Some(series) = &self.series
            && let Some(zone) = &series.recurrence.time_zone
        {
            zone.resolve()?;
        }
        Ok(())
    }
}
