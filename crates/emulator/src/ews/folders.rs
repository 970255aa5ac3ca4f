//! The folders the emulator serves — the mailbox root, the top of the information store and
//! the calendar — and how a request's `DistinguishedFolderId`/`FolderId` names them.
//!
//! Invariant: every mailbox has exactly these three folders with fixed ids (see
//! [`folder_id`]); any other folder name is answered `ErrorFolderNotFound`.

use super::error::{EwsError, ItemError};
use super::ids::{folder_id, folder_name};
use super::xml::Element;
use crate::org::Mailbox;

/// A served folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// `root`.
    Root,
    /// `msgfolderroot`.
    MsgFolderRoot,
    /// `calendar`.
    Calendar,
}

impl Folder {
    /// The distinguished name.
    pub fn name(self) -> &'static str {
        match self {
            Folder::Root => "root",
            Folder::MsgFolderRoot => "msgfolderroot",
            Folder::Calendar => "calendar",
        }
    }

    /// Display name as Exchange shows it (English mailbox).
    pub fn display_name(self) -> &'static str {
        match self {
            Folder::Root => "Root",
            Folder::MsgFolderRoot => "Top of Information Store",
            Folder::Calendar => "Calendar",
        }
    }

    /// The parent folder.
    pub fn parent(self) -> Folder {
        match self {
            Folder::Root | Folder::MsgFolderRoot => Folder::Root,
            Folder::Calendar => Folder::MsgFolderRoot,
        }
    }

    /// The folder's id in `mailbox`.
    pub fn id(self, mailbox: &Mailbox) -> String {
        folder_id(&mailbox.id, self.name())
    }

    fn from_name(name: &str) -> Option<Folder> {
        [Folder::Root, Folder::MsgFolderRoot, Folder::Calendar]
            .into_iter()
            .find(|f| f.name() == name)
    }
}

/// Reads a `DistinguishedFolderId` or `FolderId` element.
pub fn resolve(mailbox: &Mailbox, el: &Element) -> Result<Folder, ItemError> {
    match el.name.as_str() {
        "DistinguishedFolderId" => {
            if let Some(other) = el.path(&["Mailbox", "EmailAddress"]).map(|e| e.text.trim())
                && !mailbox.is_named(other)
            {
                return Err(ItemError::folder_not_found());
            }
            let name = el.attr("Id").unwrap_or_default();
            Folder::from_name(name).ok_or_else(ItemError::folder_not_found)
        }
        "FolderId" => {
            let id = el.attr("Id").unwrap_or_default();
            folder_name(&mailbox.id, id)
                .and_then(|n| Folder::from_name(&n))
                .ok_or_else(ItemError::folder_not_found)
        }
        _ => Err(ItemError::folder_not_found()),
    }
}

/// The folder elements under `container` (e.g. `FolderIds`, `ParentFolderIds`); a missing or
/// empty container is a schema violation.
pub fn list<'a>(op: &'a Element, container: &str) -> Result<&'a [Element], EwsError> {
    let children = op
        .child(container)
        .map(|c| c.children.as_slice())
        .unwrap_or_default();
    if children.is_empty() {
        return Err(EwsError::schema(format!(
            "the element '{container}' is missing or empty"
        )));
    }
    Ok(children)
}

/// The calendar folder named by `el`, or the error Exchange gives for a folder that holds no
/// calendar items.
pub fn calendar(mailbox: &Mailbox, el: &Element) -> Result<(), ItemError> {
    match resolve(mailbox, el)? {
        Folder::Calendar => Ok(()),
        // The root folders hold no items.
        Folder::Root | Folder::MsgFolderRoot => Err(ItemError::new(
            "ErrorInvalidOperation",
            "The folder holds no calendar items.",
        )),
    }
}
