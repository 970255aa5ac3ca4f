//! What EWS tasks (`t:Task`) and contacts (`t:Contact`) share: the folders they live in (the
//! store's task and contact folders, the defaults being the well-known `tasks` and `contacts`
//! folders), the base shape of an answer, the `ItemType` part every item starts with, and the
//! conversions between EWS values and the Graph-shaped property maps the store keeps.
//!
//! Invariants: an item is only ever looked up in the mailbox the request acts in; the
//! `ItemType` elements are written in `types.xsd` order (ItemId, ParentFolderId, ItemClass,
//! Subject, Sensitivity, Body, Categories, Importance, DateTimeCreated, ReminderDueBy,
//! ReminderIsSet, HasAttachments, LastModifiedTime); times are written as UTC instants.

use chrono::{DateTime, NaiveDateTime, Utc};
use exsync_model::{TimeZoneName, ZonedDateTime};
use serde_json::{Map, Value, json};

use super::Ctx;
use super::calendar_item::stamp;
use super::draft::{Stamp, parse_stamp};
use super::error::ItemError;
use super::folders::{self, Folder as WellKnown};
use super::shape::Shape;
use super::xml::{Element, Writer};
use crate::org::Mailbox;
use crate::store::folders::{Folder, Item, Kind};

/// Where a folder element points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The calendar (served by the calendar item code).
    Calendar,
    /// A task or contact folder of the store, by its store id.
    Store(Kind, String),
}

/// Reads a `DistinguishedFolderId`/`FolderId`: `tasks` and `contacts` (or their ids) are the
/// default folders of the store; a `FolderId` may also carry a store folder's own id (what
/// Graph calls the list or contact folder id).
pub fn resolve(ctx: &Ctx<'_>, el: &Element) -> Result<Place, ItemError> {
    if el.name == "FolderId"
        && let Some(id) = el.attr("Id")
    {
        for kind in [Kind::TodoLists, Kind::ContactFolders] {
            if let Some(f) = ctx.data.folders(kind).iter().find(|f| f.id == id) {
                return Ok(Place::Store(kind, f.id.clone()));
            }
        }
    }
    let default_of = |kind: Kind| {
        ctx.data
            .folders(kind)
            .iter()
            .find(|f| f.well_known.is_some())
            .map(|f| Place::Store(kind, f.id.clone()))
            .ok_or_else(ItemError::folder_not_found)
    };
    match folders::resolve(ctx.mailbox, el)? {
        WellKnown::Calendar => Ok(Place::Calendar),
        WellKnown::Tasks => default_of(Kind::TodoLists),
        WellKnown::Contacts => default_of(Kind::ContactFolders),
        _ => Err(ItemError::new(
            "ErrorInvalidOperation",
            "The emulator keeps no items in this folder.",
        )),
    }
}

/// The default folder of `kind` (where CreateItem saves without `SavedItemFolderId`).
pub fn default_place(ctx: &Ctx<'_>, kind: Kind) -> Result<Place, ItemError> {
    ctx.data
        .folders(kind)
        .iter()
        .find(|f| f.well_known.is_some())
        .map(|f| Place::Store(kind, f.id.clone()))
        .ok_or_else(ItemError::folder_not_found)
}

/// The EWS id of a store folder: the well-known folder's id for a default folder, else the
/// store's own id.
pub fn ews_folder_id(mailbox: &Mailbox, kind: Kind, folder: &Folder) -> String {
    match (folder.well_known, kind) {
        (Some(_), Kind::TodoLists) => WellKnown::Tasks.id(mailbox),
        (Some(_), Kind::ContactFolders) => WellKnown::Contacts.id(mailbox),
        (None, _) => folder.id.clone(),
    }
}

/// The element name of an item of `kind`.
pub fn element(kind: Kind) -> &'static str {
    match kind {
        Kind::TodoLists => "t:Task",
        Kind::ContactFolders => "t:Contact",
    }
}

