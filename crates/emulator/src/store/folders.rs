//! Tasks and contacts in the one per-mailbox store: the mailbox's task folders (Graph To Do
//! lists; the default one is Exchange's Tasks folder) and contact folders, each holding items as
//! property maps in Graph's vocabulary (`todoTask`, `contact`), which the EWS front end
//! translates to and from `t:Task` / `t:Contact`.
//!
//! Invariants: each mailbox has exactly one default folder per kind, created with the mailbox and
//! never deleted (To Do's `defaultList` "Tasks" = the Tasks folder, the contacts root "Contacts");
//! every write to an item takes the mailbox's next change sequence number (shared with calendar
//! items) and a fresh change key; a deletion leaves a tombstone in its folder.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::ids;

/// Which kind of folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// Task folders (To Do lists) holding tasks.
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
    /// The client-settable properties (Graph names and shapes).
    pub(crate) fields: Map<String, Value>,
    /// Change sequence number of the creation.
    pub(crate) created_seq: u64,
    /// Change sequence number of the last write.
    pub(crate) change_seq: u64,
    /// A task's linked resources (`linkedResource` property maps, each with its `id`); they
    /// live and die with the item.
    pub(crate) linked: Vec<Map<String, Value>>,
}

/// A task list or contact folder.
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

impl Folder {
    fn new(name: &str, well_known: Option<&'static str>) -> Self {
        Self {
            id: ids::item_id(),
            display_name: name.to_owned(),
            well_known,
            items: BTreeMap::new(),
            created_order: Vec::new(),
            removed: Vec::new(),
        }
    }

    /// Items, oldest first.
    pub(crate) fn items_in_order(&self) -> impl Iterator<Item = &Item> {
        self.created_order
            .iter()
            .filter_map(|id| self.items.get(id))
    }
}

/// A contact created without `displayName` gets "givenName surname" (as Exchange does).
pub(crate) fn derive_display_name(fields: &mut Map<String, Value>) {
    if fields.get("displayName").is_some_and(Value::is_string) {
        return;
    }
    let part = |k: &str| {
        fields
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let name = format!("{} {}", part("givenName"), part("surname"));
    let name = name.trim();
    if !name.is_empty() {
        fields.insert("displayName".to_owned(), Value::String(name.to_owned()));
    }
}

/// The default folders of a fresh mailbox, per kind.
pub(crate) fn default_folders(kind: Kind) -> Vec<Folder> {
    let (name, well_known) = match kind {
        Kind::TodoLists => ("Tasks", "defaultList"),
        Kind::ContactFolders => ("Contacts", "contacts"),
    };
    vec![Folder::new(name, Some(well_known))]
}

/// The folders of one kind in one mailbox, writable, with the mailbox's change sequence.
#[derive(Debug)]
pub(crate) struct FolderSet<'a> {
    pub(super) seq: &'a mut u64,
    /// The folders, default first.
    pub(crate) folders: &'a mut Vec<Folder>,
}

