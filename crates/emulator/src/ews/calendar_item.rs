//! Writing a calendar item (`t:CalendarItem`) in the order `types.xsd` prescribes: a single
//! item, a series master (with `Recurrence`, `ModifiedOccurrences`, `DeletedOccurrences`), or
//! one occurrence or exception of a series
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/calendaritem).
//!
//! Invariant: times are written as UTC instants (`…Z`); an all-day item starts at midnight of
//! its start zone, so its UTC instant may fall on the previous day, as Exchange writes it.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use exsync_model::{
    Appointment, BodyFormat, Occurrence, OccurrenceOverride, TimeZoneName, When, ZonedDateTime,
};

use super::draft::{IMPORTANCE, SENSITIVITY, SHOW_AS};
use super::ids::{folder_id, occurrence_id, original_instant, series_zone};
use super::shape::Shape;
use super::xml::Writer;
use crate::org::Mailbox;
use crate::store::StoredEvent;

/// What kind of calendar item a view is (`CalendarItemType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A single item.
    Single,
    /// A series master.
    RecurringMaster,
    /// An unchanged occurrence.
    Occurrence,
    /// A changed occurrence.
    Exception,
}

/// One item as a client sees it.
#[derive(Debug, Clone)]
pub struct View<'a> {
    /// The stored item (the master for occurrences).
    pub event: &'a StoredEvent,
    /// Its id.
    pub id: String,
    /// The content (with an occurrence's changes applied).
    pub appointment: Appointment,
    /// Kind.
    pub kind: Kind,
    /// Original start of an occurrence.
    pub original_start: Option<DateTime<Utc>>,
}

/// The view of a stored item.
pub fn item_view(event: &StoredEvent) -> View<'_> {
    let kind = if event.appointment.series.is_some() {
        Kind::RecurringMaster
    } else {
        Kind::Single
    };
    View {
        event,
        id: event.id.clone(),
        appointment: event.appointment.clone(),
        kind,
        original_start: None,
    }
}

/// The view of one occurrence of a series.
pub fn occurrence_view<'a>(master: &'a StoredEvent, occurrence: &Occurrence) -> View<'a> {
    let mut appointment = master.appointment.clone();
    let series = appointment.series.take();
    let changed = occurrence.changes.as_ref().filter(|c| !c.is_empty());
    if let Some(c) = changed {
        apply_override(&mut appointment, c);
    }
    appointment.when = occurrence.when.clone();
    View {
        event: master,
        id: occurrence_id(&master.id, occurrence.original_start),
        appointment,
        kind: if changed.is_some() {
            Kind::Exception
        } else {
            Kind::Occurrence
        },
        original_start: series
            .as_ref()
            .map(|s| original_instant(master, s, occurrence.original_start)),
    }
}

/// Applies what an occurrence changes to the series' content.
pub fn apply_override(view: &mut Appointment, c: &OccurrenceOverride) {
    if let Some(v) = &c.subject {
        view.subject.clone_from(v);
    }
    if let Some(v) = &c.location {
        view.location.clone_from(v);
    }
    if let Some(v) = &c.body {
        view.body = v.clone();
    }
    if let Some(v) = c.show_as {
        view.show_as = v;
    }
    if let Some(v) = c.sensitivity {
        view.sensitivity = v;
    }
    if let Some(v) = c.importance {
        view.importance = v;
    }
    if let Some(v) = &c.categories {
        view.categories.clone_from(v);
    }
    if let Some(v) = c.reminder_minutes {
        view.reminder_minutes = v;
    }
}

/// `xs:dateTime` in UTC.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn day_start(day: NaiveDate, zone: &TimeZoneName) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::MIN);
    ZonedDateTime::new(local, zone.clone())
        .to_utc()
        .unwrap_or_else(|_| local.and_utc())
}

/// Start and end instants of an item.
pub fn instants(when: &When, event: &StoredEvent) -> (DateTime<Utc>, DateTime<Utc>) {
    match when {
        When::Timed { start, end } => {
            let s = start.to_utc().unwrap_or_else(|_| start.local.and_utc());
            let e = end.to_utc().unwrap_or_else(|_| end.local.and_utc());
            (s, e)
        }
        When::AllDay { start, end } => (
            day_start(*start, &event.start_zone),
            day_start(*end, &event.end_zone),
        ),
    }
}

