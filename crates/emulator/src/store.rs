//! The emulator's one in-memory store: the organisation, every mailbox's items (calendar items
//! here, tasks and contacts with their folders in [`folders`]), issued tokens and the knobs tests
//! turn. Graph and EWS both serve from it, so an item written through one protocol is seen by the
//! other.
//!
//! Invariants: each mailbox has one change sequence that only grows, shared by all its items;
//! every write to an item (create, update, delete) takes the next number, gives the item a fresh
//! change key and sets its `last_modified`; a deletion leaves a tombstone with its number (for
//! Graph delta and EWS SyncFolderItems).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use exsync_model::{Appointment, TimeZoneName};

pub(crate) mod calendars;
pub(crate) mod folders;

use self::calendars::Calendars;
use self::folders::{Folder, FolderSet, Item, Kind};
use crate::auth::TokenRegistry;
use crate::ids;
use crate::org::Organisation;

/// Default lifetime of an access token, as Entra reports it (`expires_in`).
pub const DEFAULT_TOKEN_LIFETIME_SECS: i64 = 3599;

/// Shared handle to the store; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Mutex<State>>,
}

/// Everything the store holds.
#[derive(Debug)]
pub struct State {
    /// Tenants, apps, mailboxes.
    pub org: Organisation,
    /// Items per mailbox, by mailbox object id.
    pub mailboxes: HashMap<String, MailboxData>,
    /// Issued access tokens.
    pub tokens: TokenRegistry,
    /// Lifetime of newly issued access tokens.
    pub token_lifetime: Duration,
    /// Graph front end state (delta tokens, throttling, extended properties, To Do, contacts).
    pub graph: crate::graph::GraphState,
    /// EWS front end state (capture directory for tests, requests in flight).
    pub ews: crate::ews::EwsState,
    /// Control API state: request counters and fault knobs.
    pub control: crate::control::ControlState,
}

impl Store {
    /// A store serving `org`, with an empty mailbox for each of its mailboxes.
    pub fn new(org: Organisation) -> Self {
        let mailboxes = org
            .tenants
            .iter()
            .flat_map(|t| t.mailboxes.iter())
            .map(|m| (m.id.clone(), MailboxData::default()))
            .collect();
        Self {
            inner: Arc::new(Mutex::new(State {
                org,
                mailboxes,
                tokens: TokenRegistry::default(),
                token_lifetime: Duration::seconds(DEFAULT_TOKEN_LIFETIME_SECS),
                graph: crate::graph::GraphState::default(),
                ews: crate::ews::EwsState::default(),
                control: crate::control::ControlState::default(),
            })),
        }
    }

    /// Locks the store. A panic while it was held cannot leave it half-written in a way that
    /// matters for an emulator, so a poisoned lock is simply taken over.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The items of one mailbox: calendar items, task folders and contact folders, all on one
/// change sequence.
#[derive(Debug)]
pub struct MailboxData {
    events: BTreeMap<String, StoredEvent>,
    removed: Vec<Tombstone>,
    transactions: HashMap<String, (String, serde_json::Value)>,
    change_seq: u64,
    task_folders: Vec<Folder>,
    contact_folders: Vec<Folder>,
    calendars: Calendars,
}

impl Default for MailboxData {
    fn default() -> Self {
        Self {
            events: BTreeMap::new(),
            removed: Vec::new(),
            transactions: HashMap::new(),
            change_seq: 0,
            task_folders: folders::default_folders(Kind::TodoLists),
            contact_folders: folders::default_folders(Kind::ContactFolders),
            calendars: Calendars::default(),
        }
    }
}

/// A calendar item as stored: the domain appointment plus Exchange's bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Immutable item id.
    pub id: String,
    /// Changes on every write.
    pub change_key: String,
    /// iCalendar UID, fixed at creation.
    pub ical_uid: String,
    /// When it was created.
    pub created: DateTime<Utc>,
    /// When it was last written.
    pub last_modified: DateTime<Utc>,
    /// The appointment itself (series with exceptions included).
    pub appointment: Appointment,
    /// The zone the start was given in (kept for all-day items too).
    pub start_zone: TimeZoneName,
    /// The zone the end was given in.
    pub end_zone: TimeZoneName,
    /// The client's `transactionId`, if it sent one.
    pub transaction_id: Option<String>,
    /// Change sequence number of the creation (orders listings).
    pub created_seq: u64,
    /// Change sequence number of the last write.
    pub change_seq: u64,
}

