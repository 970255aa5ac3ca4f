//! One VEVENT -> the fields of an [`Appointment`] (the series and its exceptions are put
//! together in [`crate::series_in`]).
//!
//! Mapping: SUMMARY, LOCATION, DESCRIPTION / X-ALT-DESC;FMTTYPE=text/html, DTSTART/DTEND/
//! DURATION, X-MICROSOFT-CDO-BUSYSTATUS (else TRANSP) -> show_as, CLASS -> sensitivity
//! (`X-PERSONAL` = personal, unknown values = private as RFC 5545 says), PRIORITY (else
//! X-MICROSOFT-CDO-IMPORTANCE) -> importance, CATEGORIES, the first VALARM -> reminder minutes,
//! ORGANIZER/ATTENDEE.
//! Invariant: what cannot be represented (RDATE, EXRULE, several RRULEs, a reminder after the
//! start, structural errors) is an error naming the property, never dropped silently.

use exsync_model::{
    Appointment, Attendee, AttendeeResponse, AttendeeRole, Body, EmailAddress, IcalTime,
    Importance, Sensitivity, ShowAs, When, normalize_categories,
};

use crate::component::{Component, all_errors};
use crate::line::ContentLine;
use crate::text::text_list;
use crate::value::{Ctx, Trigger, first_trigger};

/// A VEVENT read on its own.
#[derive(Debug, Clone)]
pub(crate) struct EventData {
    pub(crate) uid: String,
    /// RECURRENCE-ID, for a changed occurrence of a series.
    pub(crate) recurrence_id: Option<IcalTime>,
    /// STATUS:CANCELLED.
    pub(crate) cancelled: bool,
    /// The event's own fields; `series` is not filled in here.
    pub(crate) appointment: Appointment,
    pub(crate) rrule: Option<String>,
    pub(crate) exdates: Vec<IcalTime>,
}

/// The UID of a component, `""` if it has none.
pub(crate) fn uid_of(c: &Component) -> String {
    c.text("UID")
        .map(|u| u.trim().to_owned())
        .unwrap_or_default()
}

/// Reads one VEVENT.
pub(crate) fn read_event(c: &Component, ctx: &Ctx<'_>) -> Result<EventData, String> {
    if let Some(error) = all_errors(c).into_iter().next() {
        return Err(format!("the VEVENT is malformed: {error}"));
    }
    for (name, why) in [
        (
            "RDATE",
            "adds single dates to a series, which Exchange cannot express: \
             add them as separate events",
        ),
        (
            "EXRULE",
            "excludes dates by a rule, which Exchange cannot express: use EXDATE",
        ),
    ] {
        if c.prop(name).is_some() {
            return Err(format!("{name} {why}"));
        }
    }
    if c.props("RRULE").count() > 1 {
        return Err(
            "several RRULEs in one event cannot be expressed in Exchange: split the series".into(),
        );
    }
    let when = ctx.when(c)?;
    let recurrence_id = match c.prop("RECURRENCE-ID") {
        Some(rid) if rid.has_param("RANGE", "thisandfuture") => {
            return Err(
                "RECURRENCE-ID;RANGE=THISANDFUTURE changes all later occurrences, which \
                        Exchange cannot keep in one series: split the series instead"
                    .into(),
            );
        }
        Some(rid) => Some(ctx.time(rid)?),
        None => None,
    };
    let mut appointment = Appointment {
        subject: c.text("SUMMARY").unwrap_or_default(),
        location: c.text("LOCATION").unwrap_or_default(),
        body: body(c),
        show_as: show_as(c),
        sensitivity: sensitivity(c),
        importance: importance(c),
        categories: categories(c),
        reminder_minutes: reminder_minutes(c, &when)?,
        organizer: c.prop("ORGANIZER").map(person),
        attendees: Vec::new(),
        when,
        series: None,
    };
    appointment.attendees = c
        .props("ATTENDEE")
        .map(|line| attendee(line, appointment.organizer.as_ref()))
        .collect();
    let mut exdates = Vec::new();
    for line in c.props("EXDATE") {
        exdates.extend(ctx.times(line)?);
    }
    Ok(EventData {
        uid: uid_of(c),
        recurrence_id,
        cancelled: c
            .text("STATUS")
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("CANCELLED")),
        appointment,
        rrule: c.prop("RRULE").map(|p| p.value.clone()),
        exdates,
    })
}

/// DESCRIPTION, or the HTML of X-ALT-DESC;FMTTYPE=text/html when present (Outlook).
pub(crate) fn body(c: &Component) -> Body {
    let html = c
        .props("X-ALT-DESC")
        .find(|p| {
            p.param("FMTTYPE")
                .is_some_and(|f| f.eq_ignore_ascii_case("text/html"))
        })
        .map(|p| crate::text::unescape(&p.value));
    match (html, c.text("DESCRIPTION")) {
        (Some(html), _) => Body::html(html),
        (None, Some(text)) => Body::text(text),
        (None, None) => Body::default(),
    }
}

