//! Reading a `t:CalendarItem` from CreateItem or an UpdateItem change into an appointment:
//! a [`Draft`] holds the item's fields, each element of the request overwrites one, and
//! [`Draft::build`] checks and assembles the model's [`Appointment`]
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/calendaritem).
//!
//! Invariants: times without an offset are wall-clock times in `StartTimeZone`/`EndTimeZone`
//! (UTC when none is given), times with an offset are instants; the stored wall-clock time is
//! in the item's start or end zone; changing the start or the recurrence of a series drops its
//! exceptions, as Exchange does.

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc};
use exsync_model::{
    Appointment, Body, BodyFormat, Importance, Recurrence, Sensitivity, Series, ShowAs,
    TimeZoneName, When, ZonedDateTime, utc_to_local,
};

use super::error::ItemError;
use super::recurrence;
use super::xml::Element;
use crate::store::StoredEvent;

/// A point in time as a request gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// With `Z` or an offset.
    Instant(DateTime<Utc>),
    /// Without: a wall-clock time in the item's zone.
    Local(NaiveDateTime),
}

/// Parses an `xs:dateTime`.
pub fn parse_stamp(text: &str) -> Option<Stamp> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(Stamp::Instant(t.with_timezone(&Utc)));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(Stamp::Local)
}

/// Tables shared with the writer.
pub const SHOW_AS: &[(&str, ShowAs)] = &[
    ("Free", ShowAs::Free),
    ("Tentative", ShowAs::Tentative),
    ("Busy", ShowAs::Busy),
    ("OOF", ShowAs::OutOfOffice),
    ("WorkingElsewhere", ShowAs::WorkingElsewhere),
];
/// `Sensitivity` values.
pub const SENSITIVITY: &[(&str, Sensitivity)] = &[
    ("Normal", Sensitivity::Normal),
    ("Personal", Sensitivity::Personal),
    ("Private", Sensitivity::Private),
    ("Confidential", Sensitivity::Confidential),
];
/// `Importance` values.
pub const IMPORTANCE: &[(&str, Importance)] = &[
    ("Low", Importance::Low),
    ("Normal", Importance::Normal),
    ("High", Importance::High),
];

fn lookup<T: Copy>(table: &[(&str, T)], text: &str, what: &str) -> Result<T, ItemError> {
    table
        .iter()
        .find(|(n, _)| *n == text)
        .map(|(_, v)| *v)
        .ok_or_else(|| ItemError::invalid_value(what))
}

/// The fields of a calendar item while a request is applied to it.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The appointment's plain fields (its `when` and `series` are rebuilt by `build`).
    pub base: Appointment,
    start: Option<Stamp>,
    end: Option<Stamp>,
    all_day: bool,
    start_zone: TimeZoneName,
    end_zone: TimeZoneName,
    reminder_on: bool,
    reminder_minutes: u32,
    recurrence: Option<Recurrence>,
    series: Option<Series>,
    reshaped: bool,
}

impl Draft {
    /// An empty item (defaults as Exchange applies them: busy, reminder 15 minutes).
    pub fn new() -> Self {
        let day = chrono::NaiveDate::MIN;
        Self {
            base: Appointment::all_day("", day, day),
            start: None,
            end: None,
            all_day: false,
            start_zone: TimeZoneName::utc(),
            end_zone: TimeZoneName::utc(),
            reminder_on: true,
            reminder_minutes: 15,
            recurrence: None,
            series: None,
            reshaped: false,
        }
    }

    /// A stored item, or one occurrence of it (`when` given, series dropped).
    pub fn from_stored(event: &StoredEvent, view: &Appointment) -> Self {
        let (start, end, all_day) = match &view.when {
            When::Timed { start, end } => (start.local, end.local, false),
            When::AllDay { start, end } => (
                start.and_time(NaiveTime::MIN),
                end.and_time(NaiveTime::MIN),
                true,
            ),
        };
        let (start_zone, end_zone) = match &view.when {
            When::Timed { start, end } => (start.zone.clone(), end.zone.clone()),
            When::AllDay { .. } => (event.start_zone.clone(), event.end_zone.clone()),
        };
        Self {
            base: view.clone(),
            start: Some(Stamp::Local(start)),
            end: Some(Stamp::Local(end)),
            all_day,
            start_zone,
            end_zone,
            reminder_on: view.reminder_minutes.is_some(),
            reminder_minutes: view.reminder_minutes.unwrap_or(15),
            recurrence: view.series.as_ref().map(|s| s.recurrence.clone()),
            series: view.series.clone(),
            reshaped: false,
        }
    }