impl StoredEvent {
    /// A new item with fresh ids, created at `now` with change sequence number `seq`.
    fn fresh(new: &NewEvent, seq: u64, now: DateTime<Utc>) -> StoredEvent {
        StoredEvent {
            id: ids::item_id(),
            change_key: ids::change_key(),
            ical_uid: format!(
                "040000008200E00074C5B7101A82E008{}",
                ids::guid().replace('-', "")
            ),
            created: now,
            last_modified: now,
            appointment: new.appointment.clone(),
            start_zone: new.start_zone.clone(),
            end_zone: new.end_zone.clone(),
            transaction_id: new.transaction.as_ref().map(|(t, _)| t.clone()),
            created_seq: seq,
            change_seq: seq,
        }
    }
}

/// What a deletion leaves behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    /// Id of the deleted item.
    pub id: String,
    /// Change sequence number of the deletion.
    pub change_seq: u64,
}

/// An item to create.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The appointment.
    pub appointment: Appointment,
    /// Zone of the start as given.
    pub start_zone: TimeZoneName,
    /// Zone of the end as given.
    pub end_zone: TimeZoneName,
    /// `transactionId` with the request it came with (to recognise a repeated POST).
    pub transaction: Option<(String, serde_json::Value)>,
}

/// The outcome of a create with a `transactionId`.
#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    /// A new item was created.
    New(StoredEvent),
    /// The same request was seen before: this is the item it created.
    Repeated(StoredEvent),
    /// The transaction id was used before with a different request.
    Conflict,
}

impl MailboxData {
    fn next_seq(&mut self) -> u64 {
        self.change_seq += 1;
        self.change_seq
    }

    /// The latest change sequence number of this mailbox.
    pub fn change_seq(&self) -> u64 {
        self.change_seq
    }

    /// Creates an item, unless its transaction id was seen before.
    pub fn create(&mut self, new: NewEvent, now: DateTime<Utc>) -> Created {
        if let Some((txid, request)) = &new.transaction
            && let Some((id, seen)) = self.transactions.get(txid)
        {
            return match self.events.get(id) {
                Some(event) if seen == request => Created::Repeated(event.clone()),
                Some(_) => Created::Conflict,
                // The item was deleted since: Exchange creates it anew.
                None => {
                    self.transactions.remove(txid);
                    self.create(new, now)
                }
            };
        }
        let seq = self.next_seq();
        let event = StoredEvent::fresh(&new, seq, now);
        if let Some((txid, request)) = new.transaction {
            self.transactions.insert(txid, (event.id.clone(), request));
        }
        self.events.insert(event.id.clone(), event.clone());
        Created::New(event)
    }

    /// The item with this id.
    pub fn event(&self, id: &str) -> Option<&StoredEvent> {
        self.events.get(id)
    }

    /// All items, oldest first.
    pub fn events(&self) -> Vec<&StoredEvent> {
        let mut all: Vec<&StoredEvent> = self.events.values().collect();
        all.sort_by_key(|e| e.created_seq);
        all
    }

    /// Replaces the content of an item, giving it a fresh change key; `None` if it is gone.
    pub fn update(
        &mut self,
        id: &str,
        appointment: Appointment,
        start_zone: TimeZoneName,
        end_zone: TimeZoneName,
        now: DateTime<Utc>,
    ) -> Option<StoredEvent> {
        if !self.events.contains_key(id) {
            return None;
        }
        let seq = self.next_seq();
        let event = self.events.get_mut(id)?;
        event.appointment = appointment;
        event.start_zone = start_zone;
        event.end_zone = end_zone;
        event.change_key = ids::change_key();
        event.last_modified = now.max(event.last_modified);
        event.change_seq = seq;
        Some(event.clone())
    }

    /// Deletes an item, leaving a tombstone; `None` if it was not there.
    pub fn delete(&mut self, id: &str) -> Option<StoredEvent> {
        let event = self.events.remove(id)?;
        let change_seq = self.next_seq();
        self.removed.push(Tombstone {
            id: event.id.clone(),
            change_seq,
        });
        Some(event)
    }

    /// Deletions so far, oldest first.
    pub fn tombstones(&self) -> &[Tombstone] {
        &self.removed
    }

    /// The task folders or contact folders, default first.
    pub(crate) fn folders(&self, kind: Kind) -> &[Folder] {
        match kind {
            Kind::TodoLists => &self.task_folders,
            Kind::ContactFolders => &self.contact_folders,
        }
    }

