//! Collecting appointment changes from Graph: one `calendarView/delta` round over the sync
//! window, then the full items behind it — single events with the business-id property, and
//! every series touched (or linked) assembled from its master and its instances.
//!
//! Why every linked series is re-read each pass: Graph reports no delta entry when one
//! occurrence is deleted, so only comparing the instances finds cancelled occurrences.
//! Why linked items that vanished from the view are fetched: an item leaving the window also
//! shows as `@removed`; only a 404 on the item itself is a deletion.
//!
//! Invariant: outside the range the instances were read for, a linked series keeps the
//! modified and cancelled occurrences of its base (Exchange said nothing about them).

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use exsync_engine::SyncWindow;
use exsync_graph::client::{GraphClient, GraphError, GraphRequest};
use exsync_graph::delta::{DeltaRound, delta_round, escape_path, escape_query, user_path};
use exsync_graph::wire::BUSINESS_ID_PROPERTY;
use exsync_graph::wire::event::{EventType, GraphEvent};
use exsync_graph::wire::series::{assemble, complete_from_master, occurrence_key, range_key};
use exsync_model::{Appointment, BusinessId, ExchangeId, When};
use serde_json::Value;

use super::cursor::DeltaCursor;
use super::{GraphConnector, series_signal, side_error};
use crate::exchange::{Collected, ExchangeItem, LinkedItems, SideError, Unreadable};

/// The cursor name of appointments.
pub(crate) const EVENTS_CURSOR: &str = "graph.calendar_view.delta";

/// `$expand` that brings the business id property along.
pub(crate) fn expand_business_id() -> String {
    let filter = format!("singleValueExtendedProperties($filter=id eq '{BUSINESS_ID_PROPERTY}')");
    format!("$expand={}", escape_query(&filter))
}

/// What the delta round named.
#[derive(Default)]
struct Touched {
    singles: BTreeSet<String>,
    masters: BTreeSet<String>,
}

