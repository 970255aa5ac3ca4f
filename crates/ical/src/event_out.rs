//! [`Appointment`] -> VEVENTs: the master (with RRULE and EXDATE) and one VEVENT with
//! RECURRENCE-ID per changed occurrence, holding the whole occurrence as RFC 5545 wants it.
//!
//! Invariant: reading the written VEVENTs back (see [`crate::event_in`], [`crate::series_in`])
//! gives the same appointment: every field the importer reads is written, in a form it reads
//! back unchanged (RECURRENCE-ID/EXDATE spelled like DTSTART, CLASS:X-PERSONAL for personal).

use std::collections::BTreeMap;

use exsync_model::{
    Appointment, AttendeeResponse, AttendeeRole, Body, BodyFormat, EmailAddress, IcalTime,
    Importance, Sensitivity, ShowAs, TimeZoneName, When, ZonedDateTime, is_occurrence,
    occurrence_id, occurrence_time,
};

use crate::line::LineWriter;
use crate::value::trigger_before;

/// A date-time as iCalendar writes it: `...Z` for the zone named exactly `UTC`, else with TZID.
pub(crate) fn ical_time(z: &ZonedDateTime) -> IcalTime {
    if z.zone == TimeZoneName::utc() {
        IcalTime::Utc(z.local)
    } else {
        IcalTime::Zoned(z.clone())
    }
}

/// Writes `name` with `values` (all of one spelling), adding `VALUE=DATE` or `TZID=`.
pub(crate) fn write_times(w: &mut LineWriter, name: &str, values: &[IcalTime]) {
    let Some(first) = values.first() else { return };
    let joined = values
        .iter()
        .map(IcalTime::value)
        .collect::<Vec<_>>()
        .join(",");
    match first {
        IcalTime::Date(_) => w.prop(name, &[("VALUE", "DATE")], &joined),
        IcalTime::Zoned(z) => w.prop(name, &[("TZID", z.zone.as_str())], &joined),
        IcalTime::Utc(_) | IcalTime::Floating(_) => w.prop(name, &[], &joined),
    }
}

fn write_when(w: &mut LineWriter, when: &When) {
    match when {
        When::Timed { start, end } => {
            write_times(w, "DTSTART", &[ical_time(start)]);
            write_times(w, "DTEND", &[ical_time(end)]);
        }
        When::AllDay { start, end } => {
            write_times(w, "DTSTART", &[IcalTime::Date(*start)]);
            write_times(w, "DTEND", &[IcalTime::Date(*end)]);
            w.prop("X-MICROSOFT-CDO-ALLDAYEVENT", &[], "TRUE");
        }
    }
}

/// A readable text version of an HTML body, for DESCRIPTION next to X-ALT-DESC.
fn html_to_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// DESCRIPTION (and X-ALT-DESC;FMTTYPE=text/html for HTML bodies).
pub(crate) fn write_body(w: &mut LineWriter, body: &Body) {
    match body.format {
        BodyFormat::Text if !body.content.is_empty() => w.text("DESCRIPTION", &[], &body.content),
        BodyFormat::Text => {}
        BodyFormat::Html => {
            w.text("DESCRIPTION", &[], &html_to_text(&body.content));
            w.text("X-ALT-DESC", &[("FMTTYPE", "text/html")], &body.content);
        }
    }
}

/// PRIORITY for an importance (normal is left out).
pub(crate) fn write_priority(w: &mut LineWriter, importance: Importance) {
    match importance {
        Importance::High => w.prop("PRIORITY", &[], "1"),
        Importance::Low => w.prop("PRIORITY", &[], "9"),
        Importance::Normal => {}
    }
}

/// CATEGORIES as one escaped list.
pub(crate) fn write_categories(w: &mut LineWriter, categories: &[String]) {
    if !categories.is_empty() {
        let list: Vec<String> = categories.iter().map(|c| crate::text::escape(c)).collect();
        w.prop("CATEGORIES", &[], &list.join(","));
    }
}

/// A display VALARM firing at `trigger` (a TRIGGER value with its parameters).
pub(crate) fn write_alarm(w: &mut LineWriter, params: &[(&str, &str)], trigger: &str) {
    w.begin("VALARM");
    w.prop("ACTION", &[], "DISPLAY");
    w.text("DESCRIPTION", &[], "Reminder");
    w.prop("TRIGGER", params, trigger);
    w.end("VALARM");
}

fn write_person(w: &mut LineWriter, name: &str, person: &EmailAddress, extra: &[(&str, &str)]) {
    let mut params: Vec<(&str, &str)> = Vec::new();
    if !person.name.is_empty() {
        params.push(("CN", &person.name));
    }
    params.extend_from_slice(extra);
    w.prop(name, &params, &format!("mailto:{}", person.address));
}

/// The fields of one VEVENT: the master's, with an occurrence's changes applied.
struct Fields<'a> {
    subject: &'a str,
    location: &'a str,
    body: &'a Body,
    show_as: ShowAs,
    sensitivity: Sensitivity,
    importance: Importance,
    categories: &'a [String],
    reminder: Option<u32>,
}