    /// The task folders or contact folders, writable; writes take this mailbox's sequence.
    pub(crate) fn folder_set(&mut self, kind: Kind) -> FolderSet<'_> {
        let folders = match kind {
            Kind::TodoLists => &mut self.task_folders,
            Kind::ContactFolders => &mut self.contact_folders,
        };
        FolderSet {
            seq: &mut self.change_seq,
            folders,
        }
    }

    /// The task or contact with this id, with its kind and folder.
    pub(crate) fn folder_item(&self, id: &str) -> Option<(Kind, &Folder, &Item)> {
        [Kind::TodoLists, Kind::ContactFolders]
            .into_iter()
            .flat_map(|kind| self.folders(kind).iter().map(move |f| (kind, f)))
            .find_map(|(kind, f)| f.items.get(id).map(|item| (kind, f, item)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn new_event(subject: &str, tx: Option<(&str, serde_json::Value)>) -> NewEvent {
        let day = NaiveDate::from_ymd_opt(2026, 1, 15).expect("date");
        NewEvent {
            appointment: Appointment::all_day(subject, day, day.succ_opt().expect("date")),
            start_zone: TimeZoneName::utc(),
            end_zone: TimeZoneName::utc(),
            transaction: tx.map(|(t, v)| (t.to_owned(), v)),
        }
    }

    #[test]
    fn every_write_advances_the_sequence_and_the_change_key() {
        let mut mailbox = MailboxData::default();
        let now = Utc::now();
        let Created::New(a) = mailbox.create(new_event("a", None), now) else {
            panic!("not created")
        };
        assert_eq!((a.created_seq, a.change_seq), (1, 1));
        let b = mailbox
            .update(
                &a.id,
                a.appointment.clone(),
                a.start_zone.clone(),
                a.end_zone.clone(),
                now,
            )
            .expect("exists");
        assert_eq!(b.change_seq, 2);
        assert_ne!(b.change_key, a.change_key);
        assert!(mailbox.delete(&a.id).is_some());
        assert_eq!(mailbox.change_seq(), 3);
        assert_eq!(mailbox.tombstones()[0].change_seq, 3);
        assert!(mailbox.delete(&a.id).is_none());
        assert!(
            mailbox
                .update(&a.id, b.appointment, b.start_zone, b.end_zone, now)
                .is_none()
        );
    }

    #[test]
    fn tasks_contacts_and_events_share_one_change_sequence() {
        let mut mailbox = MailboxData::default();
        let now = Utc::now();
        let Created::New(event) = mailbox.create(new_event("a", None), now) else {
            panic!("not created")
        };
        let list = mailbox.folders(Kind::TodoLists)[0].id.clone();
        let task = mailbox
            .folder_set(Kind::TodoLists)
            .create(&list, serde_json::Map::new(), now)
            .expect("default list");
        let root = mailbox.folders(Kind::ContactFolders)[0].id.clone();
        let contact = mailbox
            .folder_set(Kind::ContactFolders)
            .create(&root, serde_json::Map::new(), now)
            .expect("root folder");
        assert_eq!(
            (event.change_seq, task.change_seq, contact.change_seq),
            (1, 2, 3)
        );
        assert_eq!(mailbox.change_seq(), 3);
        let (kind, folder, found) = mailbox.folder_item(&contact.id).expect("found");
        assert_eq!(
            (kind, folder.id.as_str()),
            (Kind::ContactFolders, root.as_str())
        );
        assert_eq!(found.change_key, contact.change_key);
        assert!(mailbox.folder_item(&event.id).is_none());
    }

    #[test]
    fn a_repeated_transaction_returns_the_first_item() {
        let mut mailbox = MailboxData::default();
        let now = Utc::now();
        let body = serde_json::json!({"subject": "a"});
        let Created::New(first) = mailbox.create(new_event("a", Some(("t1", body.clone()))), now)
        else {
            panic!("not created")
        };
        let again = mailbox.create(new_event("a", Some(("t1", body))), now);
        assert_eq!(again, Created::Repeated(first.clone()));
        let other = serde_json::json!({"subject": "b"});
        assert_eq!(
            mailbox.create(new_event("b", Some(("t1", other))), now),
            Created::Conflict
        );
        assert_eq!(mailbox.events().len(), 1);
    }
}
