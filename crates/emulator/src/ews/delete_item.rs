//! DeleteItem: single items and series (with all their occurrences) are removed, leaving a
//! tombstone for SyncFolderItems and Graph; one occurrence (`OccurrenceItemId` or an
//! occurrence's `ItemId`) is cancelled in its series
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/deleteitem-operation).
//! Tasks and contacts are removed from their folder (tombstone there); a task needs
//! `AffectedTaskOccurrences` ("required when tasks are deleted", DeleteItemType on Microsoft
//! Learn), a calendar item `SendMeetingCancellations`, a contact neither.
//!
//! Invariant: cancelling an occurrence is a write to its master (new change key), and drops
//! whatever that occurrence had changed.

use chrono::Utc;

use super::Ctx;
use super::error::{EwsError, ItemError};
use super::folder_item;
use super::ids::{self, Target};
use super::messages;
use super::xml::{Element, Writer};
use crate::store::folders::Kind;

/// Runs the operation; returns the response messages.
pub fn run(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    if !matches!(
        op.attr("DeleteType"),
        Some("HardDelete" | "SoftDelete" | "MoveToDeletedItems")
    ) {
        return Err(EwsError::schema(
            "the attribute 'DeleteType' is missing or not valid",
        ));
    }
    let cancellations = op.attr("SendMeetingCancellations");
    if cancellations
        .is_some_and(|v| !matches!(v, "SendToNone" | "SendOnlyToAll" | "SendToAllAndSaveCopy"))
    {
        return Err(EwsError::schema(
            "SendMeetingCancellations has an invalid value",
        ));
    }
    let refs = op
        .child("ItemIds")
        .map(|c| c.children.as_slice())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| EwsError::schema("the element 'ItemIds' is missing or empty"))?;
    let task_occurrences = op.attr("AffectedTaskOccurrences");
    if task_occurrences.is_some_and(|v| !matches!(v, "AllOccurrences" | "SpecifiedOccurrenceOnly"))
    {
        return Err(EwsError::schema(
            "AffectedTaskOccurrences has an invalid value",
        ));
    }
    let mut w = Writer::new();
    for el in refs {
        if let Some((kind, folder, item)) = folder_item::lookup(ctx, el) {
            let done = if kind == Kind::TodoLists && task_occurrences.is_none() {
                Err(ItemError::new(
                    "ErrorAffectedTaskOccurrencesRequired",
                    "AffectedTaskOccurrences attribute is required for task items.",
                ))
            } else if ctx.data.folder_set(kind).delete(&folder, &item.id) {
                Ok(())
            } else {
                Err(ItemError::not_found())
            };
            messages::write(&mut w, "DeleteItemResponseMessage", done, |_, ()| {});
            continue;
        }
        let done = if cancellations.is_none() {
            Err(ItemError::new(
                "ErrorSendMeetingCancellationsRequired",
                "SendMeetingCancellations attribute is required for calendar items.",
            ))
        } else {
            delete(ctx, el)
        };
        messages::write(&mut w, "DeleteItemResponseMessage", done, |_, ()| {});
    }
    Ok(w.finish())
}

fn delete(ctx: &mut Ctx<'_>, el: &Element) -> Result<(), ItemError> {
    match ids::resolve(ctx.data, el)?.target {
        Target::Item(id) => ctx
            .data
            .delete(&id)
            .map(|_| ())
            .ok_or_else(ItemError::not_found),
        Target::Occurrence(master_id, key) => {
            let master = ctx
                .data
                .event(&master_id)
                .ok_or_else(ItemError::not_found)?
                .clone();
            let mut appointment = master.appointment.clone();
            let series = appointment
                .series
                .as_mut()
                .ok_or_else(ItemError::not_found)?;
            series.modified.remove(&key);
            series.cancelled.insert(key);
            ctx.data
                .update(
                    &master_id,
                    appointment,
                    master.start_zone,
                    master.end_zone,
                    Utc::now(),
                )
                .map(|_| ())
                .ok_or_else(ItemError::not_found)
        }
    }
}