impl GraphConnector {
    pub(crate) async fn collect_events(
        &self,
        mailbox: &str,
        cursor: Option<&str>,
        window: &SyncWindow,
        linked: &LinkedItems<'_, Appointment>,
    ) -> Result<Collected<Appointment>, SideError> {
        let scope = format!(
            "{}/{}",
            window.from().to_rfc3339(),
            window.to().to_rfc3339()
        );
        let initial_url = format!(
            "{}/calendarView/delta?startDateTime={}&endDateTime={}",
            user_path(mailbox),
            escape_query(&window.from().to_rfc3339()),
            escape_query(&window.to().to_rfc3339()),
        );
        let stored = DeltaCursor::stored(cursor, &scope);
        let unconfirmed = stored
            .as_ref()
            .map(|c| c.unconfirmed.clone())
            .unwrap_or_default();
        let known_series = stored.as_ref().and_then(|c| c.series.clone());
        let series_keys = series_signal::read_for_pass(&self.client, mailbox).await?;
        let (round, initial) = self
            .events_round(mailbox, stored.map(|c| c.delta_link), &initial_url)
            .await?;
        let mut collected = Collected {
            present: Vec::new(),
            deleted: Vec::new(),
            rejected: Vec::new(),
            next_cursor: DeltaCursor {
                scope,
                delta_link: round.delta_link.clone(),
                unconfirmed: Vec::new(),
                series: series_keys.clone(),
            }
            .encode(),
            initial,
        };
        let mut touched = Touched::default();
        let mut instances_of: HashMap<String, Vec<GraphEvent>> = HashMap::new();
        // Series masters the round sent (Graph may): they complete bare occurrences.
        let mut masters_sent: HashMap<String, GraphEvent> = HashMap::new();
        let mut removed = HashSet::new();
        let mut seen = HashSet::new();
        for entry in &round.entries {
            let event = match GraphEvent::parse(entry) {
                Ok(event) => event,
                Err(error) => {
                    let id = entry["id"].as_str().unwrap_or("(no id)");
                    collected.rejected.push(unreadable(id, &error.to_string()));
                    continue;
                }
            };
            if event.is_removed() {
                removed.insert(event.id);
                continue;
            }
            match event.event_type {
                Some(EventType::SingleInstance) => {
                    let known = linked.contains_key(&ExchangeId::from(event.id.as_str()));
                    match known.then(|| complete_single(&event)).flatten() {
                        // A linked item needs no stamp: read it from the delta entry itself.
                        Some(item) => collected.present.push(item),
                        None => {
                            touched.singles.insert(event.id.clone());
                        }
                    }
                }
                Some(EventType::SeriesMaster) => {
                    touched.masters.insert(event.id.clone());
                    masters_sent.insert(event.id.clone(), event.clone());
                }
                Some(EventType::Occurrence | EventType::Exception) => {
                    if let Some(master) = &event.series_master_id {
                        touched.masters.insert(master.clone());
                        seen.insert(master.clone());
                        instances_of
                            .entry(master.clone())
                            .or_default()
                            .push(event.clone());
                    }
                }
                None => {}
            }
            seen.insert(event.id);
        }
        let unconfirmed: HashSet<&str> = unconfirmed.iter().map(String::as_str).collect();
        // A removed id that is no linked item may be an occurrence of a deleted series.
        let series_removed = removed
            .iter()
            .any(|id| !linked.contains_key(&ExchangeId::from(id.as_str())));
        for (id, item) in linked {
            let unseen = !seen.contains(id.as_str());
            if item.base.series.is_some() {
                if self.full_pass
                    || initial
                    || series_removed
                    || removed.contains(id.as_str())
                    || (unseen && unconfirmed.contains(id.as_str()))
                {
                    touched.masters.insert(id.as_str().to_owned());
                }
            } else if removed.contains(id.as_str())
                || (unseen && (initial || unconfirmed.contains(id.as_str())))
            {
                touched.singles.insert(id.as_str().to_owned());
            }
        }
        if !(self.full_pass || initial) {
            // Series whose master's change key moved (a cancelled occurrence makes no delta
            // entry, but it is a write to the master). One exsync wrote itself last pass is
            // dropped again below when the delta feed confirms it.
            touched.masters.extend(series_signal::moved_linked(
                known_series.as_ref(),
                series_keys.as_ref(),
                linked,
            ));
        }
        if !(self.full_pass || initial || series_removed) {
            // A series exsync wrote last pass is new to the delta feed, which therefore lists
            // all its instances: when they are exactly what the base says, nothing changed.
            touched.masters.retain(|master| {
                let base = linked
                    .get(&ExchangeId::from(master.as_str()))
                    .map(|l| l.base);
                let fresh = unconfirmed.contains(master.as_str());
                let instances = instances_of.get(master).map_or(&[][..], Vec::as_slice);
                let sent = masters_sent.get(master);
                !(fresh
                    && base.is_some_and(|b| {
                        confirmed_by_delta(b, (instances, sent), window, &self.all_day_zone)
                    }))
            });
        }
        self.read_singles(mailbox, &touched.singles, linked, &mut collected)
            .await?;
        self.read_series(mailbox, &touched.masters, window, linked, &mut collected)
            .await?;
        Ok(collected)
    }

    /// The delta round from the stored link, or from scratch when there is none or it expired.
    async fn events_round(
        &self,
        mailbox: &str,
        link: Option<String>,
        initial_url: &str,
    ) -> Result<(DeltaRound, bool), SideError> {
        const OPERATION: &str = "read calendar changes (calendarView/delta)";
        if let Some(link) = link {
            match delta_round(&self.client, mailbox, &link, OPERATION).await {
                Ok(round) => return Ok((round, false)),
                Err(error) if error.is_sync_state_lost() => {
                    tracing::info!(
                        mailbox,
                        "the calendar delta link expired; reading the window again"
                    );
                }
                Err(error) => return Err(side_error(&error)),
            }
        }
        delta_round(&self.client, mailbox, initial_url, OPERATION)
            .await
            .map(|round| (round, true))
            .map_err(|e| side_error(&e))
    }

    /// Reads single events in full; a linked one that is gone is a deletion.
    async fn read_singles(
        &self,
        mailbox: &str,
        ids: &BTreeSet<String>,
        linked: &LinkedItems<'_, Appointment>,
        collected: &mut Collected<Appointment>,
    ) -> Result<(), SideError> {
        let urls = ids.iter().map(|id| event_url(mailbox, id)).collect();
        let answers = self.get_many(mailbox, urls, "read an event").await;
        for (id, answer) in ids.iter().zip(answers) {
            match answer {
                Ok(response) => match read_event(&response.body) {
                    Ok(Some(item)) => collected.present.push(item),
                    Ok(None) => {}
                    Err(reason) => collected.rejected.push(unreadable(id, &reason)),
                },
                Err(error) => {
                    absent_or_failed(id, &error, linked, collected)?;
                }
            }
        }
        Ok(())
    }