    /// True when the request changed the time or the recurrence.
    pub fn reshaped(&self) -> bool {
        self.reshaped
    }

    fn zone(el: &Element) -> Result<TimeZoneName, ItemError> {
        let id = el
            .attr("Id")
            .or_else(|| el.attr("TimeZoneName"))
            .unwrap_or("UTC");
        TimeZoneName::new(id).map_err(|_| {
            ItemError::new(
                "ErrorTimeZone",
                format!("The time zone '{id}' is not valid."),
            )
        })
    }

    /// Applies one child element of a `CalendarItem`.
    pub fn apply(&mut self, el: &Element) -> Result<(), ItemError> {
        let text = el.text.trim();
        let flag = || match text {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(ItemError::invalid_value(&el.name)),
        };
        match el.name.as_str() {
            "Subject" => self.base.subject = el.text.clone(),
            "Body" => {
                let format = match el.attr("BodyType") {
                    Some("HTML") => BodyFormat::Html,
                    _ => BodyFormat::Text,
                };
                self.base.body = Body {
                    format,
                    content: el.text.clone(),
                };
            }
            "Sensitivity" => self.base.sensitivity = lookup(SENSITIVITY, text, "Sensitivity")?,
            "Importance" => self.base.importance = lookup(IMPORTANCE, text, "Importance")?,
            "Categories" => {
                self.base.categories = el.all("String").map(|s| s.text.clone()).collect();
            }
            "ReminderIsSet" => self.reminder_on = flag()?,
            "ReminderMinutesBeforeStart" => {
                self.reminder_minutes = text
                    .parse()
                    .map_err(|_| ItemError::invalid_value(&el.name))?;
            }
            "Start" | "End" => {
                let stamp = parse_stamp(text).ok_or_else(|| ItemError::invalid_value(&el.name))?;
                if el.name == "Start" {
                    self.start = Some(stamp);
                } else {
                    self.end = Some(stamp);
                }
                self.reshaped = true;
            }
            "IsAllDayEvent" => {
                self.all_day = flag()?;
                self.reshaped = true;
            }
            "LegacyFreeBusyStatus" => self.base.show_as = lookup(SHOW_AS, text, &el.name)?,
            "Location" => self.base.location = el.text.clone(),
            "Recurrence" => {
                self.recurrence = Some(recurrence::parse(el)?);
                self.reshaped = true;
            }
            "StartTimeZone" | "MeetingTimeZone" => {
                self.start_zone = Self::zone(el)?;
                if el.name == "MeetingTimeZone" {
                    self.end_zone = self.start_zone.clone();
                }
            }
            "EndTimeZone" => self.end_zone = Self::zone(el)?,
            // Other properties (ItemClass, extended properties, …) are not kept by the
            // emulator.
            _ => {}
        }
        Ok(())
    }

    /// Clears the property of a `DeleteItemField`.
    pub fn delete(&mut self, uri: &str) -> Result<(), ItemError> {
        match uri {
            "item:Subject" => self.base.subject.clear(),
            "item:Body" => self.base.body = Body::default(),
            "item:Categories" => self.base.categories.clear(),
            "calendar:Location" => self.base.location.clear(),
            "item:ReminderIsSet" => self.reminder_on = false,
            "calendar:Recurrence" => {
                self.recurrence = None;
                self.reshaped = true;
            }
            other => {
                return Err(ItemError::new(
                    "ErrorInvalidPropertyDelete",
                    format!("The property {other} cannot be deleted."),
                ));
            }
        }
        Ok(())
    }

    fn local(&self, stamp: Stamp, zone: &TimeZoneName) -> Result<NaiveDateTime, ItemError> {
        match stamp {
            Stamp::Local(t) => Ok(t),
            Stamp::Instant(t) => {
                let tz = zone
                    .resolve()
                    .map_err(|_| ItemError::new("ErrorTimeZone", "The time zone is not valid."))?;
                Ok(utc_to_local(tz, t))
            }
        }
    }

