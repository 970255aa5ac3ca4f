//! UpdateItem: `SetItemField`/`DeleteItemField` on calendar items, series masters and single
//! occurrences (which become exceptions), with `ConflictResolution` against the `ChangeKey`
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/updateitem-operation).
//!
//! Invariants: a stale change key fails with `ErrorIrresolvableConflict` and changes nothing
//! unless `ConflictResolution` is `AlwaysOverwrite` (`AutoResolve` is treated like
//! `NeverOverwrite`: the emulator does not merge property by property); an occurrence records
//! only what differs from its series, and writing it is a write to the master. Tasks and
//! contacts take the same field updates on their `t:Task` / `t:Contact` properties; all of an
//! item's changes are one write (one change sequence number).

use chrono::{NaiveDateTime, Utc};
use exsync_model::{Appointment, OccurrenceOverride, When};

use super::Ctx;
use super::calendar_item::target_view;
use super::draft::Draft;
use super::error::{EwsError, ItemError};
use super::folder_item;
use super::ids::{self, Target};
use super::messages;
use super::xml::{Element, Writer};
use super::{contact_item, task_item};
use crate::store::folders::{Item, Kind};

/// Runs the operation; returns the response messages.
pub fn run(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    let overwrite = match op.attr("ConflictResolution") {
        Some("AlwaysOverwrite") => true,
        Some("NeverOverwrite" | "AutoResolve") => false,
        _ => {
            return Err(EwsError::schema(
                "the attribute 'ConflictResolution' is missing or not valid",
            ));
        }
    };
    let changes: Vec<&Element> = op
        .child("ItemChanges")
        .map(|c| c.all("ItemChange").collect())
        .unwrap_or_default();
    if changes.is_empty() {
        return Err(EwsError::schema(
            "the element 'ItemChanges' is missing or empty",
        ));
    }
    let mut w = Writer::new();
    for change in changes {
        let (Some(reference), Some(updates)) = (change.children.first(), change.child("Updates"))
        else {
            return Err(EwsError::schema("ItemChange needs an item id and Updates"));
        };
        let done = match folder_item::lookup(ctx, reference) {
            Some((kind, folder, item)) => {
                let key = reference.attr("ChangeKey");
                update_in_store(ctx, kind, &folder, &item, key, updates, overwrite)
            }
            None => update(ctx, reference, updates, overwrite)
                .map(|(id, key)| ("t:CalendarItem", id, key)),
        };
        messages::write(
            &mut w,
            "UpdateItemResponseMessage",
            done,
            |w, (tag, id, key)| {
                w.open("m:Items", &[]).open(tag, &[]);
                w.empty("t:ItemId", &[("Id", &id), ("ChangeKey", &key)]);
                w.close(tag).close("m:Items");
                w.open("m:ConflictResults", &[])
                    .text("t:Count", "0")
                    .close("m:ConflictResults");
            },
        );
    }
    Ok(w.finish())
}

