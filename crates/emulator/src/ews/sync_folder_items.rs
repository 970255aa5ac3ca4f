//! SyncFolderItems on the calendar, a task folder or a contact folder: the changes since an
//! opaque `SyncState`, at most `MaxChangesReturned` (1..512) at a time, as
//! `Create`/`Update`/`Delete`
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/syncfolderitems-operation).
//!
//! Invariants: a sync state names the mailbox and a position in its change sequence; it is only
//! valid for that mailbox and never ahead of the sequence (else `ErrorInvalidSyncStateData`).
//! Each item appears at most once per answer, as of its latest change; the new state is the
//! position of the last change returned, so paging never skips or repeats a change.

use super::Ctx;
use super::calendar_item::{self, item_view};
use super::error::{EwsError, ItemError};
use super::folder_item::{self, Place};
use super::messages;
use super::shape::Shape;
use super::xml::{Element, Writer};
use crate::ids;
use crate::store::folders::Kind;

const STATE_MARK: &str = "exsync-ews-sync:";

fn encode(mailbox_id: &str, seq: u64) -> String {
    ids::base64url(format!("{STATE_MARK}{mailbox_id}:{seq}").as_bytes())
}

fn decode(mailbox_id: &str, state: &str, current: u64) -> Result<u64, ItemError> {
    let invalid = || {
        ItemError::new(
            "ErrorInvalidSyncStateData",
            "Synchronization state data is corrupt or otherwise invalid.",
        )
    };
    let text = ids::base64url_decode(state.trim())
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(invalid)?;
    let rest = text.strip_prefix(STATE_MARK).ok_or_else(invalid)?;
    let (mailbox, seq) = rest.rsplit_once(':').ok_or_else(invalid)?;
    let seq: u64 = seq.parse().map_err(|_| invalid())?;
    if mailbox != mailbox_id || seq > current {
        return Err(invalid());
    }
    Ok(seq)
}

enum Change {
    Create(String),
    Update(String),
    Delete(String),
}

/// Runs the operation; returns the response messages.
pub fn run(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    let shape = Shape::parse(op.child("ItemShape"))?;
    let folder = op
        .child("SyncFolderId")
        .and_then(|f| f.children.first())
        .ok_or_else(|| EwsError::schema("the element 'SyncFolderId' is missing"))?;
    let max: usize = op
        .child_text("MaxChangesReturned")
        .and_then(|m| m.parse().ok())
        .filter(|m| (1..=512).contains(m))
        .ok_or_else(|| EwsError::schema("MaxChangesReturned must be between 1 and 512"))?;
    let given = op.child_text("SyncState").filter(|s| !s.is_empty());
    let place = folder_item::resolve(ctx, folder);
    let store_folder = match &place {
        Ok(Place::Store(kind, id)) => Some((*kind, id.clone())),
        _ => None,
    };
    let found = place.and_then(|place| {
        let current = ctx.data.change_seq();
        let since = match given {
            Some(s) => decode(&ctx.mailbox.id, s, current)?,
            None => 0,
        };
        let changes = match place {
            Place::Calendar => calendar_changes(ctx, since),
            Place::Store(kind, id) => store_changes(ctx, kind, &id, since),
        };
        let mut changes = changes;
        changes.sort_by_key(|(seq, _)| *seq);
        let complete = changes.len() <= max;
        changes.truncate(max);
        let upto = match (complete, changes.last()) {
            (false, Some((seq, _))) => *seq,
            _ => current,
        };
        Ok((changes, complete, encode(&ctx.mailbox.id, upto)))
    });
    let mut w = Writer::new();
    messages::write(
        &mut w,
        "SyncFolderItemsResponseMessage",
        found,
        |w, (changes, complete, state)| {
            w.text("m:SyncState", &state);
            w.text(
                "m:IncludesLastItemInRange",
                if complete { "true" } else { "false" },
            );
            w.open("m:Changes", &[]);
            for (_, change) in &changes {
                match change {
                    Change::Create(id) | Change::Update(id) => {
                        let tag = if matches!(change, Change::Create(_)) {
                            "t:Create"
                        } else {
                            "t:Update"
                        };
                        if let Some((kind, folder)) = &store_folder {
                            let item = ctx.data.folders(*kind).iter().find(|f| f.id == *folder);
                            if let Some(item) = item.and_then(|f| f.items.get(id)) {
                                w.open(tag, &[]);
                                folder_item::write_item(w, ctx, *kind, folder, item, &shape);
                                w.close(tag);
                            }
                        } else if let Some(e) = ctx.data.event(id) {
                            w.open(tag, &[]);
                            calendar_item::write(w, &item_view(e), &shape, ctx.mailbox);
                            w.close(tag);
                        }
                    }
                    Change::Delete(id) => {
                        w.open("t:Delete", &[])
                            .empty("t:ItemId", &[("Id", id)])
                            .close("t:Delete");
                    }
                }
            }
            w.close("m:Changes");
        },
    );
    Ok(w.finish())
}

fn calendar_changes(ctx: &Ctx<'_>, since: u64) -> Vec<(u64, Change)> {
    let mut changes: Vec<(u64, Change)> = Vec::new();
    for e in ctx.data.events() {
        if e.change_seq > since {
            let change = if e.created_seq > since {
                Change::Create(e.id.clone())
            } else {
                Change::Update(e.id.clone())
            };
            changes.push((e.change_seq, change));
        }
    }
    for t in ctx.data.tombstones() {
        if t.change_seq > since {
            changes.push((t.change_seq, Change::Delete(t.id.clone())));
        }
    }
    changes
}

fn store_changes(ctx: &Ctx<'_>, kind: Kind, folder: &str, since: u64) -> Vec<(u64, Change)> {
    let Some(folder) = ctx.data.folders(kind).iter().find(|f| f.id == folder) else {
        return Vec::new();
    };
    let mut changes: Vec<(u64, Change)> = folder
        .items_in_order()
        .filter(|i| i.change_seq > since)
        .map(|i| {
            let change = if i.created_seq > since {
                Change::Create(i.id.clone())
            } else {
                Change::Update(i.id.clone())
            };
            (i.change_seq, change)
        })
        .collect();
    changes.extend(
        folder
            .removed
            .iter()
            .filter(|(_, seq)| *seq > since)
            .map(|(id, seq)| (*seq, Change::Delete(id.clone()))),
    );
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_states_belong_to_one_mailbox_and_never_run_ahead() {
        let state = encode("m1", 7);
        assert_eq!(decode("m1", &state, 7), Ok(7));
        assert!(decode("m1", &state, 6).is_err());
        assert!(decode("m2", &state, 9).is_err());
        assert!(decode("m1", "not a state", 9).is_err());
    }
}