/// Which base shape a request asked for. [`Shape`] keeps only the resulting calendar field set,
/// so the base is recognised by fields only that base contains (`calendar:UID` only in
/// `AllProperties`, `calendar:CalendarItemType` in `Default` and `AllProperties`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// `IdOnly`.
    IdOnly,
    /// `Default`.
    Default,
    /// `AllProperties`.
    All,
}

/// The properties to write for one item type: the base shape's list plus what was added.
pub struct Props<'a> {
    shape: &'a Shape,
    base: Base,
    default: &'static [&'static str],
}

impl<'a> Props<'a> {
    /// The properties `shape` asks for, where `default` is the type's `Default` shape.
    pub fn new(shape: &'a Shape, default: &'static [&'static str]) -> Self {
        let base = if shape.has("calendar:UID") && shape.has("calendar:DeletedOccurrences") {
            Base::All
        } else if shape.has("calendar:CalendarItemType") && shape.has("calendar:Organizer") {
            Base::Default
        } else {
            Base::IdOnly
        };
        Self {
            shape,
            base,
            default,
        }
    }

    /// True when the property (e.g. `task:DueDate`) is to be written.
    pub fn has(&self, uri: &str) -> bool {
        self.shape.has(uri)
            || match self.base {
                Base::All => true,
                Base::Default => self.default.contains(&uri),
                Base::IdOnly => false,
            }
    }
}

/// The `ItemType` part of a task or contact.
pub struct Head<'a> {
    /// The stored item.
    pub item: &'a Item,
    /// EWS id of its folder.
    pub folder_id: String,
    /// `IPM.Task`, `IPM.Contact`.
    pub class: &'static str,
    /// Subject.
    pub subject: String,
    /// Body: content and whether it is HTML.
    pub body: Option<(String, bool)>,
    /// Importance (`Low`, `Normal`, `High`).
    pub importance: &'static str,
    /// Reminder: when it is due and whether it is set.
    pub reminder: Option<(Option<DateTime<Utc>>, bool)>,
}

/// Writes `t:ItemId` and the `ItemType` properties of `props`.
pub fn write_head(w: &mut Writer, head: &Head<'_>, props: &Props<'_>) {
    let item = head.item;
    w.empty(
        "t:ItemId",
        &[("Id", &item.id), ("ChangeKey", &item.change_key)],
    );
    if props.has("item:ParentFolderId") {
        w.empty("t:ParentFolderId", &[("Id", &head.folder_id)]);
    }
    if props.has("item:ItemClass") {
        w.text("t:ItemClass", head.class);
    }
    if props.has("item:Subject") {
        w.text("t:Subject", &head.subject);
    }
    if props.has("item:Sensitivity") {
        w.text("t:Sensitivity", "Normal");
    }
    if props.has("item:Body") {
        let (content, html) = head.body.clone().unwrap_or_default();
        let kind = if html { "HTML" } else { "Text" };
        w.text_with("t:Body", &[("BodyType", kind)], &content);
    }
    if props.has("item:Categories") {
        w.open("t:Categories", &[]);
        for c in strings(&item.fields, "categories") {
            w.text("t:String", &c);
        }
        w.close("t:Categories");
    }
    if props.has("item:Importance") {
        w.text("t:Importance", head.importance);
    }
    if props.has("item:DateTimeCreated") {
        w.text("t:DateTimeCreated", &stamp(item.created));
    }
    if let Some((due, set)) = head.reminder {
        if let (true, Some(due)) = (props.has("item:ReminderDueBy"), due) {
            w.text("t:ReminderDueBy", &stamp(due));
        }
        if props.has("item:ReminderIsSet") {
            w.text("t:ReminderIsSet", if set { "true" } else { "false" });
        }
    }
    if props.has("item:HasAttachments") {
        w.text("t:HasAttachments", "false");
    }
    if props.has("item:LastModifiedTime") {
        w.text("t:LastModifiedTime", &stamp(item.last_modified));
    }
}

