//! The Graph probe: one GET of each stored delta link (all kinds of a mailbox in one `$batch`),
//! asking for one entry per page. An empty last page means nothing changed; its new delta
//! link is stored so that idle cursors never age out.
//!
//! Invariant: see `crate::probe` — a cursor is only advanced on an answer that is empty and
//! final, and only when it has no written items left to confirm.

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
        for ((kind, cursor), answer) in asked.into_iter().zip(answers) {
            match quiet_link(answer)? {
                Some(link) => {
                    if link != cursor.delta_link {
                        let renewed = DeltaCursor {
                            delta_link: link,
                            ..cursor
                        };
                        state
                            .set_cursor(mailbox, cursor_name(kind), &renewed.encode())
                            .await
                            .map_err(|e| SideError {
                                message: format!("writing the sync state: {e}"),
                                mailbox_wide: true,
                            })?;
                    }
                }
                None => changed.push(kind),
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

/// The new delta link when the answer says nothing changed; `None` when it has entries, more
/// pages, or the sync state is gone (a pass must look). Mailbox-wide errors are errors.
fn quiet_link(answer: Result<GraphResponse, GraphError>) -> Result<Option<String>, SideError> {
    let page = match answer {
        Ok(response) => response.body,
        Err(error) if error.is_sync_state_lost() || error.is_not_found() => return Ok(None),
        Err(error) => return Err(side_error(&error)),
    };
    let empty = page["value"].as_array().is_none_or(|v| v.is_empty());
    let link = page["@odata.deltaLink"].as_str();
    Ok(match (empty, link) {
        (true, Some(link)) => Some(link.to_owned()),
        _ => None,
    })
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