    /// The appointment with its start and end zones.
    pub fn build(mut self) -> Result<(Appointment, TimeZoneName, TimeZoneName), ItemError> {
        let missing = |what: &str| {
            ItemError::new(
                "ErrorInvalidRequest",
                format!("The calendar item needs a {what}."),
            )
        };
        let start = self.local(
            self.start.ok_or_else(|| missing("Start"))?,
            &self.start_zone,
        )?;
        let end = self.local(self.end.ok_or_else(|| missing("End"))?, &self.end_zone)?;
        let when = if self.all_day {
            let first = start.date();
            let mut last = if end.time() == NaiveTime::MIN {
                end.date()
            } else {
                end.date() + Duration::days(1)
            };
            if last <= first {
                last = first + Duration::days(1);
            }
            When::AllDay {
                start: first,
                end: last,
            }
        } else {
            let s = ZonedDateTime::new(start, self.start_zone.clone());
            let e = ZonedDateTime::new(end, self.end_zone.clone());
            let tz_error = |_| ItemError::new("ErrorTimeZone", "The time zone is not valid.");
            if e.to_utc().map_err(tz_error)? < s.to_utc().map_err(tz_error)? {
                return Err(ItemError::new(
                    "ErrorCalendarEndDateIsEarlierThanStartDate",
                    "EndDate is earlier than StartDate",
                ));
            }
            When::Timed { start: s, end: e }
        };
        self.base.when = when;
        self.base.reminder_minutes = self.reminder_on.then_some(self.reminder_minutes);
        self.base.series = match self.recurrence.take() {
            None => None,
            Some(mut recurrence) => {
                if recurrence.time_zone.is_none() {
                    recurrence.time_zone = Some(self.start_zone.clone());
                }
                let mut series = Series::new(recurrence.clone());
                if let Some(old) = self.series.take().filter(|_| !self.reshaped) {
                    series = Series { recurrence, ..old };
                }
                Some(series)
            }
        };
        Ok((self.base, self.start_zone, self.end_zone))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ews::xml;

    fn draft(fields: &str) -> Result<(Appointment, TimeZoneName, TimeZoneName), ItemError> {
        let item = xml::parse(&format!("<CalendarItem>{fields}</CalendarItem>")).expect("xml");
        let mut d = Draft::new();
        for f in &item.children {
            d.apply(f)?;
        }
        d.build()
    }

    #[test]
    fn instants_and_wall_clock_times_land_in_the_start_zone() {
        let zone = "<StartTimeZone Id=\"W. Europe Standard Time\"/>";
        let (a, start_zone, _) = draft(&format!(
            "<Start>2026-01-15T08:00:00Z</Start><End>2026-01-15T10:00:00</End>{zone}\
             <EndTimeZone Id=\"UTC\"/>"
        ))
        .expect("valid");
        let When::Timed { start, end } = a.when else {
            panic!("timed")
        };
        assert_eq!(start.local.to_string(), "2026-01-15 09:00:00");
        assert_eq!(start_zone.as_str(), "W. Europe Standard Time");
        assert_eq!(end.local.to_string(), "2026-01-15 10:00:00");
        assert_eq!(a.reminder_minutes, Some(15));
    }

    #[test]
    fn all_day_items_use_whole_dates_and_bad_values_are_refused() {
        let (a, _, _) = draft(
            "<Start>2026-01-15T00:00:00</Start><End>2026-01-17T00:00:00</End>\
             <IsAllDayEvent>true</IsAllDayEvent><ReminderIsSet>false</ReminderIsSet>",
        )
        .expect("valid");
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 1, d).expect("date");
        assert_eq!(
            a.when,
            When::AllDay {
                start: day(15),
                end: day(17)
            }
        );
        assert_eq!(a.reminder_minutes, None);
        let late = draft("<Start>2026-01-15T10:00:00Z</Start><End>2026-01-15T09:00:00Z</End>");
        assert_eq!(
            late.map(|_| ()).map_err(|e| e.code),
            Err("ErrorCalendarEndDateIsEarlierThanStartDate")
        );
        let zone = draft("<Start>2026-01-15T10:00:00Z</Start><StartTimeZone Id=\"Mars\"/>");
        assert_eq!(zone.map(|_| ()).map_err(|e| e.code), Err("ErrorTimeZone"));
        let status = draft("<LegacyFreeBusyStatus>Sleeping</LegacyFreeBusyStatus>");
        assert!(status.is_err());
        assert_eq!(
            draft("<Subject>x</Subject>")
                .map(|_| ())
                .map_err(|e| e.code),
            Err("ErrorInvalidRequest")
        );
    }
}
