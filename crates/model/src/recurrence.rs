//! Recurring series: the pattern and range Exchange can express, plus the occurrences that were
//! moved/changed or cancelled.
//!
//! The pattern types mirror Exchange's (Graph `recurrencePattern`, EWS `*RecurrencePattern`)
//! exactly, so anything held here can be written to Exchange unchanged; RFC 5545 rules that
//! Exchange cannot express are refused when they are converted into this model (see
//! [`crate::rrule`]). Occurrences are identified by their *original start* as a wall-clock time
//! in the series' zone, which survives DST and the UTC/local spelling differences between
//! iCalendar, Graph and EWS.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDateTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::appointment::{Sensitivity, ShowAs, When};
use crate::common::{Body, Importance};
use crate::zone::TimeZoneName;

/// A recurring series: rule, and the occurrences that differ from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    /// How the occurrences repeat.
    pub recurrence: Recurrence,
    /// Occurrences that were moved or changed, by original start.
    #[serde(default)]
    pub modified: BTreeMap<NaiveDateTime, OccurrenceOverride>,
    /// Occurrences that were cancelled (deleted), by original start.
    #[serde(default)]
    pub cancelled: BTreeSet<NaiveDateTime>,
}

impl Series {
    /// A series without exceptions.
    pub fn new(recurrence: Recurrence) -> Self {
        Self {
            recurrence,
            modified: BTreeMap::new(),
            cancelled: BTreeSet::new(),
        }
    }
}

/// Pattern, range and zone of a recurrence (Graph `patternedRecurrence`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Recurrence {
    /// How often.
    pub pattern: Pattern,
    /// Until when.
    pub range: Range,
    /// The zone the pattern is evaluated in; `None` = the zone of the series start.
    #[serde(default)]
    pub time_zone: Option<TimeZoneName>,
}

/// The repetition pattern (Graph `recurrencePatternType`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Pattern {
    /// Every `interval` days.
    Daily {
        /// Days between occurrences (>= 1).
        interval: u32,
    },
    /// Every `interval` weeks on the given days.
    Weekly {
        /// Weeks between occurrences (>= 1).
        interval: u32,
        /// Days of the week (at least one).
        days: WeekdaySet,
        /// The day a week starts on (matters for intervals > 1).
        first_day_of_week: Weekday,
    },
    /// Every `interval` months on a day of the month.
    AbsoluteMonthly {
        /// Months between occurrences (>= 1).
        interval: u32,
        /// Day of the month, 1..=31 (Exchange uses the last day in shorter months).
        day_of_month: u8,
    },
    /// Every `interval` months on the n-th given weekday(s).
    RelativeMonthly {
        /// Months between occurrences (>= 1).
        interval: u32,
        /// Which days count (one weekday; all weekdays = "weekday"; all days = "day").
        days: WeekdaySet,
        /// First, second, third, fourth or last.
        index: WeekIndex,
    },
    /// Every `interval` years on a date.
    AbsoluteYearly {
        /// Years between occurrences (>= 1).
        interval: u32,
        /// Month, 1..=12.
        month: u8,
        /// Day of the month, 1..=31.
        day_of_month: u8,
    },
    /// Every `interval` years on the n-th given weekday(s) of a month.
    RelativeYearly {
        /// Years between occurrences (>= 1).
        interval: u32,
        /// Month, 1..=12.
        month: u8,
        /// Which days count.
        days: WeekdaySet,
        /// First, second, third, fourth or last.
        index: WeekIndex,
    },
}

impl Pattern {
    /// The interval of any pattern.
    pub fn interval(&self) -> u32 {
        match self {
            Pattern::Daily { interval }
            | Pattern::Weekly { interval, .. }
            | Pattern::AbsoluteMonthly { interval, .. }
            | Pattern::RelativeMonthly { interval, .. }
            | Pattern::AbsoluteYearly { interval, .. }
            | Pattern::RelativeYearly { interval, .. } => *interval,
        }
    }
}

/// Which occurrence of a weekday within a month (Graph `weekIndex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeekIndex {
    /// The first.
    First,
    /// The second.
    Second,
    /// The third.
    Third,
    /// The fourth.
    Fourth,
    /// The last.
    Last,
}

impl WeekIndex {
    /// The RFC 5545 ordinal: 1..=4, or -1 for the last.
    pub fn ordinal(self) -> i8 {
        match self {
            WeekIndex::First => 1,
            WeekIndex::Second => 2,
            WeekIndex::Third => 3,
            WeekIndex::Fourth => 4,
            WeekIndex::Last => -1,
        }
    }

