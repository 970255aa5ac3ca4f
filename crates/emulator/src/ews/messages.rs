//! Response messages (`m:*ResponseMessage`) with `ResponseClass` and `ResponseCode`
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/responsecode).
//!
//! Invariant: an error message carries `MessageText`, `ResponseCode` and
//! `DescriptiveLinkKey` in schema order, followed only by what the schema requires (an empty
//! `Items` for item-info messages).

use super::error::ItemError;
use super::xml::Writer;

/// Messages of `ItemInfoResponseMessageType`, whose `Items` the schema requires even in an
/// error (Exchange writes it empty).
const ITEM_INFO: &[&str] = &[
    "GetItemResponseMessage",
    "CreateItemResponseMessage",
    "UpdateItemResponseMessage",
];

/// Writes a successful `m:{name}` message; `content` writes what follows `ResponseCode`.
pub fn success(w: &mut Writer, name: &str, content: impl FnOnce(&mut Writer)) {
    let tag = format!("m:{name}");
    w.open(&tag, &[("ResponseClass", "Success")]);
    w.text("m:ResponseCode", "NoError");
    content(w);
    w.close(&tag);
}

/// Writes a failed `m:{name}` message.
pub fn error(w: &mut Writer, name: &str, err: &ItemError) {
    let tag = format!("m:{name}");
    w.open(&tag, &[("ResponseClass", "Error")]);
    w.text("m:MessageText", &err.message);
    w.text("m:ResponseCode", err.code);
    w.text("m:DescriptiveLinkKey", "0");
    if ITEM_INFO.contains(&name) {
        w.empty("m:Items", &[]);
    }
    w.close(&tag);
}

/// Writes either, from a result.
pub fn write<T>(
    w: &mut Writer,
    name: &str,
    result: Result<T, ItemError>,
    content: impl FnOnce(&mut Writer, T),
) {
    match result {
        Ok(value) => success(w, name, |w| content(w, value)),
        Err(e) => error(w, name, &e),
    }
}
