//! CreateFolder: generic, calendar, contacts and tasks folders under any folder of the tree
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/createfolder-operation).
//!
//! Invariants: one `CreateFolderResponseMessage` per folder in request order, each holding only
//! the new folder's id; a folder whose name (any letter case) a sibling already has is refused
//! with `ErrorFolderExists`, so names stay unique under each parent; a `t:Folder` whose class
//! is a calendar, contacts or tasks class becomes that kind of folder, as in Exchange.
//!
//! A contacts folder created directly under `contacts` and a tasks folder directly under
//! `tasks` become store folders — the contact folders and To Do lists Graph serves, which hold
//! contacts and tasks; any other created folder lives in the EWS part of the store and holds
//! no items.

use super::Ctx;
use super::error::{EwsError, ItemError};
use super::folder_view::FOLDER_CHANGE_KEY;
use super::folders::{self, CreatedFolder, Folder, FolderKind, Node};
use super::messages;
use super::xml::{Element, Writer};
use crate::store::folders::Kind;

fn kind_of(el: &Element) -> Result<FolderKind, ItemError> {
    let class = el.child_text("FolderClass").filter(|c| !c.is_empty());
    Ok(match el.name.as_str() {
        "Folder" => class.map_or(FolderKind::Generic, FolderKind::of_class),
        "CalendarFolder" => FolderKind::Calendar,
        "ContactsFolder" => FolderKind::Contacts,
        "TasksFolder" => FolderKind::Tasks,
        _ => {
            return Err(ItemError::new(
                "ErrorInvalidFolderTypeForOperation",
                "The emulator creates folders, calendar, contacts and tasks folders only.",
            ));
        }
    })
}

/// The store folder kind a new folder of `kind` under `parent` becomes, if any.
fn store_kind(kind: FolderKind, parent: &Node) -> Option<Kind> {
    match (kind, parent.well_known) {
        (FolderKind::Contacts, Some(Folder::Contacts)) => Some(Kind::ContactFolders),
        (FolderKind::Tasks, Some(Folder::Tasks)) => Some(Kind::TodoLists),
        _ => None,
    }
}

/// Creates one folder; returns its id and kind.
fn create(
    ctx: &mut Ctx<'_>,
    parent: &Node,
    el: &Element,
) -> Result<(String, FolderKind), ItemError> {
    let kind = kind_of(el)?;
    let name = el
        .child_text("DisplayName")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            // Unverified: the code Exchange gives for a folder without a name.
            ItemError::new(
                "ErrorFolderSavePropertyError",
                "The folder needs a DisplayName.",
            )
        })?;
    let nodes = folders::tree(ctx.mailbox, &ctx.ews.folders, ctx.data);
    if folders::children(&nodes, &parent.id).any(|n| n.display_name.eq_ignore_ascii_case(name)) {
        return Err(ItemError::new(
            "ErrorFolderExists",
            "A folder with the specified name already exists.",
        ));
    }
    if let Some(store) = store_kind(kind, parent) {
        let id = ctx.data.folder_set(store).add_folder(name, None).id.clone();
        return Ok((id, kind));
    }
    let class = el
        .child_text("FolderClass")
        .filter(|c| !c.is_empty())
        .unwrap_or(kind.default_class());
    let folder = CreatedFolder::new(ctx.mailbox, &parent.id, name, class, kind);
    let made = (folder.id.clone(), folder.kind);
    ctx.ews.folders.push(folder);
    Ok(made)
}

/// Runs the operation; returns the response messages.
pub fn run(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    let parent_el = op
        .child("ParentFolderId")
        .and_then(|p| p.children.first())
        .ok_or_else(|| EwsError::schema("the element 'ParentFolderId' is missing"))?;
    let new_folders = folders::list(op, "Folders")?;
    let parent = folders::resolve_node(ctx.mailbox, &ctx.ews.folders, ctx.data, parent_el);
    let mut w = Writer::new();
    for el in new_folders {
        let made = parent.clone().and_then(|p| create(ctx, &p, el));
        messages::write(
            &mut w,
            "CreateFolderResponseMessage",
            made,
            |w, (id, kind)| {
                let element = kind.element();
                w.open("m:Folders", &[]);
                w.open(element, &[]);
                w.empty(
                    "t:FolderId",
                    &[("Id", &id), ("ChangeKey", FOLDER_CHANGE_KEY)],
                );
                w.close(element);
                w.close("m:Folders");
            },
        );
    }
    Ok(w.finish())
}
