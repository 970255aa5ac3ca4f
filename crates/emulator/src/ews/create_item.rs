//! CreateItem for calendar items (`SendMeetingInvitations` required, `SendToNone` meant: the
//! emulator sends no mail either way)
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/createitem-operation).
//!
//! Invariant: each created item is one write to the store (next change sequence number), so it
//! is visible at once through Graph and through SyncFolderItems.

use chrono::Utc;
use exsync_model::EmailAddress;

use super::Ctx;
use super::draft::Draft;
use super::error::{EwsError, ItemError};
use super::folders;
use super::messages;
use super::xml::{Element, Writer};
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
        .and_then(|f| f.children.first())
        .map(|f| folders::calendar(ctx.mailbox, f))
        .transpose();
    let mut w = Writer::new();
    for item in items {
        let created = folder
            .clone()
            .and_then(|_| create(ctx, item, invitations.is_some()));
        messages::write(
            &mut w,
            "CreateItemResponseMessage",
            created,
            |w, (id, key)| {
                w.open("m:Items", &[]).open("t:CalendarItem", &[]);
                w.empty("t:ItemId", &[("Id", &id), ("ChangeKey", &key)]);
                w.close("t:CalendarItem").close("m:Items");
            },
        );
    }
    Ok(w.finish())
}

fn create(
    ctx: &mut Ctx<'_>,
    item: &Element,
    invitations: bool,
) -> Result<(String, String), ItemError> {
    if item.name != "CalendarItem" {
        return Err(ItemError::new(
            "ErrorInvalidOperation",
            "The emulator creates calendar items only.",
        ));
    }
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
        Created::New(e) | Created::Repeated(e) => Ok((e.id, e.change_key)),
        Created::Conflict => Err(ItemError::new("ErrorInvalidOperation", "Conflict.")),
    }
}
