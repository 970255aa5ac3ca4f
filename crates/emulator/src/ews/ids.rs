//! EWS identifiers: folder ids, item references (`ItemId`, `OccurrenceItemId`,
//! `RecurringMasterItemId`) and how they resolve to the store's items and occurrences.
//!
//! Invariant: item ids are the store's own ids, and an occurrence's id has the same form Graph
//! gives it (`{masterId}_O{yyyymmddThhmmss}`, original start in the series' zone), so an id
//! read through one protocol works in the other.

use chrono::{DateTime, NaiveDateTime, NaiveTime, Utc};
use exsync_model::{Appointment, Series, TimeZoneName, When, ZonedDateTime};

use super::error::ItemError;
use super::xml::Element;
use crate::ids;
use crate::store::{MailboxData, StoredEvent};

const OCCURRENCE_MARK: &str = "_O";
const KEY_FORMAT: &str = "%Y%m%dT%H%M%S";
const FOLDER_MARK: &str = "exsync-folder:";

/// The id of the occurrence of `master_id` with original start `key`.
pub fn occurrence_id(master_id: &str, key: NaiveDateTime) -> String {
    format!("{master_id}{OCCURRENCE_MARK}{}", key.format(KEY_FORMAT))
}

fn split_occurrence_id(id: &str) -> Option<(&str, NaiveDateTime)> {
    let (master, key) = id.rsplit_once(OCCURRENCE_MARK)?;
    Some((master, NaiveDateTime::parse_from_str(key, KEY_FORMAT).ok()?))
}

/// The id of a folder of a mailbox (`calendar`, `root`, `msgfolderroot`).
pub fn folder_id(mailbox_id: &str, name: &str) -> String {
    ids::base64url(format!("{FOLDER_MARK}{mailbox_id}:{name}").as_bytes())
}

/// The folder name of a folder id of this mailbox.
pub fn folder_name(mailbox_id: &str, id: &str) -> Option<String> {
    let text = String::from_utf8(ids::base64url_decode(id)?).ok()?;
    let rest = text.strip_prefix(FOLDER_MARK)?;
    let (mailbox, name) = rest.rsplit_once(':')?;
    (mailbox == mailbox_id).then(|| name.to_owned())
}

/// The zone a series' pattern is evaluated in.
pub fn series_zone(appointment: &Appointment, series: &Series) -> TimeZoneName {
    match (&series.recurrence.time_zone, &appointment.when) {
        (Some(zone), _) => zone.clone(),
        (None, When::Timed { start, .. }) => start.zone.clone(),
        (None, When::AllDay { .. }) => TimeZoneName::utc(),
    }
}

/// The instant of an occurrence's original start.
pub fn original_instant(
    master: &StoredEvent,
    series: &Series,
    key: NaiveDateTime,
) -> DateTime<Utc> {
    let zone = series_zone(&master.appointment, series);
    ZonedDateTime::new(key, zone)
        .to_utc()
        .unwrap_or_else(|_| key.and_utc())
}

/// What an item reference in a request names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A single item or a series master.
    Item(String),
    /// One occurrence of a series (by master id and original start).
    Occurrence(String, NaiveDateTime),
}

/// A reference read from the request with the change key it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// What it names.
    pub target: Target,
    /// The `ChangeKey` attribute, if any.
    pub change_key: Option<String>,
}

