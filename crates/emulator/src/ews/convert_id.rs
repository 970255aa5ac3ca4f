//! ConvertId: an item or folder id between the formats EWS knows
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/convertid-operation).
//!
//! Invariants: every format carries the same bytes — the EWS id's text — as the format
//! requires: `EwsId`, `EwsLegacyId` and `OwaId` as text, `EntryId` and `StoreId` as base64,
//! `HexEntryId` as upper-case hex; so any conversion round-trips exactly. Only ids of this
//! mailbox's items, occurrences and folders convert; anything else is `ErrorInvalidIdMalformed`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::Ctx;
use super::error::{EwsError, ItemError};
use super::ids;
use super::messages;
use super::xml::{Element, Writer};

const FORMATS: &[&str] = &[
    "EwsLegacyId",
    "EwsId",
    "EntryId",
    "HexEntryId",
    "StoreId",
    "OwaId",
];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The EWS id (as text) of an id in `format`.
fn to_ews(format: &str, id: &str) -> Option<String> {
    let bytes = match format {
        "EntryId" | "StoreId" => STANDARD.decode(id.trim()).ok()?,
        "HexEntryId" => unhex(id.trim())?,
        _ => id.trim().as_bytes().to_vec(),
    };
    String::from_utf8(bytes).ok()
}

/// An EWS id written in `format`.
fn from_ews(format: &str, id: &str) -> String {
    match format {
        "EntryId" | "StoreId" => STANDARD.encode(id.as_bytes()),
        "HexEntryId" => hex(id.as_bytes()),
        _ => id.to_owned(),
    }
}

/// Runs the operation; returns the response messages.
pub fn run(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    let destination = op
        .attr("DestinationFormat")
        .filter(|f| FORMATS.contains(f))
        .ok_or_else(|| EwsError::schema("DestinationFormat is missing or not valid"))?;
    let sources = op
        .child("SourceIds")
        .map(|c| c.children.as_slice())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| EwsError::schema("the element 'SourceIds' is missing or empty"))?;
    let mut w = Writer::new();
    for source in sources {
        let (Some(format), Some(id), Some(mailbox)) = (
            source.attr("Format").filter(|f| FORMATS.contains(f)),
            source.attr("Id"),
            source.attr("Mailbox"),
        ) else {
            return Err(EwsError::schema("AlternateId needs Format, Id and Mailbox"));
        };
        let converted = convert(ctx, format, id, mailbox).map(|ews| from_ews(destination, &ews));
        messages::write(&mut w, "ConvertIdResponseMessage", converted, |w, id| {
            w.empty(
                "m:AlternateId",
                &[
                    ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                    ("xsi:type", "t:AlternateIdType"),
                    ("Format", destination),
                    ("Id", &id),
                    ("Mailbox", mailbox),
                ],
            );
        });
    }
    Ok(w.finish())
}

fn convert(ctx: &Ctx<'_>, format: &str, id: &str, mailbox: &str) -> Result<String, ItemError> {
    if !ctx.mailbox.is_named(mailbox) {
        return Err(ItemError::malformed_id());
    }
    let ews = to_ews(format, id).ok_or_else(ItemError::malformed_id)?;
    let item = Element {
        name: "ItemId".to_owned(),
        attrs: vec![("Id".to_owned(), ews.clone())],
        ..Element::default()
    };
    let known = ids::folder_name(&ctx.mailbox.id, &ews).is_some()
        || ids::resolve(ctx.data, &item).is_ok()
        || ctx.data.folder_item(&ews).is_some();
    if known {
        Ok(ews)
    } else {
        Err(ItemError::malformed_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_round_trips() {
        let id = "AAMkAGI2_O20260406T100000";
        for format in FORMATS {
            assert_eq!(to_ews(format, &from_ews(format, id)).as_deref(), Some(id));
        }
        assert_eq!(from_ews("HexEntryId", "AB"), "4142");
        assert_eq!(unhex("414"), None);
        assert_eq!(to_ews("EntryId", "%%%"), None);
    }
}