fn name<T: PartialEq + Copy>(table: &[(&'static str, T)], value: T) -> &'static str {
    table
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(n, _)| *n)
        .unwrap_or_default()
}

fn flag(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

fn zone_element(w: &mut Writer, element: &str, zone: &TimeZoneName) {
    let id = zone.windows_name().unwrap_or("UTC");
    w.empty(element, &[("Id", id)]);
}

/// Writes `t:CalendarItem` with the properties of `shape`.
pub fn write(w: &mut Writer, view: &View<'_>, shape: &Shape, mailbox: &Mailbox) {
    let a = &view.appointment;
    let e = view.event;
    let has = |uri: &str| shape.has(uri);
    w.open("t:CalendarItem", &[]);
    w.empty(
        "t:ItemId",
        &[("Id", &view.id), ("ChangeKey", &e.change_key)],
    );
    if has("item:ParentFolderId") {
        let folder = folder_id(&mailbox.id, "calendar");
        w.empty(
            "t:ParentFolderId",
            &[("Id", &folder), ("ChangeKey", "AgAAAA==")],
        );
    }
    if has("item:ItemClass") {
        w.text("t:ItemClass", "IPM.Appointment");
    }
    if has("item:Subject") {
        w.text("t:Subject", &a.subject);
    }
    if has("item:Sensitivity") {
        w.text("t:Sensitivity", name(SENSITIVITY, a.sensitivity));
    }
    if has("item:Body") {
        let kind = match a.body.format {
            BodyFormat::Html => "HTML",
            BodyFormat::Text => "Text",
        };
        w.text_with("t:Body", &[("BodyType", kind)], &a.body.content);
    }
    if has("item:Categories") {
        w.open("t:Categories", &[]);
        for c in &a.categories {
            w.text("t:String", c);
        }
        w.close("t:Categories");
    }
    if has("item:Importance") {
        w.text("t:Importance", name(IMPORTANCE, a.importance));
    }
    if has("item:DateTimeCreated") {
        w.text("t:DateTimeCreated", &stamp(e.created));
    }
    if has("item:ReminderIsSet") {
        w.text("t:ReminderIsSet", flag(a.reminder_minutes.is_some()));
    }
    if has("item:ReminderMinutesBeforeStart") {
        let minutes = a.reminder_minutes.unwrap_or(15).to_string();
        w.text("t:ReminderMinutesBeforeStart", &minutes);
    }
    if has("item:HasAttachments") {
        w.text("t:HasAttachments", "false");
    }
    if has("item:LastModifiedTime") {
        w.text("t:LastModifiedTime", &stamp(e.last_modified));
    }
    if has("calendar:UID") {
        w.text("t:UID", &e.ical_uid);
    }
    if let (true, Some(original)) = (has("calendar:RecurrenceId"), view.original_start) {
        w.text("t:RecurrenceId", &stamp(original));
    }
    if has("calendar:DateTimeStamp") {
        w.text("t:DateTimeStamp", &stamp(e.last_modified));
    }
    let (start, end) = instants(&a.when, e);
    if has("calendar:Start") {
        w.text("t:Start", &stamp(start));
    }
    if has("calendar:End") {
        w.text("t:End", &stamp(end));
    }
    if let (true, Some(original)) = (has("calendar:OriginalStart"), view.original_start) {
        w.text("t:OriginalStart", &stamp(original));
    }
    if has("calendar:IsAllDayEvent") {
        w.text("t:IsAllDayEvent", flag(a.when.is_all_day()));
    }
    if has("calendar:LegacyFreeBusyStatus") {
        w.text("t:LegacyFreeBusyStatus", name(SHOW_AS, a.show_as));
    }
    if has("calendar:Location") {
        w.text("t:Location", &a.location);
    }
    if has("calendar:IsMeeting") {
        w.text("t:IsMeeting", flag(!a.attendees.is_empty()));
    }
    if has("calendar:IsCancelled") {
        w.text("t:IsCancelled", "false");
    }
    if has("calendar:IsRecurring") {
        let recurring = matches!(view.kind, Kind::Occurrence | Kind::Exception);
        w.text("t:IsRecurring", flag(recurring));
    }
    if has("calendar:CalendarItemType") {
        let kind = match view.kind {
            Kind::Single => "Single",
            Kind::RecurringMaster => "RecurringMaster",
            Kind::Occurrence => "Occurrence",
            Kind::Exception => "Exception",
        };
        w.text("t:CalendarItemType", kind);
    }
    if has("calendar:MyResponseType") {
        w.text("t:MyResponseType", "Organizer");
    }
    if has("calendar:Organizer") {
        let (address, display) = match &a.organizer {
            Some(o) => (o.address.as_str(), o.name.as_str()),
            None => (mailbox.mail.as_str(), mailbox.display_name.as_str()),
        };
        w.open("t:Organizer", &[]).open("t:Mailbox", &[]);
        w.text("t:Name", display);
        w.text("t:EmailAddress", address);
        w.text("t:RoutingType", "SMTP");
        w.close("t:Mailbox").close("t:Organizer");
    }
    if let Some(series) = e
        .appointment
        .series
        .as_ref()
        .filter(|_| view.kind == Kind::RecurringMaster)
    {
        write_series(w, e, series, shape);
    }
    if has("calendar:StartTimeZone") {
        zone_element(w, "t:StartTimeZone", &e.start_zone);
    }
    if has("calendar:EndTimeZone") {
        zone_element(w, "t:EndTimeZone", &e.end_zone);
    }
    w.close("t:CalendarItem");
}

fn write_series(w: &mut Writer, e: &StoredEvent, series: &exsync_model::Series, shape: &Shape) {
    if shape.has("calendar:Recurrence") {
        let zone = series_zone(&e.appointment, series);
        let start_date = match &e.appointment.when {
            When::AllDay { start, .. } => *start,
            When::Timed { start, .. } => start
                .in_zone(&zone)
                .map(|z| z.local.date())
                .unwrap_or(start.local.date()),
        };
        super::recurrence::write(w, &series.recurrence, start_date);
    }
    let moved: Vec<_> = series
        .modified
        .iter()
        .filter(|(k, c)| !c.is_empty() && !series.cancelled.contains(k))
        .collect();
    if shape.has("calendar:ModifiedOccurrences") && !moved.is_empty() {
        w.open("t:ModifiedOccurrences", &[]);
        for (key, changes) in moved {
            let original = original_instant(e, series, *key);
            let when = match &changes.when {
                Some(when) => when.clone(),
                None => {
                    exsync_model::occurrence_time(&e.appointment.when, &series.recurrence, *key)
                        .unwrap_or_else(|_| e.appointment.when.clone())
                }
            };
            let (s, end) = instants(&when, e);
            w.open("t:Occurrence", &[]);
            w.empty(
                "t:ItemId",
                &[
                    ("Id", &occurrence_id(&e.id, *key)),
                    ("ChangeKey", &e.change_key),
                ],
            );
            w.text("t:Start", &stamp(s));
            w.text("t:End", &stamp(end));
            w.text("t:OriginalStart", &stamp(original));
            w.close("t:Occurrence");
        }
        w.close("t:ModifiedOccurrences");
    }
    if shape.has("calendar:DeletedOccurrences") && !series.cancelled.is_empty() {
        w.open("t:DeletedOccurrences", &[]);
        for key in &series.cancelled {
            w.open("t:DeletedOccurrence", &[]);
            w.text("t:Start", &stamp(original_instant(e, series, *key)));
            w.close("t:DeletedOccurrence");
        }
        w.close("t:DeletedOccurrences");
    }
}

/// The view of what a reference names.
pub fn target_view<'a>(
    data: &'a crate::store::MailboxData,
    target: &super::ids::Target,
) -> Result<View<'a>, super::error::ItemError> {
    use super::error::ItemError;
    use super::ids::Target;
    match target {
        Target::Item(id) => data
            .event(id)
            .map(item_view)
            .ok_or_else(ItemError::not_found),
        Target::Occurrence(master_id, key) => {
            let master = data.event(master_id).ok_or_else(ItemError::not_found)?;
            let series = master
                .appointment
                .series
                .as_ref()
                .ok_or_else(ItemError::not_found)?;
            let changes = series.modified.get(key).cloned();
            let when = match changes.as_ref().and_then(|c| c.when.clone()) {
                Some(when) => when,
                None => exsync_model::occurrence_time(
                    &master.appointment.when,
                    &series.recurrence,
                    *key,
                )
                .map_err(|_| ItemError::not_found())?,
            };
            let occurrence = Occurrence {
                original_start: *key,
                when,
                changes,
            };
            Ok(occurrence_view(master, &occurrence))
        }
    }
}
