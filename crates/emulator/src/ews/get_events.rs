//! GetEvents: the events of a pull subscription since a watermark
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/getevents-operation).
//!
//! Invariants: events are those of items (calendar items, tasks, contacts) in the watched
//! folders and of the event types asked for, in change order, at most
//! [`MAX_EVENTS_PER_ANSWER`] per answer with `MoreEvents` telling whether more wait; with no
//! event a `StatusEvent` carries the current watermark; `PreviousWatermark` is the watermark
//! the client sent. A successful call restarts the subscription's timeout. A subscription whose
//! timeout passed is gone: like an unknown, unsubscribed or dropped (server restart) id it
//! answers `ErrorSubscriptionNotFound` ("Handling notification-related errors in EWS": "The
//! subscription might have expired, the EWS process might have been restarted"); with the
//! knob `expired_answers_once` it answers `ErrorExpiredSubscription` once while it is removed
//! (Microsoft's ResponseCode reference), then not found.

use super::Ctx;
use super::error::{EwsError, ItemError};
use super::folder_view::FOLDER_CHANGE_KEY;
use super::messages;
use super::notifications::{self, Change};
use super::subscribe::not_found;
use super::xml::{Element, Writer};

/// Unverified: the number of events Exchange puts in one GetEvents answer is not documented
/// that we found; the emulator uses 50.
pub const MAX_EVENTS_PER_ANSWER: usize = 50;

struct Answer {
    id: String,
    previous: String,
    more: bool,
    changes: Vec<Change>,
    status_watermark: String,
}

/// Runs the operation; returns the response message.
pub fn run(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    let id = op
        .child_text("SubscriptionId")
        .filter(|i| !i.is_empty())
        .ok_or_else(|| EwsError::schema("the element 'SubscriptionId' is missing"))?
        .to_owned();
    let watermark = op
        .child_text("Watermark")
        .filter(|w| !w.is_empty())
        .ok_or_else(|| EwsError::schema("the element 'Watermark' is missing"))?
        .to_owned();
    let found = answer(ctx, id, watermark);
    let mut w = Writer::new();
    messages::write(&mut w, "GetEventsResponseMessage", found, |w, a| {
        w.open("m:Notification", &[]);
        w.text("t:SubscriptionId", &a.id);
        w.text("t:PreviousWatermark", &a.previous);
        w.text("t:MoreEvents", if a.more { "true" } else { "false" });
        if a.changes.is_empty() {
            w.open("t:StatusEvent", &[]);
            w.text("t:Watermark", &a.status_watermark);
            w.close("t:StatusEvent");
        }
        for c in &a.changes {
            let element = c.kind.element();
            w.open(element, &[]);
            w.text(
                "t:Watermark",
                &notifications::encode(&ctx.mailbox.id, c.seq),
            );
            w.text(
                "t:TimeStamp",
                &c.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            );
            match &c.change_key {
                Some(key) => w.empty("t:ItemId", &[("Id", &c.item_id), ("ChangeKey", key)]),
                None => w.empty("t:ItemId", &[("Id", &c.item_id)]),
            };
            w.empty(
                "t:ParentFolderId",
                &[("Id", &c.folder_id), ("ChangeKey", FOLDER_CHANGE_KEY)],
            );
            w.close(element);
        }
        w.close("m:Notification");
    });
    Ok(w.finish())
}

fn answer(ctx: &mut Ctx<'_>, id: String, previous: String) -> Result<Answer, ItemError> {
    let now = ctx.now;
    let sub = match ctx.ews.subscriptions.get(&id) {
        Some(sub) if sub.expired(now) => {
            ctx.ews.subscriptions.remove(&id);
            if !ctx.knobs.expired_answers_once {
                return Err(not_found());
            }
            // Unverified: the MessageText Exchange writes with this code.
            return Err(ItemError::new(
                "ErrorExpiredSubscription",
                "The subscription has expired.",
            ));
        }
        Some(sub) => sub.clone(),
        None => return Err(not_found()),
    };
    let current = ctx.data.change_seq();
    let since = notifications::decode(&ctx.mailbox.id, &previous, current)?;
    let mut changes: Vec<Change> = notifications::changes_since(ctx.mailbox, ctx.data, since, now)
        .into_iter()
        .filter(|c| sub.kinds.contains(&c.kind) && sub.watches(&c.folder_id))
        .collect();
    let more = changes.len() > MAX_EVENTS_PER_ANSWER;
    changes.truncate(MAX_EVENTS_PER_ANSWER);
    if let Some(kept) = ctx.ews.subscriptions.get_mut(&id) {
        kept.last_poll = now;
    }
    Ok(Answer {
        id,
        previous,
        more,
        changes,
        status_watermark: notifications::encode(&ctx.mailbox.id, current),
    })
}
