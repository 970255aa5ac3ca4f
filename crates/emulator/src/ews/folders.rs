//! The folder tree EWS serves for a mailbox — the well-known folders every mailbox has (`root`,
//! `msgfolderroot`, `inbox`, `calendar`, `contacts`, `tasks`), the store's other contact and
//! task folders (what Graph serves as contact folders and To Do lists) below `contacts` and
//! `tasks`, and the other folders created through CreateFolder — and how a request's
//! `DistinguishedFolderId`/`FolderId` names them.
//!
//! Invariants: a well-known folder's id is derived from the mailbox id and its distinguished
//! name, an EWS-created folder's id from the mailbox id and a fresh guid, a store folder's id is
//! the store's (Graph's) id, so an id of one mailbox never resolves in another; `contacts` and
//! `tasks` are the store's default contact and task folders; any other name or id is answered
//! `ErrorFolderNotFound`.

use super::error::{EwsError, ItemError};
use super::ids::{folder_id, folder_name};
use super::xml::Element;
use crate::org::Mailbox;
use crate::store::MailboxData;
use crate::store::folders::Kind;

/// Prefix of the folder-id name of a created folder (distinguished names never contain it).
const CREATED_MARK: &str = "created.";

/// A well-known folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// `root`.
    Root,
    /// `msgfolderroot`.
    MsgFolderRoot,
    /// `inbox`.
    Inbox,
    /// `calendar`.
    Calendar,
    /// `contacts`.
    Contacts,
    /// `tasks`.
    Tasks,
}

const WELL_KNOWN: [Folder; 6] = [
    Folder::Root,
    Folder::MsgFolderRoot,
    Folder::Inbox,
    Folder::Calendar,
    Folder::Contacts,
    Folder::Tasks,
];

impl Folder {
    /// The distinguished name.
    pub fn name(self) -> &'static str {
        match self {
            Folder::Root => "root",
            Folder::MsgFolderRoot => "msgfolderroot",
            Folder::Inbox => "inbox",
            Folder::Calendar => "calendar",
            Folder::Contacts => "contacts",
            Folder::Tasks => "tasks",
        }
    }

    /// Display name as Exchange shows it (English mailbox).
    pub fn display_name(self) -> &'static str {
        match self {
            Folder::Root => "Root",
            Folder::MsgFolderRoot => "Top of Information Store",
            Folder::Inbox => "Inbox",
            Folder::Calendar => "Calendar",
            Folder::Contacts => "Contacts",
            Folder::Tasks => "Tasks",
        }
    }

    /// The parent folder (the root is its own).
    pub fn parent(self) -> Folder {
        match self {
            Folder::Root | Folder::MsgFolderRoot => Folder::Root,
            _ => Folder::MsgFolderRoot,
        }
    }

    /// What kind of folder it is.
    pub fn kind(self) -> FolderKind {
        match self {
            Folder::Root | Folder::MsgFolderRoot | Folder::Inbox => FolderKind::Generic,
            Folder::Calendar => FolderKind::Calendar,
            Folder::Contacts => FolderKind::Contacts,
            Folder::Tasks => FolderKind::Tasks,
        }
    }

    /// The folder's id in `mailbox`.
    pub fn id(self, mailbox: &Mailbox) -> String {
        folder_id(&mailbox.id, self.name())
    }

    fn from_name(name: &str) -> Option<Folder> {
        WELL_KNOWN.into_iter().find(|f| f.name() == name)
    }
}

/// The kind of a folder: which `t:*Folder` element it is written as and its default class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderKind {
    /// `t:Folder` (mail and anything else).
    Generic,
    /// `t:CalendarFolder`.
    Calendar,
    /// `t:ContactsFolder`.
    Contacts,
    /// `t:TasksFolder`.
    Tasks,
}

