//! iCalendar (RFC 5545) and vCard (RFC 6350, also 2.1 and 3.0) files <-> exsync's model, for the
//! business CLI (`import-ics`, `import-vcf`, `export-ics`).
//!
//! Import reads what Outlook, Google Calendar and Thunderbird export: recurring series with
//! their EXDATEs and changed occurrences (VEVENTs with RECURRENCE-ID) merged into one
//! [`Appointment`], zones named by IANA or Windows names or defined only by their VTIMEZONE
//! rules, tasks, and contacts. Export writes valid RFC 5545 (CRLF, 75-octet folding, a VTIMEZONE
//! per zone used) and vCard 3.0.
//!
//! Invariant: import is all-or-nothing per item: an item that cannot be represented (an RRULE
//! Exchange cannot express, an unknown zone, end before start, a 4th e-mail address, ...) is
//! returned in `rejected` with its UID and a reason naming the property and the fix, and
//! everything else is imported. Writing and reading back gives the same model values.
//! The parser and writer are this crate's own (no calendar library).

mod calendar;
mod component;
mod event_in;
mod event_out;
mod line;
mod series_in;
mod text;
mod todo;
mod value;
mod vcard_in;
mod vcard_out;
mod vtimezone_out;
mod vtz;
mod zones;

use chrono::{DateTime, Utc};
use exsync_model::{Appointment, Contact, Task, TimeZoneName};

/// An event of an iCalendar file: a single appointment, or a series with its changed and
/// cancelled occurrences merged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedEvent {
    /// The event's UID (`""` if the file gave none).
    pub uid: String,
    /// The appointment.
    pub appointment: Appointment,
}

/// A task (VTODO) of an iCalendar file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTask {
    /// The task's UID (`""` if none).
    pub uid: String,
    /// The task.
    pub task: Task,
}

/// A contact of a vCard file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedContact {
    /// The vCard's UID (`""` if none).
    pub uid: String,
    /// The contact.
    pub contact: Contact,
}

/// An item that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Its UID, `""` if it has none.
    pub uid: String,
    /// Why, naming the property or rule part and what to change.
    pub reason: String,
}

/// The importable content of an iCalendar file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedCalendar {
    /// Events, series with their exceptions.
    pub events: Vec<ImportedEvent>,
    /// Tasks.
    pub tasks: Vec<ImportedTask>,
    /// What could not be imported.
    pub rejected: Vec<Rejected>,
}

/// The importable content of a vCard file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedContacts {
    /// Contacts.
    pub contacts: Vec<ImportedContact>,
    /// What could not be imported.
    pub rejected: Vec<Rejected>,
}

/// How to read an iCalendar file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// The zone of floating times (no TZID, no `Z`) when the calendar has no X-WR-TIMEZONE;
    /// `None` rejects items with floating times.
    pub default_zone: Option<TimeZoneName>,
}

/// A file that is not what it should be at all (single bad items are [`Rejected`] instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IcalError {
    /// No VCALENDAR in the file.
    #[error("not an iCalendar file ({0}): expected BEGIN:VCALENDAR")]
    NotICalendar(String),
    /// No VCARD in the file.
    #[error("not a vCard file ({0}): expected BEGIN:VCARD")]
    NotVCard(String),
}

/// Reads an iCalendar file. `Err` only if the text is not iCalendar at all.
pub fn parse_calendar(text: &str) -> Result<ParsedCalendar, IcalError> {
    calendar::parse(text.as_bytes(), &ParseOptions::default())
}

/// Reads an iCalendar file from bytes (folding may split UTF-8 sequences; lines that are not
/// UTF-8 are read as Windows-1252), with `options`.
pub fn parse_calendar_bytes(
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<ParsedCalendar, IcalError> {
    calendar::parse(bytes, options)
}

/// Writes an iCalendar file with the given events and tasks (DTSTAMP = now).
pub fn write_calendar(events: &[(&str, &Appointment)], tasks: &[(&str, &Task)]) -> String {
    calendar::write(events, tasks, Utc::now())
}

/// As [`write_calendar`], with a fixed DTSTAMP (for reproducible output).
pub fn write_calendar_at(
    events: &[(&str, &Appointment)],
    tasks: &[(&str, &Task)],
    dtstamp: DateTime<Utc>,
) -> String {
    calendar::write(events, tasks, dtstamp)
}

/// Reads a vCard file (2.1, 3.0 or 4.0). `Err` only if the text holds no vCard at all.
pub fn parse_vcards(text: &str) -> Result<ParsedContacts, IcalError> {
    vcard_in::parse(text.as_bytes())
}

/// Reads a vCard file from bytes (vCard 2.1 exports may be Windows-1252).
pub fn parse_vcards_bytes(bytes: &[u8]) -> Result<ParsedContacts, IcalError> {
    vcard_in::parse(bytes)
}

/// Writes contacts as vCard 3.0.
pub fn write_vcards(contacts: &[(&str, &Contact)]) -> String {
    let mut w = line::LineWriter::default();
    for (uid, contact) in contacts {
        vcard_out::write_card(&mut w, uid, contact);
    }
    w.finish()
}
