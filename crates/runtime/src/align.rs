//! Aligning how Exchange spells an item to how the other side spells the same thing, before
//! the planner compares them.
//!
//! Exchange answers with Windows zone names (`W. Europe Standard Time`) where the business
//! application wrote IANA names (`Europe/Berlin`); both denote the same rules. Comparing the
//! names would see a change on every pass and write it back forever. Only the spelling is
//! aligned: a different zone, or a different wall-clock time, still differs.
//!
//! Invariant: `align` never changes what an item means (the instants and wall-clock times stay
//! the same); it only takes over the reference's spelling of an equivalent zone.

use exsync_model::{Appointment, Task, TimeZoneName, When, ZonedDateTime};

/// Takes over `reference`'s spelling of equivalent zones.
pub trait Align {
    /// Aligns `self` (as Exchange holds it) to `reference` (the base or the business record).
    fn align_to(&mut self, reference: &Self);
}

fn zone(zone: &mut TimeZoneName, reference: &TimeZoneName) {
    if zone != reference && zone.same_zone(reference) {
        *zone = reference.clone();
    }
}

fn zoned(time: &mut ZonedDateTime, reference: &ZonedDateTime) {
    zone(&mut time.zone, &reference.zone);
}

fn when(value: &mut When, reference: &When) {
    if let (When::Timed { start, end }, When::Timed { start: rs, end: re }) = (value, reference) {
        zoned(start, rs);
        zoned(end, re);
    }
}

fn optional(time: &mut Option<ZonedDateTime>, reference: &Option<ZonedDateTime>) {
    if let (Some(time), Some(reference)) = (time.as_mut(), reference.as_ref()) {
        zoned(time, reference);
    }
}

impl Align for Appointment {
    fn align_to(&mut self, reference: &Self) {
        when(&mut self.when, &reference.when);
        let start_zone = match &self.when {
            When::Timed { start, .. } => Some(start.zone.clone()),
            When::AllDay { .. } => None,
        };
        let (Some(series), Some(reference)) = (self.series.as_mut(), reference.series.as_ref())
        else {
            return;
        };
        let recurrence = &mut series.recurrence;
        match (&mut recurrence.time_zone, &reference.recurrence.time_zone) {
            (Some(own), Some(theirs)) => zone(own, theirs),
            // "In the zone of the start" and "in <the start's zone>" say the same.
            (None, Some(theirs)) if start_zone.as_ref().is_some_and(|z| z.same_zone(theirs)) => {
                recurrence.time_zone = Some(theirs.clone());
            }
            (Some(own), None) if start_zone.as_ref().is_some_and(|z| z.same_zone(own)) => {
                recurrence.time_zone = None;
            }
            _ => {}
        }
        for (key, change) in &mut series.modified {
            let reference_when = reference.modified.get(key).and_then(|c| c.when.as_ref());
            if let (Some(own), Some(theirs)) = (change.when.as_mut(), reference_when) {
                when(own, theirs);
            }
        }
    }
}

impl Align for Task {
    fn align_to(&mut self, reference: &Self) {
        optional(&mut self.start, &reference.start);
        optional(&mut self.due, &reference.due);
        optional(&mut self.completed, &reference.completed);
        optional(&mut self.reminder, &reference.reminder);
    }
}

impl Align for exsync_model::Contact {
    /// A contact written without a display name gets one from Exchange ("Given Surname",
    /// with or without the middle name, else the company); that is the same name the other
    /// side shows, spelled out, not an edit.
    fn align_to(&mut self, reference: &Self) {
        if !reference.display_name.trim().is_empty() || self.display_name.is_empty() {
            return;
        }
        let mut unnamed = self.clone();
        unnamed.display_name.clear();
        let without_middle = [&self.given_name, &self.surname]
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let shown = self.display_name.trim();
        if shown == unnamed.shown_name() || (!without_middle.is_empty() && shown == without_middle)
        {
            self.display_name = reference.display_name.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;
    use exsync_model::Contact;

    #[test]
    fn a_display_name_exchange_derived_is_no_edit_but_a_different_one_is() {
        let reference = Contact {
            given_name: "Anna".into(),
            surname: "Weber".into(),
            ..Contact::default()
        };
        let mut read = reference.clone();
        read.display_name = "Anna Weber".into();
        read.align_to(&reference);
        assert_eq!(read, reference);
        let mut renamed = reference.clone();
        renamed.display_name = "Dr. Anna Weber".into();
        renamed.align_to(&reference);
        assert_eq!(renamed.display_name, "Dr. Anna Weber", "a real edit stays");
        let mut named_reference = reference.clone();
        named_reference.display_name = "Weber, Anna".into();
        let mut read = reference.clone();
        read.display_name = "Anna Weber".into();
        read.align_to(&named_reference);
        assert_eq!(
            read.display_name, "Anna Weber",
            "only an empty reference is filled in"
        );
    }

    use super::*;

    fn at(zone_name: &str, text: &str) -> ZonedDateTime {
        ZonedDateTime::new(
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time"),
            TimeZoneName::new(zone_name).expect("zone"),
        )
    }

    #[test]
    fn equivalent_zone_names_take_the_reference_spelling() {
        let reference = Appointment::timed(
            "x",
            at("Europe/Berlin", "2027-01-12 10:00"),
            at("Europe/Berlin", "2027-01-12 11:00"),
        );
        let mut read = Appointment::timed(
            "x",
            at("W. Europe Standard Time", "2027-01-12 10:00"),
            at("W. Europe Standard Time", "2027-01-12 11:00"),
        );
        read.align_to(&reference);
        assert_eq!(read, reference);
    }

    #[test]
    fn a_different_zone_or_time_still_differs() {
        let reference = Appointment::timed(
            "x",
            at("Europe/Berlin", "2027-01-12 10:00"),
            at("Europe/Berlin", "2027-01-12 11:00"),
        );
        let mut other_zone = Appointment::timed(
            "x",
            at("GMT Standard Time", "2027-01-12 10:00"),
            at("GMT Standard Time", "2027-01-12 11:00"),
        );
        other_zone.align_to(&reference);
        assert_ne!(other_zone, reference);
        let mut other_time = Appointment::timed(
            "x",
            at("W. Europe Standard Time", "2027-01-12 10:30"),
            at("W. Europe Standard Time", "2027-01-12 11:00"),
        );
        other_time.align_to(&reference);
        assert_ne!(other_time, reference);
        assert_eq!(
            other_time.when,
            Appointment::timed(
                "x",
                at("Europe/Berlin", "2027-01-12 10:30"),
                at("Europe/Berlin", "2027-01-12 11:00")
            )
            .when
        );
    }
}