fn update(
    ctx: &mut Ctx<'_>,
    reference: &Element,
    updates: &Element,
    overwrite: bool,
) -> Result<(String, String), ItemError> {
    let reference = ids::resolve(ctx.data, reference)?;
    let view = target_view(ctx.data, &reference.target)?;
    let master = view.event.clone();
    if reference
        .change_key
        .as_ref()
        .is_some_and(|k| *k != master.change_key)
        && !overwrite
    {
        return Err(ItemError::conflict());
    }
    let mut draft = Draft::from_stored(&master, &view.appointment);
    let result_id = view.id.clone();
    for u in &updates.children {
        match u.name.as_str() {
            "SetItemField" | "AppendToItemField" => {
                let item = u.child("CalendarItem").ok_or_else(|| {
                    ItemError::new(
                        "ErrorInvalidOperation",
                        "Only calendar item fields can be set.",
                    )
                })?;
                for field in &item.children {
                    draft.apply(field)?;
                }
            }
            "DeleteItemField" => {
                let uri = u
                    .child("FieldURI")
                    .and_then(|f| f.attr("FieldURI"))
                    .unwrap_or_default();
                draft.delete(uri)?;
            }
            _ => return Err(ItemError::new("ErrorInvalidOperation", "Unknown update.")),
        }
    }
    let reshaped = draft.reshaped();
    let (changed, start_zone, end_zone) = draft.build()?;
    let now = Utc::now();
    let stored = match &reference.target {
        Target::Item(id) => {
            let mut appointment = changed;
            if let (Some(new), Some(old)) = (&mut appointment.series, &master.appointment.series)
                && !reshaped
            {
                new.modified = old.modified.clone();
                new.cancelled = old.cancelled.clone();
            }
            ctx.data.update(id, appointment, start_zone, end_zone, now)
        }
        Target::Occurrence(master_id, key) => {
            let mut appointment = master.appointment.clone();
            let series = appointment
                .series
                .as_mut()
                .ok_or_else(ItemError::not_found)?;
            let scheduled =
                exsync_model::occurrence_time(&master.appointment.when, &series.recurrence, *key)
                    .map_err(|_| ItemError::not_found())?;
            let mut plain = master.appointment.clone();
            plain.series = None;
            let diff = difference(&plain, &scheduled, &changed);
            set_override(&mut appointment, *key, diff);
            ctx.data.update(
                master_id,
                appointment,
                master.start_zone.clone(),
                master.end_zone.clone(),
                now,
            )
        }
    };
    let stored = stored.ok_or_else(ItemError::not_found)?;
    Ok((result_id, stored.change_key))
}

fn update_in_store(
    ctx: &mut Ctx<'_>,
    kind: Kind,
    folder: &str,
    item: &Item,
    change_key: Option<&str>,
    updates: &Element,
    overwrite: bool,
) -> Result<(&'static str, String, String), ItemError> {
    if change_key.is_some_and(|k| k != item.change_key) && !overwrite {
        return Err(ItemError::conflict());
    }
    let element = match kind {
        Kind::TodoLists => "Task",
        Kind::ContactFolders => "Contact",
    };
    let mut fields = item.fields.clone();
    for u in &updates.children {
        match u.name.as_str() {
            "SetItemField" | "AppendToItemField" => {
                let values = u.child(element).ok_or_else(|| {
                    ItemError::new(
                        "ErrorInvalidOperation",
                        format!("Only {element} fields can be set on this item."),
                    )
                })?;
                for field in &values.children {
                    match kind {
                        Kind::TodoLists => task_item::apply(&mut fields, field)?,
                        Kind::ContactFolders => contact_item::apply(&mut fields, field)?,
                    }
                }
            }
            "DeleteItemField" => {
                let (uri, index) = folder_item::field_path(u).unwrap_or_default();
                match kind {
                    Kind::TodoLists => task_item::delete(&mut fields, &uri),
                    Kind::ContactFolders => {
                        contact_item::delete(&mut fields, &uri, index.as_deref())
                    }
                }
            }
            _ => return Err(ItemError::new("ErrorInvalidOperation", "Unknown update.")),
        }
    }
    let stored = ctx
        .data
        .folder_set(kind)
        .replace(folder, &item.id, fields, Utc::now())
        .ok_or_else(ItemError::not_found)?;
    Ok((folder_item::element(kind), stored.id, stored.change_key))
}

fn set_override(appointment: &mut Appointment, key: NaiveDateTime, diff: OccurrenceOverride) {
    if let Some(series) = appointment.series.as_mut() {
        if diff.is_empty() {
            series.modified.remove(&key);
        } else {
            series.modified.insert(key, diff);
        }
    }
}

fn difference(series: &Appointment, scheduled: &When, changed: &Appointment) -> OccurrenceOverride {
    fn differs<T: PartialEq + Clone>(series: &T, changed: &T) -> Option<T> {
        (series != changed).then(|| changed.clone())
    }
    OccurrenceOverride {
        when: differs(scheduled, &changed.when),
        subject: differs(&series.subject, &changed.subject),
        location: differs(&series.location, &changed.location),
        body: differs(&series.body, &changed.body),
        show_as: differs(&series.show_as, &changed.show_as),
        sensitivity: differs(&series.sensitivity, &changed.sensitivity),
        importance: differs(&series.importance, &changed.importance),
        categories: differs(&series.categories, &changed.categories),
        reminder_minutes: differs(&series.reminder_minutes, &changed.reminder_minutes),
    }
}