    /// Reads each series: master, then its instances over the window (and back to its start).
    async fn read_series(
        &self,
        mailbox: &str,
        ids: &BTreeSet<String>,
        window: &SyncWindow,
        linked: &LinkedItems<'_, Appointment>,
        collected: &mut Collected<Appointment>,
    ) -> Result<(), SideError> {
        let urls = ids.iter().map(|id| event_url(mailbox, id)).collect();
        let answers = self.get_many(mailbox, urls, "read a series").await;
        let mut masters = Vec::new();
        for (id, answer) in ids.iter().zip(answers) {
            match answer {
                Ok(response) => match GraphEvent::parse(&response.body) {
                    Ok(master) if master.event_type == Some(EventType::SeriesMaster) => {
                        masters.push(master)
                    }
                    Ok(_) => collected
                        .rejected
                        .push(unreadable(id, "expected a series master")),
                    Err(error) => collected.rejected.push(unreadable(id, &error.to_string())),
                },
                Err(error) => absent_or_failed(id, &error, linked, collected)?,
            }
        }
        let mut ranges = Vec::with_capacity(masters.len());
        let mut requests = Vec::with_capacity(masters.len());
        for master in &masters {
            let start = master
                .to_appointment()
                .ok()
                .and_then(|a| first_start(&a.when))
                .unwrap_or(window.from())
                .min(window.from());
            let end = window.to();
            ranges.push((start, end));
            let url = format!(
                "{}/events/{}/instances?startDateTime={}&endDateTime={}",
                user_path(mailbox),
                escape_path(&master.id),
                escape_query(&start.to_rfc3339()),
                escape_query(&end.to_rfc3339()),
            );
            requests.push(
                GraphRequest::get(url, "read a series' occurrences")
                    .prefer("odata.maxpagesize=500"),
            );
        }
        let answers = self.client.batch(mailbox, &requests).await;
        for ((master, (start, end)), answer) in masters.iter().zip(ranges).zip(answers) {
            let instances = match answer {
                Ok(first) => follow_pages(&self.client, mailbox, first.body).await,
                Err(error) => Err(error),
            };
            let instances = match instances {
                Ok(instances) => instances,
                Err(error) if error.is_mailbox_wide() => return Err(side_error(&error)),
                Err(error) => {
                    collected
                        .rejected
                        .push(unreadable(&master.id, &error.to_string()));
                    continue;
                }
            };
            let parsed: Result<Vec<GraphEvent>, _> =
                instances.iter().map(GraphEvent::parse).collect();
            let assembled = parsed.map_err(|e| e.to_string()).and_then(|instances| {
                assemble(master, &instances, start, end).map_err(|e| e.to_string())
            });
            match assembled {
                Ok(mut appointment) => {
                    if let Some(link) = linked.get(&ExchangeId::from(master.id.as_str())) {
                        keep_outside(&mut appointment, link.base, start, end, &master.id);
                    }
                    collected.present.push(exchange_item(master, appointment));
                }
                Err(reason) => collected.rejected.push(unreadable(&master.id, &reason)),
            }
        }
        Ok(())
    }
}

/// True when `instances` (every instance of a series the delta round listed) are exactly the
/// occurrences `base` has in `window`, each as `base` says it should be. Bare instances (no
/// `originalStart`, as delta sends them) are completed from the series master the round sent;
/// without it, or for a bare exception, nothing is confirmed (the series is read).
fn confirmed_by_delta(
    base: &Appointment,
    (instances, master): (&[GraphEvent], Option<&GraphEvent>),
    window: &SyncWindow,
    all_day_zone: &exsync_model::TimeZoneName,
) -> bool {
    let Some(series) = &base.series else {
        return false;
    };
    let completed: Option<Vec<GraphEvent>> = instances
        .iter()
        .map(|i| match (i.original_start, master) {
            (Some(_), _) => Some(i.clone()),
            (None, Some(master)) => complete_from_master(i, master),
            (None, None) => None,
        })
        .collect();
    let Some(instances) = completed else {
        return false;
    };
    let Ok(expected) = exsync_model::occurrences(&base.when, series, window.from(), window.to())
    else {
        return false;
    };
    let expected: BTreeSet<chrono::NaiveDateTime> =
        expected.into_iter().map(|o| o.original_start).collect();
    let mut listed = BTreeSet::new();
    for instance in &instances {
        let Some(original) = instance.original_start else {
            return false;
        };
        match occurrence_key(&base.when, &series.recurrence, original, &instance.id) {
            Ok(key) => listed.insert(key),
            Err(_) => return false,
        };
    }
    listed == expected
        && exsync_graph::wire::series::occurrence_writes(base, &instances, all_day_zone)
            .is_ok_and(|writes| writes.is_empty())
}

