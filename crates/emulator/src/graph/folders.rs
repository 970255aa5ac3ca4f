//! Storage for the JSON-kept Graph resources: per mailbox, To Do task lists and contact
//! folders, each holding items (tasks, contacts) as validated JSON property maps, with a change
//! sequence per mailbox and kind, tombstones, and the delta state tokens of their `delta`
//! functions.
//!
//! Invariants: each mailbox has exactly one default folder per kind, created on first use and
//! never deleted (To Do's `defaultList` "Tasks", the contacts root "Contacts"); every write to
//! an item takes the next sequence number and a fresh change key; a deletion leaves a tombstone.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::ids;

/// Which kind of folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// To Do task lists holding tasks.
    TodoLists,
    /// Contact folders holding contacts.
    ContactFolders,
}

/// A stored item (task or contact).
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// Immutable item id.
    pub(crate) id: String,
    /// Changes on every write.
    pub(crate) change_key: String,
    /// When it was created.
    pub(crate) created: DateTime<Utc>,
    /// When it was last written.
    pub(crate) last_modified: DateTime<Utc>,
    /// The client-settable properties, validated against the type's schema.
    pub(crate) fields: Map<String, Value>,
    /// Change sequence number of the last write.
    pub(crate) change_seq: u64,
}

/// A list or folder.
#[derive(Debug, Clone)]
pub(crate) struct Folder {
    /// Folder / list id.
    pub(crate) id: String,
    /// Its name.
    pub(crate) display_name: String,
    /// `defaultList` for the default To Do list, `contacts` for the contacts root.
    pub(crate) well_known: Option<&'static str>,
    /// Items by id.
    pub(crate) items: BTreeMap<String, Item>,
    created_order: Vec<String>,
    /// Tombstones: deleted item id and the sequence number of the deletion.
    pub(crate) removed: Vec<(String, u64)>,
}

/// The folders of one kind in one mailbox.
#[derive(Debug, Clone)]
pub(crate) struct FolderSet {
    seq: u64,
    /// The folders, default first.
    pub(crate) folders: Vec<Folder>,
}

impl FolderSet {
    fn new(kind: Kind) -> Self {
        let (name, well_known) = match kind {
            Kind::TodoLists => ("Tasks", "defaultList"),
            Kind::ContactFolders => ("Contacts", "contacts"),
        };
        let mut set = Self {
            seq: 0,
            folders: Vec::new(),
        };
        set.add_folder(name, Some(well_known));
        set
    }

    /// Latest change sequence number.
    pub(crate) fn seq(&self) -> u64 {
        self.seq
    }

    /// Adds a folder; returns it.
    pub(crate) fn add_folder(&mut self, name: &str, well_known: Option<&'static str>) -> &Folder {
        self.folders.push(Folder {
            id: ids::item_id(),
            display_name: name.to_owned(),
            well_known,
            items: BTreeMap::new(),
            created_order: Vec::new(),
            removed: Vec::new(),
        });
        let last = self.folders.len() - 1;
        &self.folders[last]
    }

    /// The folder with this id.
    pub(crate) fn folder(&self, id: &str) -> Option<&Folder> {
        self.folders.iter().find(|f| f.id == id)
    }

    /// The default folder.
    pub(crate) fn default_folder(&self) -> Option<&Folder> {
        self.folders.iter().find(|f| f.well_known.is_some())
    }

    /// Creates an item in `folder`.
    pub(crate) fn create(
        &mut self,
        folder: &str,
        fields: Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Option<Item> {
        let seq = self.seq + 1;
        let target = self.folders.iter_mut().find(|f| f.id == folder)?;
        self.seq = seq;
        let item = Item {
            id: ids::item_id(),
            change_key: ids::change_key(),
            created: now,
            last_modified: now,
            fields,
            change_seq: seq,
        };
        target.created_order.push(item.id.clone());
        target.items.insert(item.id.clone(), item.clone());
        Some(item)
    }

    /// Merges `changes` into an item.
    pub(crate) fn update(
        &mut self,
        folder: &str,
        id: &str,
        changes: Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Option<Item> {
        let seq = self.seq + 1;
        let target = self.folders.iter_mut().find(|f| f.id == folder)?;
        let item = target.items.get_mut(id)?;
        self.seq = seq;
        item.fields.extend(changes);
        item.change_key = ids::change_key();
        item.last_modified = now.max(item.last_modified);
        item.change_seq = seq;
        Some(item.clone())
    }

    /// Deletes an item, leaving a tombstone.
    pub(crate) fn delete(&mut self, folder: &str, id: &str) -> bool {
        let seq = self.seq + 1;
        let Some(target) = self.folders.iter_mut().find(|f| f.id == folder) else {
            return false;
        };
        if target.items.remove(id).is_none() {
            return false;
        }
        self.seq = seq;
        target.created_order.retain(|i| i != id);
        target.removed.push((id.to_owned(), seq));
        true
    }
}

impl Folder {
    /// Items, oldest first.
    pub(crate) fn items_in_order(&self) -> impl Iterator<Item = &Item> {
        self.created_order
            .iter()
            .filter_map(|id| self.items.get(id))
    }
}

/// Where a folder's delta round stands.
#[derive(Debug, Clone)]
pub(crate) struct Round {
    /// Mailbox the round belongs to.
    pub(crate) mailbox_id: String,
    /// Folder kind.
    pub(crate) kind: Kind,
    /// Folder the round belongs to.
    pub(crate) folder_id: String,
    /// Sequence number the client is up to date with.
    pub(crate) since: u64,
}

/// What a folder delta state token stands for.
#[derive(Debug, Clone)]
pub(crate) enum Entry {
    /// `$skiptoken`: the rest of an answer, then the round.
    Page(Vec<Value>, Round),
    /// `$deltatoken`: a finished round.
    Delta(Round),
}

/// All JSON-kept folders and their delta tokens.
#[derive(Debug, Default)]
pub struct Folders {
    sets: HashMap<(String, Kind), FolderSet>,
    tokens: HashMap<String, Entry>,
}

impl Folders {
    /// The folder set of `mailbox_id`, created with its default folder on first use.
    pub(crate) fn set(&mut self, mailbox_id: &str, kind: Kind) -> &mut FolderSet {
        self.sets
            .entry((mailbox_id.to_owned(), kind))
            .or_insert_with(|| FolderSet::new(kind))
    }

    /// Issues a state token for `entry`.
    pub(crate) fn issue(&mut self, entry: Entry) -> String {
        let token = ids::base64url(ids::guid().replace('-', "").as_bytes());
        self.tokens.insert(token.clone(), entry);
        token
    }

    /// The entry behind a state token.
    pub(crate) fn token(&self, token: &str) -> Option<&Entry> {
        self.tokens.get(token)
    }

    /// Forgets every delta state token.
    pub fn clear_tokens(&mut self) {
        self.tokens.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_advance_the_sequence_and_deletions_leave_tombstones() {
        let mut folders = Folders::default();
        let set = folders.set("m", Kind::TodoLists);
        let list = set.default_folder().expect("default").id.clone();
        let now = Utc::now();
        let item = set.create(&list, Map::new(), now).expect("created");
        assert_eq!(item.change_seq, 1);
        let changed = set
            .update(&list, &item.id, Map::new(), now)
            .expect("updated");
        assert_ne!(changed.change_key, item.change_key);
        assert!(set.delete(&list, &item.id));
        assert!(!set.delete(&list, &item.id));
        assert_eq!(set.seq(), 3);
        assert_eq!(set.folder(&list).expect("list").removed, [(item.id, 3)]);
        assert!(set.create("nope", Map::new(), now).is_none());
    }
}
