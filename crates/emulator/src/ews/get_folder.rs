//! GetFolder: the calendar, the root and the top of the information store
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/getfolder-operation).
//!
//! Invariant: one `GetFolderResponseMessage` per requested folder, in request order.

use super::Ctx;
use super::error::EwsError;
use super::folders::{self, Folder};
use super::messages;
use super::xml::{Element, Writer};

/// Runs the operation; returns the response messages.
pub fn run(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    let base = op
        .path(&["FolderShape", "BaseShape"])
        .map(|b| b.text.trim())
        .ok_or_else(|| EwsError::schema("the FolderShape element is missing"))?;
    if !matches!(base, "IdOnly" | "Default" | "AllProperties") {
        return Err(EwsError::schema(format!(
            "'{base}' is not a valid BaseShape"
        )));
    }
    let mut w = Writer::new();
    for el in folders::list(op, "FolderIds")? {
        let found = folders::resolve(ctx.mailbox, el);
        messages::write(&mut w, "GetFolderResponseMessage", found, |w, folder| {
            w.open("m:Folders", &[]);
            write_folder(w, ctx, folder, base);
            w.close("m:Folders");
        });
    }
    Ok(w.finish())
}

fn write_folder(w: &mut Writer, ctx: &Ctx<'_>, folder: Folder, base: &str) {
    let element = match folder {
        Folder::Calendar => "t:CalendarFolder",
        Folder::Root | Folder::MsgFolderRoot => "t:Folder",
    };
    w.open(element, &[]);
    w.empty(
        "t:FolderId",
        &[("Id", &folder.id(ctx.mailbox)), ("ChangeKey", "AQAAAA==")],
    );
    if base == "IdOnly" {
        w.close(element);
        return;
    }
    if base == "AllProperties" {
        if folder != Folder::Root {
            let parent = folder.parent().id(ctx.mailbox);
            w.empty(
                "t:ParentFolderId",
                &[("Id", &parent), ("ChangeKey", "AQAAAA==")],
            );
        }
        if folder == Folder::Calendar {
            w.text("t:FolderClass", "IPF.Appointment");
        }
    }
    w.text("t:DisplayName", folder.display_name());
    let total = match folder {
        Folder::Calendar => ctx.data.events().len(),
        Folder::Root | Folder::MsgFolderRoot => 0,
    };
    w.text("t:TotalCount", &total.to_string());
    let children = if folder == Folder::Calendar { "0" } else { "1" };
    w.text("t:ChildFolderCount", children);
    if folder != Folder::Calendar {
        w.text("t:UnreadCount", "0");
    }
    w.close(element);
}