fn show_as(c: &Component) -> ShowAs {
    let status = c
        .text("X-MICROSOFT-CDO-BUSYSTATUS")
        .map(|s| s.trim().to_ascii_uppercase());
    match status.as_deref() {
        Some("FREE") => ShowAs::Free,
        Some("TENTATIVE") => ShowAs::Tentative,
        Some("OOF") => ShowAs::OutOfOffice,
        Some("WORKINGELSEWHERE") => ShowAs::WorkingElsewhere,
        Some("BUSY") => ShowAs::Busy,
        _ => match c.text("TRANSP") {
            Some(t) if t.trim().eq_ignore_ascii_case("TRANSPARENT") => ShowAs::Free,
            _ => ShowAs::Busy,
        },
    }
}

fn sensitivity(c: &Component) -> Sensitivity {
    match c
        .text("CLASS")
        .map(|s| s.trim().to_ascii_uppercase())
        .as_deref()
    {
        None | Some("PUBLIC") => Sensitivity::Normal,
        Some("CONFIDENTIAL") => Sensitivity::Confidential,
        Some("X-PERSONAL") => Sensitivity::Personal,
        Some(_) => Sensitivity::Private,
    }
}

/// PRIORITY 1..4 high, 5 normal, 6..9 low (RFC 5545 §3.8.1.9); 0 or none: normal.
pub(crate) fn importance(c: &Component) -> Importance {
    if let Some(priority) = c.text("PRIORITY").and_then(|p| p.trim().parse::<u8>().ok()) {
        return match priority {
            1..=4 => Importance::High,
            6..=9 => Importance::Low,
            _ => Importance::Normal,
        };
    }
    match c
        .text("X-MICROSOFT-CDO-IMPORTANCE")
        .as_deref()
        .map(str::trim)
    {
        Some("0") => Importance::Low,
        Some("2") => Importance::High,
        _ => Importance::Normal,
    }
}

/// All CATEGORIES properties, in order, without blanks and case duplicates.
pub(crate) fn categories(c: &Component) -> Vec<String> {
    let mut all: Vec<String> = c
        .props("CATEGORIES")
        .flat_map(|p| text_list(&p.value))
        .collect();
    normalize_categories(&mut all);
    all
}

fn reminder_minutes(c: &Component, when: &When) -> Result<Option<u32>, String> {
    let Some(trigger) = first_trigger(c)? else {
        return Ok(None);
    };
    let (start, end) = match when {
        When::Timed { start, end } => (
            start.to_utc().map_err(|e| e.to_string())?.naive_utc(),
            end.to_utc().map_err(|e| e.to_string())?.naive_utc(),
        ),
        When::AllDay { start, end } => (
            start.and_time(chrono::NaiveTime::MIN),
            end.and_time(chrono::NaiveTime::MIN),
        ),
    };
    let fires = match trigger {
        Trigger::Relative { seconds, from_end } => {
            (if from_end { end } else { start }) + chrono::Duration::seconds(seconds)
        }
        Trigger::Absolute(at) => at,
    };
    let before = (start - fires).num_minutes();
    if before < 0 {
        return Err(format!(
            "the VALARM fires {} minutes after the start; Exchange reminds before the start \
             only: move the alarm before the start or remove it",
            -before
        ));
    }
    u32::try_from(before)
        .map(Some)
        .map_err(|_| "the VALARM fires too long before the start".to_owned())
}

fn person(line: &ContentLine) -> EmailAddress {
    let value = line.value.trim();
    let address = match value.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("mailto:") => &value[7..],
        _ => value,
    };
    EmailAddress::new(address.trim(), line.param("CN").unwrap_or("").trim())
}

fn attendee(line: &ContentLine, organizer: Option<&EmailAddress>) -> Attendee {
    let email = person(line);
    let role = if line.has_param("CUTYPE", "resource") || line.has_param("CUTYPE", "room") {
        AttendeeRole::Resource
    } else if line.has_param("ROLE", "opt-participant") || line.has_param("ROLE", "non-participant")
    {
        AttendeeRole::Optional
    } else {
        AttendeeRole::Required
    };
    let is_organizer = organizer.is_some_and(|o| o.address.eq_ignore_ascii_case(&email.address));
    let partstat = line.param("PARTSTAT").map(str::to_ascii_uppercase);
    let response = match partstat.as_deref() {
        _ if is_organizer => AttendeeResponse::Organizer,
        Some("ACCEPTED") => AttendeeResponse::Accepted,
        Some("TENTATIVE") => AttendeeResponse::Tentative,
        Some("DECLINED") => AttendeeResponse::Declined,
        _ => AttendeeResponse::None,
    };
    Attendee {
        email,
        role,
        response,
    }
}