/// Reads an `ItemId`, `OccurrenceItemId` or `RecurringMasterItemId` element and resolves it
/// against the mailbox.
pub fn resolve(data: &MailboxData, el: &Element) -> Result<Reference, ItemError> {
    let change_key = el.attr("ChangeKey").map(str::to_owned);
    let target = match el.name.as_str() {
        "ItemId" => {
            let id = el.attr("Id").ok_or_else(ItemError::malformed_id)?;
            item_target(data, id)?
        }
        "OccurrenceItemId" => {
            let master = el
                .attr("RecurringMasterId")
                .ok_or_else(ItemError::malformed_id)?;
            let index: usize = el
                .attr("InstanceIndex")
                .and_then(|i| i.parse().ok())
                .filter(|i| *i >= 1)
                .ok_or_else(ItemError::malformed_id)?;
            let Target::Item(master_id) = item_target(data, master)? else {
                return Err(ItemError::not_found());
            };
            let key = instance_key(data, &master_id, index)?;
            live_occurrence(data, &master_id, key)?;
            Target::Occurrence(master_id, key)
        }
        "RecurringMasterItemId" => {
            let id = el
                .attr("OccurrenceId")
                .ok_or_else(ItemError::malformed_id)?;
            match item_target(data, id)? {
                Target::Occurrence(master, _) => Target::Item(master),
                Target::Item(id) if series_of(data, &id).is_some() => Target::Item(id),
                Target::Item(_) => return Err(ItemError::not_found()),
            }
        }
        other => {
            return Err(ItemError::new(
                "ErrorInvalidIdMalformed",
                format!("{other} is not an item id."),
            ));
        }
    };
    Ok(Reference { target, change_key })
}

fn series_of<'a>(data: &'a MailboxData, id: &str) -> Option<&'a Series> {
    data.event(id)?.appointment.series.as_ref()
}

fn item_target(data: &MailboxData, id: &str) -> Result<Target, ItemError> {
    if let Some((master, key)) = split_occurrence_id(id) {
        live_occurrence(data, master, key)?;
        return Ok(Target::Occurrence(master.to_owned(), key));
    }
    if !ids::is_well_formed_item_id(id) {
        return Err(ItemError::malformed_id());
    }
    data.event(id).ok_or_else(ItemError::not_found)?;
    Ok(Target::Item(id.to_owned()))
}

fn live_occurrence(data: &MailboxData, master: &str, key: NaiveDateTime) -> Result<(), ItemError> {
    let event = data.event(master).ok_or_else(ItemError::not_found)?;
    let series = event
        .appointment
        .series
        .as_ref()
        .ok_or_else(ItemError::not_found)?;
    let live = !series.cancelled.contains(&key)
        && exsync_model::is_occurrence(&event.appointment.when, &series.recurrence, key)
            .unwrap_or(false);
    if live {
        Ok(())
    } else {
        Err(ItemError::not_found())
    }
}

/// The original start of the `index`-th (1-based) occurrence of a series, counting cancelled
/// ones as Exchange does.
fn instance_key(
    data: &MailboxData,
    master: &str,
    index: usize,
) -> Result<NaiveDateTime, ItemError> {
    let event = data.event(master).ok_or_else(ItemError::not_found)?;
    let series = event
        .appointment
        .series
        .as_ref()
        .ok_or_else(ItemError::not_found)?;
    let zone = series_zone(&event.appointment, series);
    let (date, time) = match &event.appointment.when {
        When::AllDay { start, .. } => (*start, NaiveTime::MIN),
        When::Timed { start, .. } => {
            let local = start.in_zone(&zone).map(|z| z.local).unwrap_or(start.local);
            (local.date(), local.time())
        }
    };
    let not_found = || {
        ItemError::new(
            "ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange",
            "The occurrence index is out of the recurrence range.",
        )
    };
    let mut dates = exsync_model::expand::recurrence_dates(date, &series.recurrence)
        .map_err(|_| not_found())?;
    let day = dates.nth(index - 1).ok_or_else(not_found)?;
    Ok(day.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_ids_name_their_mailbox_and_occurrence_ids_round_trip() {
        let id = folder_id("m1", "calendar");
        assert_eq!(folder_name("m1", &id).as_deref(), Some("calendar"));
        assert_eq!(folder_name("m2", &id), None);
        assert_eq!(folder_name("m1", "garbage"), None);
        let key = NaiveDateTime::parse_from_str("20260406T100000", KEY_FORMAT).expect("key");
        let occ = occurrence_id("AAMkabc", key);
        assert_eq!(split_occurrence_id(&occ), Some(("AAMkabc", key)));
    }
}