/// A single event read from a delta entry that carries its properties (Graph may send
/// partial entries; those are fetched in full instead).
fn complete_single(event: &GraphEvent) -> Option<ExchangeItem<Appointment>> {
    let raw = event.raw();
    let complete = [
        "subject",
        "start",
        "end",
        "isAllDay",
        "body",
        "showAs",
        "originalStartTimeZone",
        "originalEndTimeZone",
    ]
    .iter()
    .all(|key| raw.get(key).is_some());
    if !complete {
        return None;
    }
    let appointment = event.to_appointment().ok()?;
    Some(exchange_item(event, appointment))
}

/// `GET /users/{mailbox}/events/{id}` with the business id property.
pub(crate) fn event_url(mailbox: &str, id: &str) -> String {
    format!(
        "{}/events/{}?{}",
        user_path(mailbox),
        escape_path(id),
        expand_business_id()
    )
}

/// A single event as the runtime sees it; `None` for what is not a single event.
fn read_event(body: &Value) -> Result<Option<ExchangeItem<Appointment>>, String> {
    let event = GraphEvent::parse(body).map_err(|e| e.to_string())?;
    if event.event_type != Some(EventType::SingleInstance) {
        return Ok(None);
    }
    let appointment = event.to_appointment().map_err(|e| e.to_string())?;
    Ok(Some(exchange_item(&event, appointment)))
}

fn exchange_item(event: &GraphEvent, item: Appointment) -> ExchangeItem<Appointment> {
    ExchangeItem {
        id: ExchangeId::from(event.id.as_str()),
        change_key: event.change_key.clone(),
        business_id: event.business_id.as_deref().map(BusinessId::from),
        item,
        modified: event.last_modified,
    }
}

/// A failed read: a 404 on a linked item is its deletion, on another item nothing; a
/// mailbox-wide failure ends the collection.
fn absent_or_failed(
    id: &str,
    error: &GraphError,
    linked: &LinkedItems<'_, Appointment>,
    collected: &mut Collected<Appointment>,
) -> Result<(), SideError> {
    if error.is_not_found() {
        let id = ExchangeId::from(id);
        if linked.contains_key(&id) {
            collected.deleted.push(id);
        }
        return Ok(());
    }
    if error.is_mailbox_wide() {
        return Err(side_error(error));
    }
    collected.rejected.push(unreadable(id, &error.to_string()));
    Ok(())
}

/// The instances of every page, following `@odata.nextLink`.
async fn follow_pages(
    client: &GraphClient,
    mailbox: &str,
    first: Value,
) -> Result<Vec<Value>, GraphError> {
    let mut page = first;
    let mut all = Vec::new();
    loop {
        if let Some(values) = page["value"].as_array() {
            all.extend(values.iter().cloned());
        }
        let Some(next) = page["@odata.nextLink"].as_str().map(str::to_owned) else {
            return Ok(all);
        };
        let request =
            GraphRequest::get(next, "read a series' occurrences").prefer("odata.maxpagesize=500");
        page = client.send(mailbox, &request).await?.body;
    }
}

fn first_start(when: &When) -> Option<DateTime<Utc>> {
    match when {
        When::Timed { start, .. } => start.to_utc().ok(),
        When::AllDay { start, .. } => Some(start.and_time(chrono::NaiveTime::MIN).and_utc()),
    }
}

/// Takes the base's modified and cancelled occurrences outside `[start, end)` into `read`.
fn keep_outside(
    read: &mut Appointment,
    base: &Appointment,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    id: &str,
) {
    let (Some(series), Some(base_series)) = (read.series.as_mut(), base.series.as_ref()) else {
        return;
    };
    let bounds = (
        range_key(&read.when, &series.recurrence, start, id),
        range_key(&read.when, &series.recurrence, end, id),
    );
    let (Ok(from), Ok(to)) = bounds else {
        return;
    };
    let outside = |key: &chrono::NaiveDateTime| *key < from || *key >= to;
    for (key, change) in &base_series.modified {
        if outside(key) {
            series
                .modified
                .entry(*key)
                .or_insert_with(|| change.clone());
        }
    }
    for key in &base_series.cancelled {
        if outside(key) {
            series.cancelled.insert(*key);
        }
    }
}

fn unreadable(id: &str, reason: &str) -> Unreadable {
    Unreadable {
        id: ExchangeId::from(id),
        reason: format!("{reason}; the item is left alone until it is changed in Outlook"),
    }
}
