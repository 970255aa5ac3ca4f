//! Pull-notification bookkeeping shared by Subscribe, GetEvents and Unsubscribe: what a
//! subscription watches, its watermarks, and the events derived from the store's change
//! sequence and tombstones — the same record Graph delta and SyncFolderItems read, so a write
//! through either protocol is an event here.
//!
//! Invariants: a watermark names a mailbox and a position in its change sequence and is only
//! valid for that mailbox and never ahead of the sequence (else `ErrorInvalidWatermark`);
//! events come in sequence order, each with the watermark of its own change, so resuming from
//! any event's watermark never skips or repeats a change. The store keeps only an item's
//! creation and latest write, so several writes between two polls show as one `ModifiedEvent`.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use super::error::ItemError;
use super::folders::Folder;
use crate::ids;
use crate::org::Mailbox;
use crate::store::MailboxData;
use crate::store::folders::{self as store_folders, Kind};

const WATERMARK_MARK: &str = "exsync-ews-watermark:";

/// An event type a subscription can ask for (`NotificationEventTypeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventKind {
    /// `CopiedEvent`.
    Copied,
    /// `CreatedEvent`.
    Created,
    /// `DeletedEvent`.
    Deleted,
    /// `ModifiedEvent`.
    Modified,
    /// `MovedEvent`.
    Moved,
    /// `NewMailEvent`.
    NewMail,
    /// `FreeBusyChangedEvent`.
    FreeBusyChanged,
}

impl EventKind {
    /// Reads an `EventType` value.
    pub fn parse(text: &str) -> Option<EventKind> {
        Some(match text {
            "CopiedEvent" => EventKind::Copied,
            "CreatedEvent" => EventKind::Created,
            "DeletedEvent" => EventKind::Deleted,
            "ModifiedEvent" => EventKind::Modified,
            "MovedEvent" => EventKind::Moved,
            "NewMailEvent" => EventKind::NewMail,
            "FreeBusyChangedEvent" => EventKind::FreeBusyChanged,
            _ => return None,
        })
    }

    /// The element an event of this kind is written as (`t:` prefixed).
    pub fn element(self) -> &'static str {
        match self {
            EventKind::Copied => "t:CopiedEvent",
            EventKind::Created => "t:CreatedEvent",
            EventKind::Deleted => "t:DeletedEvent",
            EventKind::Modified => "t:ModifiedEvent",
            EventKind::Moved => "t:MovedEvent",
            EventKind::NewMail => "t:NewMailEvent",
            EventKind::FreeBusyChanged => "t:FreeBusyChangedEvent",
        }
    }
}

/// A pull subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Ids of the folders watched (ignored when `all_folders`).
    pub folder_ids: Vec<String>,
    /// `SubscribeToAllFolders`.
    pub all_folders: bool,
    /// Event types asked for.
    pub kinds: BTreeSet<EventKind>,
    /// How long it may stay without a GetEvents.
    pub timeout: Duration,
    /// When it was created or last polled successfully.
    pub last_poll: DateTime<Utc>,
}

impl Subscription {
    /// True when `now` is past its timeout.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        now > self.last_poll + self.timeout
    }

    /// True when it watches the folder `folder_id`.
    pub fn watches(&self, folder_id: &str) -> bool {
        self.all_folders || self.folder_ids.iter().any(|f| f == folder_id)
    }
}

/// The watermark of position `seq` in `mailbox_id`'s change sequence.
pub fn encode(mailbox_id: &str, seq: u64) -> String {
    ids::base64url(format!("{WATERMARK_MARK}{mailbox_id}:{seq}").as_bytes())
}

/// The position a watermark names, if it is one of this mailbox and not ahead of `current`.
pub fn decode(mailbox_id: &str, watermark: &str, current: u64) -> Result<u64, ItemError> {
    let invalid = || ItemError::new("ErrorInvalidWatermark", "The watermark is invalid.");
    let text = ids::base64url_decode(watermark.trim())
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(invalid)?;
    let rest = text.strip_prefix(WATERMARK_MARK).ok_or_else(invalid)?;
    let (mailbox, seq) = rest.rsplit_once(':').ok_or_else(invalid)?;
    let seq: u64 = seq.parse().map_err(|_| invalid())?;
    if mailbox != mailbox_id || seq > current {
        return Err(invalid());
    }
    Ok(seq)
}

/// A change to an item after some position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The EWS id of the folder the item is (or was) in.
    pub folder_id: String,
    /// Its position in the change sequence.
    pub seq: u64,
    /// Created, modified or deleted.
    pub kind: EventKind,
    /// The item's id.
    pub item_id: String,
    /// Its change key (none for a deleted item).
    pub change_key: Option<String>,
    /// When it happened (deletions keep no time: the time of the poll).
    pub at: DateTime<Utc>,
}

/// What one item's history since a position gives: a `Created` if it was created since, a
/// `Modified` for its latest write if later than its creation.
fn item_changes(
    since: u64,
    folder_id: &str,
    item: (&str, &str, u64, u64),
    times: (DateTime<Utc>, DateTime<Utc>),
) -> Vec<Change> {
    let (id, change_key, created_seq, change_seq) = item;
    let mut out = Vec::new();
    if created_seq > since {
        out.push(Change {
            folder_id: folder_id.to_owned(),
            seq: created_seq,
            kind: EventKind::Created,
            item_id: id.to_owned(),
            change_key: Some(change_key.to_owned()),
            at: times.0,
        });
    }
    if change_seq > since && change_seq > created_seq {
        out.push(Change {
            folder_id: folder_id.to_owned(),
            seq: change_seq,
            kind: EventKind::Modified,
            item_id: id.to_owned(),
            change_key: Some(change_key.to_owned()),
            at: times.1,
        });
    }
    out
}

