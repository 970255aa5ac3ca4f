//! The Graph probe: one GET of each stored delta link, asking for one entry per page, for
//! many mailboxes in shared `$batch`es (20 requests each). An empty last page means nothing
//! changed. For the calendar, when the last pass found series, one more GET lists the series
//! masters' change keys (`series_signal`): a cancelled occurrence makes no delta entry but
//! moves its master's key.
//!
//! Decisions:
//! - A probe writes nothing to the state store. Graph keeps only the newest few generations of
//!   a chain of delta links (older ones answer 410 `SyncStateNotFound`), and every delta link a
//!   quiet probe is handed is a new generation; so the probe remembers that fresh link, follows
//!   it next time, and hands it to the next pass of that mailbox and kind in place of the stored
//!   one ([`ProbeLinks::fresher_cursor`]) — the stored link may be generations old by then.
//! - An empty page with an `@odata.nextLink` says nothing yet (Graph sends such pages); the
//!   probe follows it, for all mailboxes together in shared `$batch`es, up to
//!   [`MAX_EMPTY_PAGES`] pages, then leaves the question to a pass.
//! - The delta links are remembered between probes ([`ProbeLinks`]) and taken when a pass
//!   collects that mailbox and kind (the pass may store a new cursor). The service never runs
//!   a probe and a pass of one mailbox at once, and another process syncs a mailbox only
//!   under its lease, after which this one starts with a full pass; a remembered link is used
//!   only while the stored cursor is still the one the probe started from.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use exsync_graph::client::{GraphError, GraphRequest, GraphResponse};
use exsync_model::{Contact, ItemKind, Task};
use exsync_store::StateStore;

use super::cursor::DeltaCursor;
use super::folder_items::FolderKind;
use super::series_signal::{self, SeriesKeys};
use super::{GraphConnector, events_collect, side_error};
use crate::exchange::SideError;
use crate::probe::MailboxConnector;

/// Empty pages with a next link a probe follows before it leaves the question to a pass.
const MAX_EMPTY_PAGES: usize = 4;

/// What a probe follows for one mailbox and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Probed {
    /// The delta link of the stored cursor the probe started from.
    stored: String,
    /// The newest delta link of a quiet answer (at first the stored one).
    current: String,
    /// Calendar: the series masters' change keys the last pass read (see `series_signal`).
    series: Option<Arc<SeriesKeys>>,
}

/// Delta links by mailbox and kind; `None`: no usable cursor.
type LinksByMailbox = HashMap<(String, ItemKind), Option<Probed>>;

/// The delta links probes follow.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProbeLinks(Arc<Mutex<LinksByMailbox>>);

impl ProbeLinks {
    /// Forgets `mailbox`'s `kind` (a pass is collecting it) and returns the cursor the pass
    /// should follow instead of `cursor`: the stored one with the probe's fresher delta link,
    /// when the probe moved on from exactly that stored link.
    pub(crate) fn fresher_cursor(
        &self,
        mailbox: &str,
        kind: ItemKind,
        cursor: Option<&str>,
    ) -> Option<String> {
        let probed = self.lock().remove(&(mailbox.to_owned(), kind)).flatten()?;
        let mut stored = serde_json::from_str::<DeltaCursor>(cursor?).ok()?;
        let usable = stored.delta_link == probed.stored
            && stored.unconfirmed.is_empty()
            && probed.current != probed.stored;
        usable.then(|| {
            stored.delta_link = probed.current;
            stored.encode()
        })
    }

    /// The series keys a probe of `mailbox`'s `kind` compares with, if any.
    fn series(&self, mailbox: &str, kind: ItemKind) -> Option<Arc<SeriesKeys>> {
        self.lock()
            .get(&(mailbox.to_owned(), kind))
            .cloned()
            .flatten()
            .and_then(|probed| probed.series)
            .filter(|keys| !keys.is_empty())
    }

    fn get(&self, mailbox: &str, kind: ItemKind) -> Option<Option<Probed>> {
        self.lock().get(&(mailbox.to_owned(), kind)).cloned()
    }

