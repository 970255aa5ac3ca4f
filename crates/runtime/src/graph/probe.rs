//! The Graph probe: one GET of each stored delta link (all kinds of a mailbox in one `$batch`),
//! asking for one entry per page. An empty last page means nothing changed.
//!
//! Decision: a probe writes nothing, not even the fresh delta link of a quiet answer. Storing
//! it would cost a state-store write per mailbox and kind every poll interval; the stored link
//! stays valid and is renewed by every pass, at least by the full pass every few minutes, so
//! it never comes near Graph's expiry of sync states.

use exsync_graph::client::{GraphError, GraphRequest, GraphResponse};
use exsync_model::{Contact, ItemKind, Task};
use exsync_store::StateStore;

use super::cursor::DeltaCursor;
use super::folder_items::FolderKind;
use super::{GraphConnector, events_collect, side_error};
use crate::exchange::SideError;
use crate::probe::MailboxConnector;

impl MailboxConnector for GraphConnector {
    async fn changed_kinds<'a>(
        &'a self,
        state: &'a StateStore,
        mailbox: &'a str,
        kinds: &'a [ItemKind],
    ) -> Result<Vec<ItemKind>, SideError> {
        let mut changed = Vec::new();
        let mut asked: Vec<(ItemKind, DeltaCursor)> = Vec::new();
        for &kind in kinds {
            let text = state
                .cursor(mailbox, cursor_name(kind))
                .await
                .map_err(|e| SideError {
                    message: format!("reading the sync state: {e}"),
                    mailbox_wide: true,
                })?;
            match text.and_then(|c| serde_json::from_str::<DeltaCursor>(&c.value).ok()) {
                Some(cursor) if cursor.unconfirmed.is_empty() && !cursor.delta_link.is_empty() => {
                    asked.push((kind, cursor));
                }
                _ => changed.push(kind),
            }
        }
        let requests: Vec<GraphRequest> = asked
            .iter()
            .map(|(_, cursor)| {
                GraphRequest::get(cursor.delta_link.clone(), "probe for changes")
                    .prefer("odata.maxpagesize=1")
            })
            .collect();
        let answers = match requests.as_slice() {
            [] => Vec::new(),
            [one] => vec![self.client.send(mailbox, one).await],
            many => self.client.batch(mailbox, many).await,
        };
        for ((kind, _), answer) in asked.into_iter().zip(answers) {
            if !is_quiet(answer)? {
                changed.push(kind);
            }
        }
        changed.sort_by_key(|kind| kind_order(*kind));
        Ok(changed)
    }

    fn for_full_pass(&self, full: bool) -> Self {
        self.clone().full_pass(full)
    }

    fn throttled(&self) -> u64 {
        self.client.counts().throttled
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