impl FolderSet<'_> {
    /// Latest change sequence number of the mailbox.
    pub(crate) fn seq(&self) -> u64 {
        *self.seq
    }

    fn next_seq(&mut self) -> u64 {
        *self.seq += 1;
        *self.seq
    }

    /// Adds a folder; returns it.
    pub(crate) fn add_folder(&mut self, name: &str, well_known: Option<&'static str>) -> &Folder {
        self.folders.push(Folder::new(name, well_known));
        let last = self.folders.len() - 1;
        &self.folders[last]
    }

    /// The folder with this id.
    pub(crate) fn folder(&self, id: &str) -> Option<&Folder> {
        self.folders.iter().find(|f| f.id == id)
    }

    /// The folder with this name (letter case ignored).
    pub(crate) fn folder_named(&self, name: &str) -> Option<&Folder> {
        self.folders
            .iter()
            .find(|f| f.display_name.eq_ignore_ascii_case(name))
    }

    /// The default folder.
    pub(crate) fn default_folder(&self) -> Option<&Folder> {
        self.folders.iter().find(|f| f.well_known.is_some())
    }

    /// Creates an item in `folder`; `None` if there is no such folder.
    pub(crate) fn create(
        &mut self,
        folder: &str,
        fields: Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Option<Item> {
        self.folder(folder)?;
        let seq = self.next_seq();
        let target = self.folders.iter_mut().find(|f| f.id == folder)?;
        let item = Item {
            id: ids::item_id(),
            change_key: ids::change_key(),
            created: now,
            last_modified: now,
            fields,
            created_seq: seq,
            change_seq: seq,
            linked: Vec::new(),
        };
        target.created_order.push(item.id.clone());
        target.items.insert(item.id.clone(), item.clone());
        Some(item)
    }

    /// An item, writable in place (for what is kept beside its properties, such as a task's
    /// linked resources; this takes no change sequence number).
    pub(crate) fn item_mut(&mut self, folder: &str, id: &str) -> Option<&mut Item> {
        self.folders
            .iter_mut()
            .find(|f| f.id == folder)?
            .items
            .get_mut(id)
    }

    /// The folder holding the item `id`, if any.
    pub(crate) fn folder_of_item(&self, id: &str) -> Option<&Folder> {
        self.folders.iter().find(|f| f.items.contains_key(id))
    }

    /// Merges `changes` into an item (a PATCH).
    pub(crate) fn update(
        &mut self,
        folder: &str,
        id: &str,
        changes: Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Option<Item> {
        let mut fields = self.folder(folder)?.items.get(id)?.fields.clone();
        fields.extend(changes);
        self.replace(folder, id, fields, now)
    }

    /// Replaces an item's properties as a whole.
    pub(crate) fn replace(
        &mut self,
        folder: &str,
        id: &str,
        fields: Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Option<Item> {
        self.folder(folder)?.items.get(id)?;
        let seq = self.next_seq();
        let target = self.folders.iter_mut().find(|f| f.id == folder)?;
        let item = target.items.get_mut(id)?;
        item.fields = fields;
        item.change_key = ids::change_key();
        item.last_modified = now.max(item.last_modified);
        item.change_seq = seq;
        Some(item.clone())
    }

    /// Deletes an item, leaving a tombstone; false if it was not there.
    pub(crate) fn delete(&mut self, folder: &str, id: &str) -> bool {
        let present = self
            .folder(folder)
            .is_some_and(|f| f.items.contains_key(id));
        if !present {
            return false;
        }
        let seq = self.next_seq();
        let Some(target) = self.folders.iter_mut().find(|f| f.id == folder) else {
            return false;
        };
        target.items.remove(id);
        target.created_order.retain(|i| i != id);
        target.removed.push((id.to_owned(), seq));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_advance_the_mailbox_sequence_and_deletions_leave_tombstones() {
        let mut seq = 5;
        let mut folders = default_folders(Kind::TodoLists);
        let mut set = FolderSet {
            seq: &mut seq,
            folders: &mut folders,
        };
        let list = set.default_folder().expect("default").id.clone();
        let now = Utc::now();
        let item = set.create(&list, Map::new(), now).expect("created");
        assert_eq!((item.created_seq, item.change_seq), (6, 6));
        let changed = set
            .update(&list, &item.id, Map::new(), now)
            .expect("updated");
        assert_ne!(changed.change_key, item.change_key);
        assert_eq!(changed.created_seq, 6);
        assert!(set.delete(&list, &item.id));
        assert!(!set.delete(&list, &item.id));
        assert_eq!(set.seq(), 8);
        assert_eq!(set.folder(&list).expect("list").removed, [(item.id, 8)]);
        assert!(set.create("nope", Map::new(), now).is_none());
        assert_eq!(set.seq(), 8);
    }
}
