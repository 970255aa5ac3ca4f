//! CreateItem for calendar items (`SendMeetingInvitations` required, `SendToNone` meant: the
//! emulator sends no mail either way), tasks and contacts
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/createitem-operation).
//! Without `SavedItemFolderId` an item goes to the default folder of its type (calendar, Tasks,
//! Contacts), as the CreateItem (task) example on Microsoft Learn relies on.
//!
//! Invariant: each created item is one write to the store (next change sequence number), so it
//! is visible at once through Graph and through SyncFolderItems; a task or contact is only ever
//! created in a task or contact folder respectively.

use chrono::Utc;
use exsync_model::EmailAddress;

use serde_json::Map;

use super::Ctx;
use super::draft::Draft;
use super::error::{EwsError, ItemError};
use super::folder_item::{self, Place};
use super::messages;
use super::xml::{Element, Writer};
use super::{contact_item, task_item};
use crate::store::folders::Kind;
use crate::store::{Created, NewEvent};

/// Runs the operation; returns the response messages.
pub fn run(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    let items = op
        .child("Items")
        .map(|c| c.children.as_slice())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| EwsError::schema("the element 'Items' is missing or empty"))?;
    let invitations = op.attr("SendMeetingInvitations");
    if invitations
        .is_some_and(|v| !matches!(v, "SendToNone" | "SendOnlyToAll" | "SendToAllAndSaveCopy"))
    {
        return Err(EwsError::schema(
            "SendMeetingInvitations has an invalid value",
        ));
    }
    let folder = op
        .child("SavedItemFolderId")
        .and_then(|f| f.children.first());
    let mut w = Writer::new();
    for item in items {
        let created = create(ctx, item, folder, invitations.is_some());
        messages::write(
            &mut w,
            "CreateItemResponseMessage",
            created,
            |w, (tag, id, key)| {
                w.open("m:Items", &[]).open(tag, &[]);
                w.empty("t:ItemId", &[("Id", &id), ("ChangeKey", &key)]);
                w.close(tag).close("m:Items");
            },
        );
    }
    Ok(w.finish())
}

type CreatedItem = (&'static str, String, String);

fn create(
    ctx: &mut Ctx<'_>,
    item: &Element,
    folder: Option<&Element>,
    invitations: bool,
) -> Result<CreatedItem, ItemError> {
    let kind = match item.name.as_str() {
        "CalendarItem" => None,
        "Task" => Some(Kind::TodoLists),
        "Contact" => Some(Kind::ContactFolders),
        _ => {
            return Err(ItemError::new(
                "ErrorInvalidOperation",
                "The emulator creates calendar items, tasks and contacts only.",
            ));
        }
    };
    let place = match (folder, kind) {
        (Some(f), _) => folder_item::resolve(ctx, f)?,
        (None, None) => Place::Calendar,
        (None, Some(kind)) => folder_item::default_place(ctx, kind)?,
    };
    match (kind, place) {
        (None, Place::Calendar) => create_calendar_item(ctx, item, invitations),
        (Some(kind), Place::Store(folder_kind, folder)) if kind == folder_kind => {
            create_in_store(ctx, kind, &folder, item)
        }
        _ => Err(ItemError::new(
            "ErrorInvalidOperation",
            "The emulator keeps calendar items in the calendar, tasks in task folders and \
             contacts in contact folders.",
        )),
    }
}

fn create_in_store(
    ctx: &mut Ctx<'_>,
    kind: Kind,
    folder: &str,
    item: &Element,
) -> Result<CreatedItem, ItemError> {
    let mut fields = Map::new();
    for field in &item.children {
        match kind {
            Kind::TodoLists => task_item::apply(&mut fields, field)?,
            Kind::ContactFolders => contact_item::apply(&mut fields, field)?,
        }
    }
    if kind == Kind::ContactFolders {
        crate::store::folders::derive_display_name(&mut fields);
    }
    let created = ctx
        .data
        .folder_set(kind)
        .create(folder, fields, Utc::now())
        .ok_or_else(ItemError::folder_not_found)?;
    Ok((folder_item::element(kind), created.id, created.change_key))
}

fn create_calendar_item(
    ctx: &mut Ctx<'_>,
    item: &Element,
    invitations: bool,
) -> Result<CreatedItem, ItemError> {
    if !invitations {
        return Err(ItemError::new(
            "ErrorSendMeetingInvitationsRequired",
            "SendMeetingInvitations attribute is required for calendar items.",
        ));
    }
    let mut draft = Draft::new();
    for field in &item.children {
        draft.apply(field)?;
    }
    let (mut appointment, start_zone, end_zone) = draft.build()?;
    if appointment.organizer.is_none() {
        let me = &ctx.mailbox;
        appointment.organizer = Some(EmailAddress::new(&me.mail, &me.display_name));
    }
    let new = NewEvent {
        appointment,
        start_zone,
        end_zone,
        transaction: None,
    };
    match ctx.data.create(new, Utc::now()) {
        Created::New(e) | Created::Repeated(e) => Ok(("t:CalendarItem", e.id, e.change_key)),
        Created::Conflict => Err(ItemError::new("ErrorInvalidOperation", "Conflict.")),
    }
}