/// A task or contact named by an `ItemId` element: its kind, its folder's store id and the item.
pub fn lookup(ctx: &Ctx<'_>, el: &Element) -> Option<(Kind, String, Item)> {
    if el.name != "ItemId" {
        return None;
    }
    let (kind, folder, item) = ctx.data.folder_item(el.attr("Id")?)?;
    Some((kind, folder.id.clone(), item.clone()))
}

/// Writes a stored task or contact (`t:Task`/`t:Contact`) in the shape asked for.
pub fn write_item(
    w: &mut Writer,
    ctx: &Ctx<'_>,
    kind: Kind,
    folder_id: &str,
    item: &Item,
    shape: &Shape,
) {
    let folder = ctx.data.folders(kind).iter().find(|f| f.id == folder_id);
    let ews_id = folder.map_or_else(
        || folder_id.to_owned(),
        |f| ews_folder_id(ctx.mailbox, kind, f),
    );
    match kind {
        Kind::TodoLists => super::task_item::write(w, item, ews_id, shape),
        Kind::ContactFolders => super::contact_item::write(w, item, ews_id, shape),
    }
}

/// A string property of a stored item.
pub fn text<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    fields.get(key).and_then(Value::as_str)
}

/// A string list property of a stored item.
pub fn strings(fields: &Map<String, Value>, key: &str) -> Vec<String> {
    fields
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The `t:String` children of an `ArrayOfStringsType` element.
pub fn read_strings(el: &Element) -> Value {
    Value::Array(
        el.all("String")
            .map(|s| Value::String(s.text.clone()))
            .collect(),
    )
}

/// An `xs:dateTime` as an instant (a time without zone is read as UTC, as the calendar code
/// does without a `TimeZoneContext`).
pub fn read_instant(el: &Element) -> Result<DateTime<Utc>, ItemError> {
    match parse_stamp(&el.text) {
        Some(Stamp::Instant(t)) => Ok(t),
        Some(Stamp::Local(t)) => Ok(t.and_utc()),
        None => Err(ItemError::invalid_value(&el.name)),
    }
}

/// A Graph `dateTimeTimeZone` in UTC.
pub fn when_value(t: DateTime<Utc>) -> Value {
    let local = format!("{}.0000000", t.format("%Y-%m-%dT%H:%M:%S"));
    json!({"dateTime": local, "timeZone": "UTC"})
}

/// The instant of a Graph `dateTimeTimeZone` (an unknown zone is read as UTC).
pub fn when_instant(value: Option<&Value>) -> Option<DateTime<Utc>> {
    let value = value?;
    let local = value.get("dateTime").and_then(Value::as_str)?;
    let local = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    let zone = value
        .get("timeZone")
        .and_then(Value::as_str)
        .and_then(|z| TimeZoneName::new(z).ok())
        .unwrap_or_else(TimeZoneName::utc);
    Some(
        ZonedDateTime::new(local, zone)
            .to_utc()
            .unwrap_or_else(|_| local.and_utc()),
    )
}

/// A Graph `itemBody` from an EWS `Body` element.
pub fn read_body(el: &Element) -> Value {
    let html = el.attr("BodyType").is_some_and(|t| t == "HTML");
    json!({"content": el.text, "contentType": if html { "html" } else { "text" }})
}

/// The `FieldURI` or `IndexedFieldURI` of a `SetItemField`/`DeleteItemField`: the URI and the
/// index, if any.
pub fn field_path(update: &Element) -> Option<(String, Option<String>)> {
    if let Some(f) = update.child("FieldURI") {
        return Some((f.attr("FieldURI")?.to_owned(), None));
    }
    let f = update.child("IndexedFieldURI")?;
    Some((
        f.attr("FieldURI")?.to_owned(),
        f.attr("FieldIndex").map(str::to_owned),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_times_round_trip_through_utc() {
        let t = DateTime::parse_from_rfc3339("2026-03-01T09:30:00Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(when_instant(Some(&when_value(t))), Some(t));
        let berlin =
            json!({"dateTime": "2026-03-01T10:30:00.0000000", "timeZone": "Europe/Berlin"});
        assert_eq!(when_instant(Some(&berlin)), Some(t));
        assert_eq!(when_instant(None), None);
    }
}