impl FolderKind {
    /// The element it is written as.
    pub fn element(self) -> &'static str {
        match self {
            FolderKind::Generic => "t:Folder",
            FolderKind::Calendar => "t:CalendarFolder",
            FolderKind::Contacts => "t:ContactsFolder",
            FolderKind::Tasks => "t:TasksFolder",
        }
    }

    /// The `FolderClass` a new folder of this kind gets.
    pub fn default_class(self) -> &'static str {
        match self {
            FolderKind::Generic => "IPF.Note",
            FolderKind::Calendar => "IPF.Appointment",
            FolderKind::Contacts => "IPF.Contact",
            FolderKind::Tasks => "IPF.Task",
        }
    }

    /// The kind a folder class stands for (`IPF.Appointment.Birthday` is a calendar).
    pub fn of_class(class: &str) -> FolderKind {
        let is = |base: &str| class == base || class.starts_with(&format!("{base}."));
        if is("IPF.Appointment") {
            FolderKind::Calendar
        } else if is("IPF.Contact") {
            FolderKind::Contacts
        } else if is("IPF.Task") {
            FolderKind::Tasks
        } else {
            FolderKind::Generic
        }
    }
}

/// A folder created through CreateFolder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedFolder {
    /// Its id.
    pub id: String,
    /// Its parent's id.
    pub parent_id: String,
    /// `DisplayName`.
    pub display_name: String,
    /// `FolderClass`.
    pub class: String,
    /// Its kind.
    pub kind: FolderKind,
}

impl CreatedFolder {
    /// A new folder with a fresh id in `mailbox`.
    pub fn new(
        mailbox: &Mailbox,
        parent_id: &str,
        display_name: &str,
        class: &str,
        kind: FolderKind,
    ) -> Self {
        let key = format!("{CREATED_MARK}{}", crate::ids::guid());
        Self {
            id: folder_id(&mailbox.id, &key),
            parent_id: parent_id.to_owned(),
            display_name: display_name.to_owned(),
            class: class.to_owned(),
            kind,
        }
    }
}

/// A folder of the tree as answers describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Its id.
    pub id: String,
    /// Its parent's id (`None` for the root).
    pub parent_id: Option<String>,
    /// `DisplayName`.
    pub display_name: String,
    /// `FolderClass` (`None` for the two roots, which have none).
    pub class: Option<String>,
    /// Its kind.
    pub kind: FolderKind,
    /// The well-known folder it is, if it is one.
    pub well_known: Option<Folder>,
    /// The store's task or contact folder it is (kind and store id), if it is one.
    pub store: Option<(Kind, String)>,
}

/// The store kind a well-known folder is the default folder of.
fn store_kind(folder: Folder) -> Option<Kind> {
    match folder {
        Folder::Contacts => Some(Kind::ContactFolders),
        Folder::Tasks => Some(Kind::TodoLists),
        _ => None,
    }
}

/// Every folder of the mailbox: the well-known ones first, then the store's other contact
/// folders and task folders, then the EWS-created ones in creation order.
pub fn tree(mailbox: &Mailbox, created: &[CreatedFolder], data: &MailboxData) -> Vec<Node> {
    let default_id = |kind: Kind| {
        data.folders(kind)
            .iter()
            .find(|f| f.well_known.is_some())
            .map(|f| (kind, f.id.clone()))
    };
    let known = WELL_KNOWN.into_iter().map(|f| Node {
        id: f.id(mailbox),
        parent_id: (f != Folder::Root).then(|| f.parent().id(mailbox)),
        display_name: f.display_name().to_owned(),
        class: match f {
            Folder::Root | Folder::MsgFolderRoot => None,
            other => Some(other.kind().default_class().to_owned()),
        },
        kind: f.kind(),
        well_known: Some(f),
        store: store_kind(f).and_then(default_id),
    });
    let stored = [
        (Kind::ContactFolders, Folder::Contacts),
        (Kind::TodoLists, Folder::Tasks),
    ]
    .into_iter()
    .flat_map(|(kind, parent)| {
        data.folders(kind)
            .iter()
            .filter(|f| f.well_known.is_none())
            .map(move |f| Node {
                id: f.id.clone(),
                parent_id: Some(parent.id(mailbox)),
                display_name: f.display_name.clone(),
                class: Some(parent.kind().default_class().to_owned()),
                kind: parent.kind(),
                well_known: None,
                store: Some((kind, f.id.clone())),
            })
    });
    let made = created.iter().map(|c| Node {
        id: c.id.clone(),
        parent_id: Some(c.parent_id.clone()),
        display_name: c.display_name.clone(),
        class: Some(c.class.clone()),
        kind: c.kind,
        well_known: None,
        store: None,
    });
    known.chain(stored).chain(made).collect()
}

