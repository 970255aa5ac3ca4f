//! Subscribe (pull subscriptions only) and Unsubscribe
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/subscribe-operation,
//! https://learn.microsoft.com/exchange/client-developer/web-service-reference/unsubscribe-operation).
//!
//! Invariants: a subscription is kept in the mailbox it was made in and is found only there;
//! its `Timeout` is 1..1440 minutes (the schema's `SubscriptionTimeoutType`, so anything else
//! is `ErrorSchemaValidation`); a given `Watermark` must be one this mailbox issued
//! (`ErrorInvalidWatermark`); Unsubscribe of an unknown, removed or expired id is
//! `ErrorSubscriptionNotFound`; a mailbox holds at most `EWSMaxSubscriptions` (20 in Exchange
//! Online, "Handling notification-related errors in EWS") live subscriptions, the next one is
//! refused with `ErrorExceededSubscriptionCount` ("EWS throttling in Exchange", table 3) or,
//! by a knob, `ErrorServerBusy`.

use std::collections::BTreeSet;

use chrono::Duration;

use super::Ctx;
use super::error::{EwsError, ItemError};
use super::folders;
use super::messages;
use super::notifications::{self, EventKind, Subscription};
use super::xml::{Element, Writer};
use crate::ids;

/// `ErrorSubscriptionNotFound` with the wording of Microsoft's Unsubscribe example.
pub fn not_found() -> ItemError {
    ItemError::new(
        "ErrorSubscriptionNotFound",
        "The specified subscription was not found.",
    )
}

/// The answer to a subscription past `EWSMaxSubscriptions`, unless the mailbox has room (its
/// expired subscriptions are let go first, unless they still answer once).
fn over_limit(ctx: &mut Ctx<'_>) -> Option<ItemError> {
    let now = ctx.now;
    if !ctx.knobs.expired_answers_once {
        ctx.ews.subscriptions.retain(|_, s| !s.expired(now));
    }
    let live = ctx
        .ews
        .subscriptions
        .values()
        .filter(|s| !s.expired(now))
        .count();
    if live < ctx.knobs.max_subscriptions {
        return None;
    }
    // Unverified: the MessageText Exchange writes with either code.
    Some(if ctx.knobs.subscription_limit_busy {
        ItemError::new(
            "ErrorServerBusy",
            "The server cannot service this request right now. Try again later.",
        )
    } else {
        ItemError::new(
            "ErrorExceededSubscriptionCount",
            "You have exceeded the maximum number of subscriptions for this mailbox.",
        )
    })
}

fn read_kinds(request: &Element) -> Result<BTreeSet<EventKind>, EwsError> {
    let kinds: BTreeSet<EventKind> = request
        .child("EventTypes")
        .map(|e| e.all("EventType").collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            EventKind::parse(e.text.trim()).ok_or_else(|| {
                EwsError::schema(format!("'{}' is not a valid EventType", e.text.trim()))
            })
        })
        .collect::<Result<_, _>>()?;
    if kinds.is_empty() {
        return Err(EwsError::schema(
            "the element 'EventTypes' is missing or empty",
        ));
    }
    Ok(kinds)
}

fn read_timeout(request: &Element) -> Result<Duration, EwsError> {
    let minutes: i64 = request
        .child_text("Timeout")
        .and_then(|t| t.parse().ok())
        .filter(|m| (1..=1440).contains(m))
        .ok_or_else(|| {
            EwsError::schema("the element 'Timeout' must be a number of minutes from 1 to 1440")
        })?;
    Ok(Duration::minutes(minutes))
}

/// Runs Subscribe; returns the response message.
pub fn run(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    let Some(request) = op.child("PullSubscriptionRequest") else {
        if op.child("PushSubscriptionRequest").is_some()
            || op.child("StreamingSubscriptionRequest").is_some()
        {
            return Err(EwsError::Fault {
                code: "ErrorInvalidOperation",
                message: "The emulator serves pull subscriptions only.".to_owned(),
            });
        }
        return Err(EwsError::schema(
            "Subscribe needs a PullSubscriptionRequest, PushSubscriptionRequest or \
             StreamingSubscriptionRequest",
        ));
    };
    let kinds = read_kinds(request)?;
    let timeout = read_timeout(request)?;
    let all_folders = matches!(request.attr("SubscribeToAllFolders"), Some("true" | "1"));
    let folder_els = request
        .child("FolderIds")
        .map(|f| f.children.as_slice())
        .unwrap_or_default();
    let found = (|| {
        if folder_els.is_empty() && !all_folders {
            // Unverified: the code Exchange gives for neither FolderIds nor
            // SubscribeToAllFolders; ErrorInvalidSubscriptionRequest is the closest in the schema.
            return Err(ItemError::new(
                "ErrorInvalidSubscriptionRequest",
                "The subscription needs FolderIds or SubscribeToAllFolders.",
            ));
        }
        let folder_ids = folder_els
            .iter()
            .map(|el| {
                folders::resolve_node(ctx.mailbox, &ctx.ews.folders, ctx.data, el).map(|n| n.id)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(refused) = over_limit(ctx) {
            return Err(refused);
        }
        let current = ctx.data.change_seq();
        let start = match request.child_text("Watermark").filter(|w| !w.is_empty()) {
            Some(w) => notifications::decode(&ctx.mailbox.id, w, current)?,
            None => current,
        };
        let id = ids::base64url(ids::guid().as_bytes());
        ctx.ews.subscriptions.insert(
            id.clone(),
            Subscription {
                folder_ids,
                all_folders,
                kinds,
                timeout,
                last_poll: ctx.now,
            },
        );
        Ok((id, notifications::encode(&ctx.mailbox.id, start)))
    })();
    let mut w = Writer::new();
    messages::write(
        &mut w,
        "SubscribeResponseMessage",
        found,
        |w, (id, mark)| {
            w.text("m:SubscriptionId", &id);
            w.text("m:Watermark", &mark);
        },
    );
    Ok(w.finish())
}

/// Runs Unsubscribe; returns the response message.
pub fn unsubscribe(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    let id = op
        .child_text("SubscriptionId")
        .filter(|i| !i.is_empty())
        .ok_or_else(|| EwsError::schema("the element 'SubscriptionId' is missing"))?;
    let found = match ctx.ews.subscriptions.remove(id) {
        Some(sub) if !sub.expired(ctx.now) => Ok(()),
        _ => Err(not_found()),
    };
    let mut w = Writer::new();
    messages::write(&mut w, "UnsubscribeResponseMessage", found, |_, ()| {});
    Ok(w.finish())
}