    fn remember(&self, mailbox: &str, kind: ItemKind, link: Option<Probed>) {
        self.lock().insert((mailbox.to_owned(), kind), link);
    }

    /// A quiet answer handed out `fresh`: the next probe (or pass) follows it.
    fn advance(&self, mailbox: &str, kind: ItemKind, fresh: String) {
        if let Some(Some(probed)) = self.lock().get_mut(&(mailbox.to_owned(), kind)) {
            probed.current = fresh;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LinksByMailbox> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl MailboxConnector for GraphConnector {
    async fn changed_kinds<'a>(
        &'a self,
        state: &'a StateStore,
        mailboxes: &'a [&'a str],
        kinds: &'a [ItemKind],
    ) -> Vec<Result<Vec<ItemKind>, SideError>> {
        let mut results: Vec<Result<Vec<ItemKind>, SideError>> =
            mailboxes.iter().map(|_| Ok(Vec::new())).collect();
        let mut asked: Vec<(usize, ItemKind)> = Vec::new();
        let mut requests: Vec<(&str, GraphRequest)> = Vec::new();
        let mut series_asked: Vec<(usize, Arc<SeriesKeys>)> = Vec::new();
        let mut series_requests: Vec<(&str, GraphRequest)> = Vec::new();
        for (index, mailbox) in mailboxes.iter().enumerate() {
            for &kind in kinds {
                match self.probe_link(state, mailbox, kind).await {
                    Err(error) => {
                        results[index] = Err(error);
                        break;
                    }
                    Ok(None) => push_changed(&mut results[index], kind),
                    Ok(Some(link)) => {
                        asked.push((index, kind));
                        requests.push((mailbox, probe_request(link)));
                        if let Some(keys) = self.probe_links.series(mailbox, kind) {
                            series_asked.push((index, keys));
                            series_requests
                                .push((mailbox, series_signal::masters_request(mailbox)));
                        }
                    }
                }
            }
        }
        let mut pending: Vec<(usize, ItemKind, &str)> = asked
            .into_iter()
            .zip(requests.iter().map(|(mailbox, _)| *mailbox))
            .map(|((index, kind), mailbox)| (index, kind, mailbox))
            .collect();
        // The series listings go out with the first round of delta probes.
        let delta_count = requests.len();
        requests.extend(series_requests);
        for _ in 0..=MAX_EMPTY_PAGES {
            let mut answers = match requests.as_slice() {
                [] => Vec::new(),
                [(mailbox, one)] => vec![self.client.send(mailbox, one).await],
                many => self.client.batch_across(many).await,
            };
            if !series_asked.is_empty() {
                let series_answers = answers.split_off(delta_count.min(answers.len()));
                for ((index, known), answer) in series_asked.drain(..).zip(series_answers) {
                    match series_signal::is_quiet(answer, &known) {
                        Ok(true) => {}
                        Ok(false) => push_changed(&mut results[index], ItemKind::Appointment),
                        Err(error) => {
                            if results[index].is_ok() {
                                results[index] = Err(side_error(&error));
                            }
                        }
                    }
                }
            }
            let mut follow = Vec::new();
            let mut next_requests = Vec::new();
            for ((index, kind, mailbox), answer) in pending.into_iter().zip(answers) {
                match read_probe(answer) {
                    Ok(Probe::Quiet(fresh)) => self.probe_links.advance(mailbox, kind, fresh),
                    Ok(Probe::Changed) => push_changed(&mut results[index], kind),
                    Ok(Probe::EmptyPage(next)) => {
                        follow.push((index, kind, mailbox));
                        next_requests.push((mailbox, probe_request(next)));
                    }
                    Err(error) => {
                        if results[index].is_ok() {
                            results[index] = Err(error);
                        }
                    }
                }
            }
            pending = follow;
            requests = next_requests;
            if pending.is_empty() {
                break;
            }
        }
        // Still only empty pages: a pass must look.
        for (index, kind, _) in pending {
            push_changed(&mut results[index], kind);
        }
        for result in results.iter_mut().flatten() {
            result.sort_by_key(|kind| kind_order(*kind));
            result.dedup();
        }
        results
    }

    fn for_full_pass(&self, full: bool) -> Self {
        self.clone().full_pass(full)
    }

    fn throttled(&self) -> u64 {
        self.client.counts().throttled
    }

    fn probe_requests(&self, kinds: &[ItemKind]) -> usize {
        // The calendar may add the listing of its series masters' change keys.
        kinds.len() + usize::from(kinds.contains(&ItemKind::Appointment))
    }
}

impl GraphConnector {
    /// The delta link a probe of `mailbox`'s `kind` follows: remembered, or read from the
    /// stored cursor; `None` when there is no usable one (no cursor, or written items left
    /// to confirm: only a pass can tell).
    async fn probe_link(
        &self,
        state: &StateStore,
        mailbox: &str,
        kind: ItemKind,
    ) -> Result<Option<String>, SideError> {
        if let Some(known) = self.probe_links.get(mailbox, kind) {
            return Ok(known.map(|probed| probed.current));
        }
        let stored = state
            .cursor(mailbox, cursor_name(kind))
            .await
            .map_err(|e| SideError {
                message: format!("reading the sync state: {e}"),
                mailbox_wide: true,
            })?;
        let cursor = stored
            .and_then(|c| serde_json::from_str::<DeltaCursor>(&c.value).ok())
            .filter(|c| c.unconfirmed.is_empty() && !c.delta_link.is_empty());
        let link = cursor.as_ref().map(|c| c.delta_link.clone());
        let probed = cursor.map(|c| Probed {
            stored: c.delta_link.clone(),
            current: c.delta_link,
            series: c.series.map(Arc::new),
        });
        self.probe_links.remember(mailbox, kind, probed);
        Ok(link)
    }
}

fn probe_request(link: String) -> GraphRequest {
    GraphRequest::get(link, "probe for changes").prefer("odata.maxpagesize=1")
}

/// What one probe answer says.
enum Probe {
    /// Nothing changed; the fresh delta link.
    Quiet(String),
    /// Something changed (or the sync state is lost): a pass must look.
    Changed,
    /// An empty page with a next link: follow it.
    EmptyPage(String),
}

fn push_changed(result: &mut Result<Vec<ItemKind>, SideError>, kind: ItemKind) {
    if let Ok(kinds) = result {
        kinds.push(kind);
    }
}

/// What the answer says: no entries and a final delta link is quiet; an empty page with a
/// next link says nothing yet; entries, a non-empty page or a lost sync state mean a pass must
/// look; mailbox-wide errors are errors.
fn read_probe(answer: Result<GraphResponse, GraphError>) -> Result<Probe, SideError> {
    let page = match answer {
        Ok(response) => response.body,
        Err(error) if error.is_sync_state_lost() || error.is_not_found() => {
            return Ok(Probe::Changed);
        }
        Err(error) => return Err(side_error(&error)),
    };
    let empty = page["value"].as_array().is_none_or(|v| v.is_empty());
    if !empty {
        return Ok(Probe::Changed);
    }
    if let Some(fresh) = page["@odata.deltaLink"].as_str() {
        return Ok(Probe::Quiet(fresh.to_owned()));
    }
    match page["@odata.nextLink"].as_str() {
        Some(next) => Ok(Probe::EmptyPage(next.to_owned())),
        None => Ok(Probe::Changed),
    }
}

fn cursor_name(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Appointment => events_collect::EVENTS_CURSOR,
        ItemKind::Task => <Task as FolderKind>::CURSOR,
        ItemKind::Contact => <Contact as FolderKind>::CURSOR,
    }
}

fn kind_order(kind: ItemKind) -> u8 {
    match kind {
        ItemKind::Appointment => 0,
        ItemKind::Task => 1,
        ItemKind::Contact => 2,
    }
}
