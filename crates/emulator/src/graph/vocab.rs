//! Graph's enumeration values (CSDL `EnumType` members) and the domain model's equivalents.
//!
//! Invariant: each table lists the CSDL spelling first; input is matched case-insensitively,
//! output always uses the CSDL spelling.

use chrono::Weekday;
use exsync_model::{AttendeeResponse, AttendeeRole, Importance, Sensitivity, ShowAs, WeekIndex};

use super::error::GraphError;

pub(crate) const SHOW_AS: &[(&str, ShowAs)] = &[
    ("free", ShowAs::Free),
    ("tentative", ShowAs::Tentative),
    ("busy", ShowAs::Busy),
    ("oof", ShowAs::OutOfOffice),
    ("workingElsewhere", ShowAs::WorkingElsewhere),
    ("unknown", ShowAs::Busy),
];
pub(crate) const SENSITIVITY: &[(&str, Sensitivity)] = &[
    ("normal", Sensitivity::Normal),
    ("personal", Sensitivity::Personal),
    ("private", Sensitivity::Private),
    ("confidential", Sensitivity::Confidential),
];
pub(crate) const IMPORTANCE: &[(&str, Importance)] = &[
    ("low", Importance::Low),
    ("normal", Importance::Normal),
    ("high", Importance::High),
];
pub(crate) const ROLES: &[(&str, AttendeeRole)] = &[
    ("required", AttendeeRole::Required),
    ("optional", AttendeeRole::Optional),
    ("resource", AttendeeRole::Resource),
];
pub(crate) const RESPONSES: &[(&str, AttendeeResponse)] = &[
    ("none", AttendeeResponse::None),
    ("organizer", AttendeeResponse::Organizer),
    ("tentativelyAccepted", AttendeeResponse::Tentative),
    ("accepted", AttendeeResponse::Accepted),
    ("declined", AttendeeResponse::Declined),
    ("notResponded", AttendeeResponse::None),
];
pub(crate) const WEEKDAYS: &[(&str, Weekday)] = &[
    ("sunday", Weekday::Sun),
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
];
pub(crate) const INDEXES: &[(&str, WeekIndex)] = &[
    ("first", WeekIndex::First),
    ("second", WeekIndex::Second),
    ("third", WeekIndex::Third),
    ("fourth", WeekIndex::Fourth),
    ("last", WeekIndex::Last),
];

pub(crate) fn enum_value<T: Copy>(
    value: Option<&str>,
    field: &str,
    table: &[(&str, T)],
) -> Result<Option<T>, GraphError> {
    let Some(value) = value else { return Ok(None) };
    table
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(value))
        .map(|(_, v)| Some(*v))
        .ok_or_else(|| {
            GraphError::invalid_request(format!(
                "Requested value '{value}' was not found for property '{field}'."
            ))
        })
}

pub(crate) fn name_of<T: PartialEq + Copy>(value: T, table: &[(&'static str, T)]) -> &'static str {
    table
        .iter()
        .find(|(_, v)| *v == value)
        .map_or("", |(name, _)| name)
}
