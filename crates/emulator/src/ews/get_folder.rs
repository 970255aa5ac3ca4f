//! GetFolder: any folder of the mailbox's tree — the well-known ones, the store's contact and
//! task folders, and the created ones
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/getfolder-operation).
//!
//! Invariant: one `GetFolderResponseMessage` per requested folder, in request order.

use super::Ctx;
use super::error::EwsError;
use super::folder_view::{self, FolderShape};
use super::folders::{self, Folder, Node};
use super::messages;
use super::xml::{Element, Writer};

/// Runs the operation; returns the response messages.
pub fn run(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    let shape = FolderShape::parse(op.child("FolderShape"))?;
    let nodes = folders::tree(ctx.mailbox, &ctx.ews.folders, ctx.data);
    let mut w = Writer::new();
    for el in folders::list(op, "FolderIds")? {
        let found = folders::resolve_node(ctx.mailbox, &ctx.ews.folders, ctx.data, el);
        messages::write(&mut w, "GetFolderResponseMessage", found, |w, node| {
            w.open("m:Folders", &[]);
            folder_view::write(w, &nodes, &node, &shape, item_count(ctx, &node));
            w.close("m:Folders");
        });
    }
    Ok(w.finish())
}

/// The number of items a folder holds: the calendar's events, a store folder's tasks or
/// contacts; other folders hold none.
pub fn item_count(ctx: &Ctx<'_>, node: &Node) -> usize {
    if node.well_known == Some(Folder::Calendar) {
        return ctx.data.events().len();
    }
    node.store
        .as_ref()
        .and_then(|(kind, id)| ctx.data.folders(*kind).iter().find(|f| &f.id == id))
        .map_or(0, |f| f.items.len())
}