/// The EWS id of a store folder: the well-known folder's for a default folder.
fn store_folder_id(mailbox: &Mailbox, kind: Kind, folder: &store_folders::Folder) -> String {
    match (folder.well_known, kind) {
        (Some(_), Kind::TodoLists) => Folder::Tasks.id(mailbox),
        (Some(_), Kind::ContactFolders) => Folder::Contacts.id(mailbox),
        (None, _) => folder.id.clone(),
    }
}

/// The changes to the mailbox's items (calendar items, tasks, contacts) after position
/// `since`, in sequence order: a `Created` for an item created since, a `Modified` for its
/// latest write if later than its creation, a `Deleted` for each tombstone. An item created
/// and deleted since shows only its `Deleted` (the store keeps no more of it).
pub fn changes_since(
    mailbox: &Mailbox,
    data: &MailboxData,
    since: u64,
    now: DateTime<Utc>,
) -> Vec<Change> {
    let calendar = Folder::Calendar.id(mailbox);
    let deleted = |folder_id: &str, id: &str, seq: u64| Change {
        folder_id: folder_id.to_owned(),
        seq,
        kind: EventKind::Deleted,
        item_id: id.to_owned(),
        change_key: None,
        at: now,
    };
    let mut changes = Vec::new();
    for e in data.events() {
        changes.extend(item_changes(
            since,
            &calendar,
            (&e.id, &e.change_key, e.created_seq, e.change_seq),
            (e.created, e.last_modified),
        ));
    }
    for t in data.tombstones() {
        if t.change_seq > since {
            changes.push(deleted(&calendar, &t.id, t.change_seq));
        }
    }
    for kind in [Kind::TodoLists, Kind::ContactFolders] {
        for folder in data.folders(kind) {
            let folder_id = store_folder_id(mailbox, kind, folder);
            for i in folder.items_in_order() {
                changes.extend(item_changes(
                    since,
                    &folder_id,
                    (&i.id, &i.change_key, i.created_seq, i.change_seq),
                    (i.created, i.last_modified),
                ));
            }
            for (id, seq) in &folder.removed {
                if *seq > since {
                    changes.push(deleted(&folder_id, id, *seq));
                }
            }
        }
    }
    changes.sort_by_key(|c| c.seq);
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Created, NewEvent};
    use chrono::NaiveDate;
    use exsync_model::{Appointment, TimeZoneName};

    fn new_event() -> NewEvent {
        let day = NaiveDate::from_ymd_opt(2026, 1, 15).expect("date");
        NewEvent {
            appointment: Appointment::all_day("a", day, day.succ_opt().expect("date")),
            start_zone: TimeZoneName::utc(),
            end_zone: TimeZoneName::utc(),
            transaction: None,
        }
    }

    #[test]
    fn watermarks_belong_to_one_mailbox_and_never_run_ahead() {
        let mark = encode("m1", 4);
        assert_eq!(decode("m1", &mark, 4), Ok(4));
        assert!(decode("m1", &mark, 3).is_err());
        assert!(decode("m2", &mark, 9).is_err());
        assert_eq!(
            decode("m1", "garbage", 9).map_err(|e| e.code),
            Err("ErrorInvalidWatermark")
        );
    }

    #[test]
    fn changes_follow_the_store_sequence() {
        let mailbox = Mailbox::new("a@contoso.example", "A");
        let mut data = MailboxData::default();
        let now = Utc::now();
        let Created::New(a) = data.create(new_event(), now) else {
            panic!("not created")
        };
        let Created::New(b) = data.create(new_event(), now) else {
            panic!("not created")
        };
        let kinds = |since| -> Vec<(u64, EventKind)> {
            changes_since(&mailbox, &data, since, now)
                .into_iter()
                .map(|c| (c.seq, c.kind))
                .collect()
        };
        assert_eq!(kinds(0), [(1, EventKind::Created), (2, EventKind::Created)]);
        let _ = data.update(
            &a.id,
            a.appointment.clone(),
            a.start_zone.clone(),
            a.end_zone.clone(),
            now,
        );
        assert!(data.delete(&b.id).is_some());
        let kinds = |since| -> Vec<(u64, EventKind)> {
            changes_since(&mailbox, &data, since, now)
                .into_iter()
                .map(|c| (c.seq, c.kind))
                .collect()
        };
        assert_eq!(
            kinds(2),
            [(3, EventKind::Modified), (4, EventKind::Deleted)]
        );
        assert!(kinds(4).is_empty());
    }

    #[test]
    fn a_subscription_expires_after_its_timeout_without_a_poll() {
        let start = Utc::now();
        let sub = Subscription {
            folder_ids: vec!["f".into()],
            all_folders: false,
            kinds: BTreeSet::from([EventKind::Created]),
            timeout: Duration::minutes(5),
            last_poll: start,
        };
        assert!(!sub.expired(start + Duration::minutes(5)));
        assert!(sub.expired(start + Duration::minutes(5) + Duration::seconds(1)));
        assert!(sub.watches("f") && !sub.watches("g"));
    }
}
