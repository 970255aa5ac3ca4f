//! GetItem: calendar items, series masters and occurrences, tasks and contacts by id, in the
//! requested shape
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/getitem-operation).
//!
//! Invariant: one `GetItemResponseMessage` per requested id, in request order; an unknown id
//! fails its own message only.

use super::Ctx;
use super::calendar_item::{self, target_view};
use super::error::EwsError;
use super::folder_item;
use super::ids;
use super::messages;
use super::shape::Shape;
use super::xml::{Element, Writer};

/// Runs the operation; returns the response messages.
pub fn run(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    let shape = Shape::parse(op.child("ItemShape"))?;
    let refs = op
        .child("ItemIds")
        .map(|c| c.children.as_slice())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| EwsError::schema("the element 'ItemIds' is missing or empty"))?;
    let mut w = Writer::new();
    for el in refs {
        if let Some((kind, folder, item)) = folder_item::lookup(ctx, el) {
            messages::success(&mut w, "GetItemResponseMessage", |w| {
                w.open("m:Items", &[]);
                folder_item::write_item(w, ctx, kind, &folder, &item, &shape);
                w.close("m:Items");
            });
            continue;
        }
        let view = ids::resolve(ctx.data, el).and_then(|r| target_view(ctx.data, &r.target));
        messages::write(&mut w, "GetItemResponseMessage", view, |w, view| {
            w.open("m:Items", &[]);
            calendar_item::write(w, &view, &shape, ctx.mailbox);
            w.close("m:Items");
        });
    }
    Ok(w.finish())
}
