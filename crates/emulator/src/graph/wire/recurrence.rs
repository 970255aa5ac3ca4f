//! `patternedRecurrence`, `recurrencePattern`, `recurrenceRange`
//! (https://learn.microsoft.com/graph/api/resources/patternedrecurrence).
//!
//! Invariant: output writes every field, with Graph's neutral values where a field does not
//! apply (`0`, `first`, `sunday`, `0001-01-01`), as Graph itself does.

use serde::{Deserialize, Serialize};

/// `patternedRecurrence`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatternedRecurrence {
    /// How often.
    #[serde(default)]
    pub pattern: RecurrencePattern,
    /// Until when.
    #[serde(default)]
    pub range: RecurrenceRange,
}

/// `recurrencePattern`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecurrencePattern {
    /// `daily`, `weekly`, `absoluteMonthly`, `relativeMonthly`, `absoluteYearly`,
    /// `relativeYearly`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Units between occurrences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<i32>,
    /// Month 1..=12 (yearly patterns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<i32>,
    /// Day of the month 1..=31 (absolute patterns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<i32>,
    /// `monday` ... `sunday`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_of_week: Option<Vec<String>>,
    /// First day of the week (weekly patterns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_day_of_week: Option<String>,
    /// `first` ... `fourth`, `last` (relative patterns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
}

/// `recurrenceRange`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecurrenceRange {
    /// `endDate`, `noEnd`, `numbered`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// First date (`Edm.Date`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// Last date (`Edm.Date`), for `endDate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// Zone the dates are in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence_time_zone: Option<String>,
    /// Count, for `numbered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_occurrences: Option<i32>,
}