    /// The index for an RFC 5545 ordinal; `None` for ordinals Exchange cannot express.
    pub fn from_ordinal(ordinal: i8) -> Option<Self> {
        match ordinal {
            1 => Some(WeekIndex::First),
            2 => Some(WeekIndex::Second),
            3 => Some(WeekIndex::Third),
            4 => Some(WeekIndex::Fourth),
            -1 => Some(WeekIndex::Last),
            _ => None,
        }
    }
}

/// A set of weekdays, Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(into = "Vec<Weekday>", from = "Vec<Weekday>")]
pub struct WeekdaySet(u8);

impl WeekdaySet {
    /// No day.
    pub const EMPTY: WeekdaySet = WeekdaySet(0);
    /// Monday to Friday.
    pub const WORKDAYS: WeekdaySet = WeekdaySet(0b0001_1111);
    /// Every day.
    pub const ALL: WeekdaySet = WeekdaySet(0b0111_1111);

    /// A set holding exactly `day`.
    pub fn single(day: Weekday) -> Self {
        Self(1 << day.num_days_from_monday())
    }

    /// Adds `day`.
    pub fn insert(&mut self, day: Weekday) {
        self.0 |= 1 << day.num_days_from_monday();
    }

    /// True when `day` is in the set.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// True when the set holds no day.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The number of days in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The days, Monday first.
    pub fn iter(self) -> impl Iterator<Item = Weekday> {
        ALL_WEEKDAYS.into_iter().filter(move |d| self.contains(*d))
    }
}

/// Monday to Sunday.
pub const ALL_WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

impl FromIterator<Weekday> for WeekdaySet {
    fn from_iter<I: IntoIterator<Item = Weekday>>(iter: I) -> Self {
        let mut set = WeekdaySet::EMPTY;
        for day in iter {
            set.insert(day);
        }
        set
    }
}

impl From<Vec<Weekday>> for WeekdaySet {
    fn from(days: Vec<Weekday>) -> Self {
        days.into_iter().collect()
    }
}

impl From<WeekdaySet> for Vec<Weekday> {
    fn from(set: WeekdaySet) -> Self {
        set.iter().collect()
    }
}

/// How long a series runs. The start is the series' first occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Range {
    /// Forever.
    NoEnd,
    /// Until this date, inclusive, in the series' zone.
    EndDate {
        /// The last date an occurrence may fall on.
        end: chrono::NaiveDate,
    },
    /// This many occurrences (counting cancelled ones, as Exchange does).
    Numbered {
        /// Number of occurrences (>= 1).
        count: u32,
    },
}

/// What differs in one occurrence from its series. `None` = as the series says.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OccurrenceOverride {
    /// New time (a moved occurrence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
    /// Changed subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Changed location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Changed body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    /// Changed free/busy status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_as: Option<ShowAs>,
    /// Changed sensitivity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<Sensitivity>,
    /// Changed importance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    /// Changed categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// Changed reminder (`Some(None)` = turned off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_minutes: Option<Option<u32>>,
}

impl OccurrenceOverride {
    /// True when nothing differs from the series.
    pub fn is_empty(&self) -> bool {
        self == &OccurrenceOverride::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_sets_serialize_as_day_lists() {
        let set: WeekdaySet = [Weekday::Fri, Weekday::Mon].into_iter().collect();
        assert_eq!(set.len(), 2);
        let json = serde_json::to_string(&set).expect("serializes");
        assert_eq!(json, r#"["Mon","Fri"]"#);
        let back: WeekdaySet = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, set);
        assert!(WeekdaySet::WORKDAYS.contains(Weekday::Wed));
        assert!(!WeekdaySet::WORKDAYS.contains(Weekday::Sat));
    }

    #[test]
    fn week_index_ordinals_cover_what_exchange_can_express() {
        for index in [
            WeekIndex::First,
            WeekIndex::Second,
            WeekIndex::Third,
            WeekIndex::Fourth,
            WeekIndex::Last,
        ] {
            assert_eq!(WeekIndex::from_ordinal(index.ordinal()), Some(index));
        }
        assert_eq!(WeekIndex::from_ordinal(5), None);
        assert_eq!(WeekIndex::from_ordinal(-2), None);
    }
}
