//! Whole iCalendar files: reading every VCALENDAR (zones first, then events and tasks) and
//! writing one with a VTIMEZONE for each zone used.
//!
//! Invariant: one bad item never fails the file; it is rejected with its UID and a reason, and
//! every other item is imported.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Utc};
use exsync_model::{Appointment, Task, TimeZoneName, When, ZonedDateTime};

use crate::component::{Component, read_components};
use crate::event_in::{read_event, uid_of};
use crate::line::LineWriter;
use crate::series_in::assemble;
use crate::todo::{read_todo, write_todo};
use crate::value::Ctx;
use crate::vtimezone_out::write_vtimezone;
use crate::zones::ZoneTable;
use crate::{IcalError, ImportedTask, ParseOptions, ParsedCalendar, Rejected};

/// Reads an iCalendar file.
pub(crate) fn parse(bytes: &[u8], options: &ParseOptions) -> Result<ParsedCalendar, IcalError> {
    let top = read_components(bytes);
    let calendars: Vec<&Component> = top.iter().filter(|c| c.name == "VCALENDAR").collect();
    if calendars.is_empty() {
        let found = top
            .first()
            .map_or("no BEGIN line".to_owned(), |c| format!("BEGIN:{}", c.name));
        return Err(IcalError::NotICalendar(found));
    }
    let mut parsed = ParsedCalendar::default();
    for calendar in calendars {
        let zones = ZoneTable::build(calendar);
        let default_zone = calendar
            .text("X-WR-TIMEZONE")
            .and_then(|tzid| zones.get(tzid.trim()).ok())
            .or_else(|| options.default_zone.clone());
        let ctx = Ctx {
            zones: &zones,
            default_zone,
        };
        let mut events = Vec::new();
        for child in &calendar.children {
            match child.name.as_str() {
                "VEVENT" => match read_event(child, &ctx) {
                    Ok(event) => events.push(event),
                    Err(reason) => parsed.rejected.push(Rejected {
                        uid: uid_of(child),
                        reason,
                    }),
                },
                "VTODO" => match read_todo(child, &ctx) {
                    Ok((uid, task)) => parsed.tasks.push(ImportedTask { uid, task }),
                    Err(reason) => parsed.rejected.push(Rejected {
                        uid: uid_of(child),
                        reason,
                    }),
                },
                "VJOURNAL" | "VFREEBUSY" | "VAVAILABILITY" => parsed.rejected.push(Rejected {
                    uid: uid_of(child),
                    reason: format!(
                        "{} is not supported: only events (VEVENT) and tasks (VTODO) are imported",
                        child.name
                    ),
                }),
                _ => {}
            }
        }
        // A VEVENT rejected on its own takes its series (same UID) with it.
        let rejected_uids: std::collections::HashSet<String> = parsed
            .rejected
            .iter()
            .map(|r| r.uid.clone())
            .filter(|u| !u.is_empty())
            .collect();
        events.retain(|e| !rejected_uids.contains(&e.uid));
        assemble(events, &mut parsed.events, &mut parsed.rejected);
    }
    Ok(parsed)
}

fn note_zone(years: &mut BTreeMap<TimeZoneName, (i32, i32)>, z: &ZonedDateTime) {
    if z.zone == TimeZoneName::utc() {
        return;
    }
    let year = z.local.year();
    let entry = years.entry(z.zone.clone()).or_insert((year, year));
    entry.0 = entry.0.min(year);
    entry.1 = entry.1.max(year);
}

fn note_when(years: &mut BTreeMap<TimeZoneName, (i32, i32)>, when: &When) {
    if let When::Timed { start, end } = when {
        note_zone(years, start);
        note_zone(years, end);
    }
}

/// Writes an iCalendar file.
pub(crate) fn write(
    events: &[(&str, &Appointment)],
    tasks: &[(&str, &Task)],
    dtstamp: DateTime<Utc>,
) -> String {
    let stamp = dtstamp.format("%Y%m%dT%H%M%SZ").to_string();
    let mut years: BTreeMap<TimeZoneName, (i32, i32)> = BTreeMap::new();
    for (_, a) in events {
        note_when(&mut years, &a.when);
        if let Some(series) = &a.series {
            for changes in series.modified.values() {
                if let Some(when) = &changes.when {
                    note_when(&mut years, when);
                }
            }
        }
    }
    for (_, t) in tasks {
        for z in [&t.start, &t.due, &t.reminder].into_iter().flatten() {
            note_zone(&mut years, z);
        }
    }
    let mut w = LineWriter::default();
    w.begin("VCALENDAR");
    w.prop("VERSION", &[], "2.0");
    w.text("PRODID", &[], "-//exsync//exsync-ical//EN");
    w.prop("CALSCALE", &[], "GREGORIAN");
    w.prop("METHOD", &[], "PUBLISH");
    for (zone, (first, last)) in &years {
        write_vtimezone(&mut w, zone, first - 1, last + 1);
    }
    for (uid, appointment) in events {
        crate::event_out::write_event(&mut w, uid, appointment, &stamp);
    }
    for (uid, task) in tasks {
        write_todo(&mut w, uid, task, &stamp);
    }
    w.end("VCALENDAR");
    w.finish()
}