/// The direct children of `parent_id` in `nodes`, in tree order.
pub fn children<'a>(nodes: &'a [Node], parent_id: &str) -> impl Iterator<Item = &'a Node> {
    let parent_id = parent_id.to_owned();
    nodes
        .iter()
        .filter(move |n| n.parent_id.as_deref() == Some(parent_id.as_str()) && n.id != parent_id)
}

/// Every folder below `parent_id`, depth first (each folder before its children).
pub fn descendants<'a>(nodes: &'a [Node], parent_id: &str) -> Vec<&'a Node> {
    let mut out = Vec::new();
    for child in children(nodes, parent_id) {
        out.push(child);
        out.extend(descendants(nodes, &child.id));
    }
    out
}

/// Reads a `DistinguishedFolderId` or `FolderId` element naming any folder of the tree.
pub fn resolve_node(
    mailbox: &Mailbox,
    created: &[CreatedFolder],
    data: &MailboxData,
    el: &Element,
) -> Result<Node, ItemError> {
    let id = match el.name.as_str() {
        "DistinguishedFolderId" => resolve(mailbox, el)?.id(mailbox),
        "FolderId" => el.attr("Id").unwrap_or_default().to_owned(),
        _ => return Err(ItemError::folder_not_found()),
    };
    tree(mailbox, created, data)
        .into_iter()
        .find(|n| n.id == id)
        .ok_or_else(ItemError::folder_not_found)
}

/// Reads a `DistinguishedFolderId` or `FolderId` element naming a well-known folder.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_folders_sit_in_the_tree_under_their_parent() {
        let mailbox = Mailbox::new("a@contoso.example", "A");
        let calendar = Folder::Calendar.id(&mailbox);
        let sub = CreatedFolder::new(
            &mailbox,
            &calendar,
            "Projects",
            "IPF.Appointment",
            FolderKind::Calendar,
        );
        let mut data = MailboxData::default();
        data.folder_set(Kind::ContactFolders)
            .add_folder("Suppliers", None);
        let nodes = tree(&mailbox, std::slice::from_ref(&sub), &data);
        let top = Folder::MsgFolderRoot.id(&mailbox);
        let shallow: Vec<&str> = children(&nodes, &top)
            .map(|n| n.display_name.as_str())
            .collect();
        assert_eq!(shallow, ["Inbox", "Calendar", "Contacts", "Tasks"]);
        let deep: Vec<&str> = descendants(&nodes, &top)
            .iter()
            .map(|n| n.display_name.as_str())
            .collect();
        assert_eq!(
            deep,
            [
                "Inbox",
                "Calendar",
                "Projects",
                "Contacts",
                "Suppliers",
                "Tasks"
            ]
        );
        let root = Folder::Root.id(&mailbox);
        assert_eq!(descendants(&nodes, &root).len(), 7);
        let suppliers = nodes.iter().find(|n| n.display_name == "Suppliers");
        assert_eq!(suppliers.map(|n| n.kind), Some(FolderKind::Contacts));
        // A created folder's id never names a well-known folder.
        let by_id = Element {
            name: "FolderId".into(),
            attrs: vec![("Id".into(), sub.id.clone())],
            ..Element::default()
        };
        assert!(resolve(&mailbox, &by_id).is_err());
        assert_eq!(
            resolve_node(&mailbox, std::slice::from_ref(&sub), &data, &by_id).map(|n| n.kind),
            Ok(FolderKind::Calendar)
        );
        let other = Mailbox::new("b@contoso.example", "B");
        // Created folders are kept per mailbox: another mailbox's list does not hold it.
        let other_data = MailboxData::default();
        assert!(resolve_node(&other, &[], &other_data, &by_id).is_err());
    }

    #[test]
    fn folder_classes_map_to_kinds() {
        assert_eq!(
            FolderKind::of_class("IPF.Appointment.Birthday"),
            FolderKind::Calendar
        );
        assert_eq!(FolderKind::of_class("IPF.Contact"), FolderKind::Contacts);
        assert_eq!(FolderKind::of_class("IPF.Task"), FolderKind::Tasks);
        assert_eq!(FolderKind::of_class("IPF.Taskish"), FolderKind::Generic);
        assert_eq!(FolderKind::of_class("IPF.Note"), FolderKind::Generic);
    }
}
