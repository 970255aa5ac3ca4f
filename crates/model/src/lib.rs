//! exsync's domain model: what an appointment, a task and a contact are, independent of the
//! business database and of Exchange. No I/O happens here.
//!
//! Everything here can be serialized (base snapshots in the state store are these types as
//! JSON), compared field by field (see [`SyncItem`]), and converted to and from RFC 5545
//! recurrence rules (see [`rrule`]).

mod appointment;
mod common;
mod contact;
pub mod expand;
mod fields;
mod ids;
mod kind;
mod recurrence;
pub mod rrule;
mod task;
mod zone;

pub use appointment::{
    Appointment, Attendee, AttendeeResponse, AttendeeRole, InvalidAppointment, Sensitivity, ShowAs,
    When,
};
pub use common::{Body, BodyFormat, EmailAddress, Importance, normalize_categories};
pub use contact::{Contact, InvalidContact, MAX_EMAILS, PostalAddress};
pub use expand::{
    ExpandError, Occurrence, first_occurrence, is_occurrence, occurrence_time, occurrences,
    series_end,
};
pub use fields::{FieldName, SyncItem};
pub use ids::{BusinessId, ExchangeId};
pub use kind::{ItemKind, UnknownItemKind};
pub use recurrence::{
    ALL_WEEKDAYS, OccurrenceOverride, Pattern, Range, Recurrence, Series, WeekIndex, WeekdaySet,
};
pub use rrule::{IcalTime, UnsupportedRecurrence, occurrence_id, occurrence_key};
pub use task::{Task, TaskStatus};
pub use zone::{TimeZoneName, UnknownTimeZone, ZonedDateTime, local_to_utc, utc_to_local};