fn write_fields(w: &mut LineWriter, f: &Fields<'_>, a: &Appointment) {
    w.text("SUMMARY", &[], f.subject);
    if !f.location.is_empty() {
        w.text("LOCATION", &[], f.location);
    }
    write_body(w, f.body);
    let class = match f.sensitivity {
        Sensitivity::Normal => "PUBLIC",
        Sensitivity::Personal => "X-PERSONAL",
        Sensitivity::Private => "PRIVATE",
        Sensitivity::Confidential => "CONFIDENTIAL",
    };
    w.prop("CLASS", &[], class);
    write_priority(w, f.importance);
    let (transp, busy) = match f.show_as {
        ShowAs::Free => ("TRANSPARENT", "FREE"),
        ShowAs::Tentative => ("OPAQUE", "TENTATIVE"),
        ShowAs::Busy => ("OPAQUE", "BUSY"),
        ShowAs::OutOfOffice => ("OPAQUE", "OOF"),
        ShowAs::WorkingElsewhere => ("OPAQUE", "WORKINGELSEWHERE"),
    };
    w.prop("TRANSP", &[], transp);
    w.prop("X-MICROSOFT-CDO-BUSYSTATUS", &[], busy);
    write_categories(w, f.categories);
    if let Some(organizer) = &a.organizer {
        write_person(w, "ORGANIZER", organizer, &[]);
    }
    for attendee in &a.attendees {
        let role = match attendee.role {
            AttendeeRole::Required => "REQ-PARTICIPANT",
            AttendeeRole::Optional => "OPT-PARTICIPANT",
            AttendeeRole::Resource => "NON-PARTICIPANT",
        };
        let cutype = match attendee.role {
            AttendeeRole::Resource => "RESOURCE",
            _ => "INDIVIDUAL",
        };
        let partstat = match attendee.response {
            AttendeeResponse::None => "NEEDS-ACTION",
            AttendeeResponse::Accepted | AttendeeResponse::Organizer => "ACCEPTED",
            AttendeeResponse::Tentative => "TENTATIVE",
            AttendeeResponse::Declined => "DECLINED",
        };
        let params = [("CUTYPE", cutype), ("ROLE", role), ("PARTSTAT", partstat)];
        write_person(w, "ATTENDEE", &attendee.email, &params);
    }
    if let Some(minutes) = f.reminder {
        write_alarm(w, &[], &trigger_before(minutes));
    }
}

/// Writes the VEVENT(s) of one appointment.
pub(crate) fn write_event(w: &mut LineWriter, uid: &str, a: &Appointment, stamp: &str) {
    w.begin("VEVENT");
    w.text("UID", &[], uid);
    w.prop("DTSTAMP", &[], stamp);
    write_when(w, &a.when);
    let master = Fields {
        subject: &a.subject,
        location: &a.location,
        body: &a.body,
        show_as: a.show_as,
        sensitivity: a.sensitivity,
        importance: a.importance,
        categories: &a.categories,
        reminder: a.reminder_minutes,
    };
    if let Some(series) = &a.series {
        w.prop("RRULE", &[], &series.recurrence.to_rrule(&a.when));
        let mut exdates: BTreeMap<String, Vec<IcalTime>> = BTreeMap::new();
        for key in &series.cancelled {
            if let Ok(id) = occurrence_id(*key, &a.when, &series.recurrence) {
                let group = format!("{}{:?}", id.is_date(), id.tzid());
                exdates.entry(group).or_default().push(id);
            }
        }
        for values in exdates.values() {
            write_times(w, "EXDATE", values);
        }
    }
    write_fields(w, &master, a);
    w.end("VEVENT");

    let Some(series) = &a.series else { return };
    for (key, changes) in &series.modified {
        // A key that is no occurrence never shows (see `expand`); writing it would make the
        // file's RECURRENCE-ID name nothing, which readers refuse.
        let valid = is_occurrence(&a.when, &series.recurrence, *key).unwrap_or(false);
        let (true, false, Ok(id), Ok(natural)) = (
            valid,
            series.cancelled.contains(key),
            occurrence_id(*key, &a.when, &series.recurrence),
            occurrence_time(&a.when, &series.recurrence, *key),
        ) else {
            continue;
        };
        w.begin("VEVENT");
        w.text("UID", &[], uid);
        w.prop("DTSTAMP", &[], stamp);
        write_times(w, "RECURRENCE-ID", &[id]);
        write_when(w, changes.when.as_ref().unwrap_or(&natural));
        let fields = Fields {
            subject: changes.subject.as_deref().unwrap_or(master.subject),
            location: changes.location.as_deref().unwrap_or(master.location),
            body: changes.body.as_ref().unwrap_or(master.body),
            show_as: changes.show_as.unwrap_or(master.show_as),
            sensitivity: changes.sensitivity.unwrap_or(master.sensitivity),
            importance: changes.importance.unwrap_or(master.importance),
            categories: changes.categories.as_deref().unwrap_or(master.categories),
            reminder: changes.reminder_minutes.unwrap_or(master.reminder),
        };
        write_fields(w, &fields, a);
        w.end("VEVENT");
    }
}
