//! `event` (https://learn.microsoft.com/graph/api/resources/event): what clients send
//! ([`EventInput`]) and what Graph answers ([`Event`]).
//!
//! Invariant: [`EventInput`] holds only writable properties, all optional (a PATCH sends some);
//! [`Event`] writes every property with Graph's JSON type, `null` where Graph writes `null`.

use serde::{Deserialize, Serialize};

use super::common::{Attendee, DateTimeTimeZone, ItemBody, Location, Recipient, ResponseStatus};
use super::recurrence::PatternedRecurrence;

/// Writable properties of an event (POST body, PATCH body).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventInput {
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<ItemBody>,
    /// Start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<DateTimeTimeZone>,
    /// End.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<DateTimeTimeZone>,
    /// All day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_all_day: Option<bool>,
    /// `free`, `tentative`, `busy`, `oof`, `workingElsewhere`, `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_as: Option<String>,
    /// `normal`, `personal`, `private`, `confidential`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<String>,
    /// `low`, `normal`, `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<String>,
    /// Categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// Reminder on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_reminder_on: Option<bool>,
    /// Reminder lead time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_minutes_before_start: Option<i32>,
    /// Where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Recurrence; `null` turns a series into a single event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<PatternedRecurrence>,
    /// Organizer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizer: Option<Recipient>,
    /// Attendees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendees: Option<Vec<Attendee>>,
    /// Client-chosen idempotency key of a create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
}

/// An event as Graph returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// `W/"changeKey"`.
    #[serde(rename = "@odata.etag")]
    pub odata_etag: String,
    /// Id.
    pub id: String,
    /// Created.
    pub created_date_time: String,
    /// Last modified.
    pub last_modified_date_time: String,
    /// Change key.
    pub change_key: String,
    /// Categories.
    pub categories: Vec<String>,
    /// Client idempotency key (null when none was given).
    pub transaction_id: Option<String>,
    /// Zone the start was created in.
    pub original_start_time_zone: String,
    /// Zone the end was created in.
    pub original_end_time_zone: String,
    /// iCalendar UID.
    #[serde(rename = "iCalUId")]
    pub ical_uid: String,
    /// Reminder lead time.
    pub reminder_minutes_before_start: i32,
    /// Reminder on.
    pub is_reminder_on: bool,
    /// Attachments (never, in the emulator).
    pub has_attachments: bool,
    /// Title.
    pub subject: String,
    /// Start of the body as plain text.
    pub body_preview: String,
    /// Importance.
    pub importance: String,
    /// Sensitivity.
    pub sensitivity: String,
    /// All day.
    pub is_all_day: bool,
    /// Cancelled meeting.
    pub is_cancelled: bool,
    /// The mailbox organises it.
    pub is_organizer: bool,
    /// Response requested from attendees.
    pub response_requested: bool,
    /// Master id of an occurrence or exception.
    pub series_master_id: Option<String>,
    /// Where the pattern put an occurrence or exception (UTC); absent on other events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_start: Option<String>,
    /// Free/busy.
    pub show_as: String,
    /// `singleInstance`, `occurrence`, `exception`, `seriesMaster`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The mailbox owner's answer.
    pub response_status: ResponseStatus,
    /// Body.
    pub body: ItemBody,
    /// Start.
    pub start: DateTimeTimeZone,
    /// End.
    pub end: DateTimeTimeZone,
    /// Where.
    pub location: Location,
    /// Recurrence of a series master, else null.
    pub recurrence: Option<PatternedRecurrence>,
    /// Attendees.
    pub attendees: Vec<Attendee>,
    /// Organizer.
    pub organizer: Recipient,
}
