//! The Graph probe: one GET of each stored delta link, asking for one entry per page, for
//! many mailboxes in shared `$batch`es (20 requests each). An empty last page means nothing
//! changed. For the calendar, when the last pass found series, one more GET lists the series
//! masters' change keys (`series_signal`): a cancelled occurrence makes no delta entry but
//! moves its master's key.
//!
//! Decisions:
//! - A probe writes nothing, not even the fresh delta link of a quiet answer. Storing it would
//!   cost a state-store write per mailbox and kind every poll interval; the stored link stays
//!   valid and is renewed by every pass, at least by the full pass every few minutes, so it
//!   never comes near Graph's expiry of sync states.
//! - The delta links are remembered between probes ([`ProbeLinks`]) and forgotten when a pass
//!   collects that mailbox and kind (the pass may store a new cursor). The service never runs
//!   a probe and a pass of one mailbox at once, and another process syncs a mailbox only
//!   under its lease, after which this one starts with a full pass; so a remembered link is
//!   always the stored one.

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

/// What a probe of one mailbox and kind follows, from its stored cursor.
#[derive(Debug, Clone, Default)]
struct ProbeCursor {
    /// The delta link; `None`: no usable cursor.
    link: Option<String>,
    /// Calendar: the series masters' change keys the last pass read (`None`: not read, or
    /// no series; then only the delta link is probed).
    series: Option<Arc<SeriesKeys>>,
}

/// Probe cursors by mailbox and kind.
type LinksByMailbox = HashMap<(String, ItemKind), ProbeCursor>;

/// The delta links probes follow.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProbeLinks(Arc<Mutex<LinksByMailbox>>);

impl ProbeLinks {
    /// Forgets `mailbox`'s `kind` (a pass is collecting it).
    pub(crate) fn forget(&self, mailbox: &str, kind: ItemKind) {
        self.lock().remove(&(mailbox.to_owned(), kind));
    }

    fn get(&self, mailbox: &str, kind: ItemKind) -> Option<ProbeCursor> {
        self.lock().get(&(mailbox.to_owned(), kind)).cloned()
    }

    fn remember(&self, mailbox: &str, kind: ItemKind, cursor: ProbeCursor) {
        self.lock().insert((mailbox.to_owned(), kind), cursor);
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
        // Per request: the mailbox's index, the kind, and for a series listing the known keys.
        let mut asked: Vec<(usize, ItemKind, Option<Arc<SeriesKeys>>)> = Vec::new();
        let mut requests: Vec<(&str, GraphRequest)> = Vec::new();
        for (index, mailbox) in mailboxes.iter().enumerate() {
            for &kind in kinds {
                match self.probe_link(state, mailbox, kind).await {
                    Err(error) => {
                        results[index] = Err(error);
                        break;
                    }
                    Ok(ProbeCursor { link: None, .. }) => push_changed(&mut results[index], kind),
                    Ok(ProbeCursor {
                        link: Some(link),
                        series,
                    }) => {
                        asked.push((index, kind, None));
                        requests.push((
                            mailbox,
                            GraphRequest::get(link, "probe for changes")
                                .prefer("odata.maxpagesize=1"),
                        ));
                        if let Some(keys) = series.filter(|keys| !keys.is_empty()) {
                            asked.push((index, kind, Some(keys)));
                            requests.push((mailbox, series_signal::masters_request(mailbox)));
                        }
                    }
                }
            }
        }
        let answers = match requests.as_slice() {
            [] => Vec::new(),
            [(mailbox, one)] => vec![self.client.send(mailbox, one).await],
            many => self.client.batch_across(many).await,
        };
        for ((index, kind, series), answer) in asked.into_iter().zip(answers) {
            let quiet = match series {
                None => is_quiet(answer),
                Some(known) => series_signal::is_quiet(answer, &known).map_err(|e| side_error(&e)),
            };
            match quiet {
                Ok(true) => {}
                Ok(false) => push_changed(&mut results[index], kind),
                Err(error) => {
                    if results[index].is_ok() {
                        results[index] = Err(error);
                    }
                }
            }
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
    /// What a probe of `mailbox`'s `kind` follows: remembered, or read from the stored
    /// cursor; no link when there is no usable one (no cursor, or written items left to
    /// confirm: only a pass can tell).
    async fn probe_link(
        &self,
        state: &StateStore,
        mailbox: &str,
        kind: ItemKind,
    ) -> Result<ProbeCursor, SideError> {
        if let Some(known) = self.probe_links.get(mailbox, kind) {
            return Ok(known);
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
            .filter(|c| c.unconfirmed.is_empty() && !c.delta_link.is_empty())
            .map(|c| ProbeCursor {
                link: Some(c.delta_link),
                series: c.series.map(Arc::new),
            })
            .unwrap_or_default();
        self.probe_links.remember(mailbox, kind, cursor.clone());
        Ok(cursor)
    }
}

fn push_changed(result: &mut Result<Vec<ItemKind>, SideError>, kind: ItemKind) {
    if let Ok(kinds) = result {
        kinds.push(kind);
    }
}

/// Whether the answer says nothing changed: no entries and a final delta link. Entries, more
/// pages or a lost sync state mean a pass must look; mailbox-wide errors are errors.
fn is_quiet(answer: Result<GraphResponse, GraphError>) -> Result<bool, SideError> {
    let page = match answer {
        Ok(response) => response.body,
        Err(error) if error.is_sync_state_lost() || error.is_not_found() => return Ok(false),
        Err(error) => return Err(side_error(&error)),
    };
    let empty = page["value"].as_array().is_none_or(|v| v.is_empty());
    Ok(empty && page["@odata.deltaLink"].is_string())
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
