//! Response shapes (`ItemShape`/`FolderShape`): which properties an answer carries
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/itemshape).
//!
//! Invariant: `ItemId` is always part of a shape; `AdditionalProperties` only add to the base
//! shape. Extended properties (`ExtendedFieldURI`) are accepted; the emulator stores none, so
//! it answers them as Exchange answers an unset one: by leaving them out.

use std::collections::BTreeSet;

use super::error::EwsError;
use super::xml::Element;

/// Properties of the `Default` shape of a calendar item.
const DEFAULT: &[&str] = &[
    "item:Subject",
    "item:HasAttachments",
    "calendar:Start",
    "calendar:End",
    "calendar:LegacyFreeBusyStatus",
    "calendar:Location",
    "calendar:CalendarItemType",
    "calendar:Organizer",
];

/// Every property the emulator can write, in schema order.
pub const ALL: &[&str] = &[
    "item:ParentFolderId",
    "item:ItemClass",
    "item:Subject",
    "item:Sensitivity",
    "item:Body",
    "item:Categories",
    "item:Importance",
    "item:DateTimeCreated",
    "item:ReminderIsSet",
    "item:ReminderMinutesBeforeStart",
    "item:HasAttachments",
    "item:LastModifiedTime",
    "calendar:UID",
    "calendar:RecurrenceId",
    "calendar:DateTimeStamp",
    "calendar:Start",
    "calendar:End",
    "calendar:OriginalStart",
    "calendar:IsAllDayEvent",
    "calendar:LegacyFreeBusyStatus",
    "calendar:Location",
    "calendar:IsMeeting",
    "calendar:IsCancelled",
    "calendar:IsRecurring",
    "calendar:CalendarItemType",
    "calendar:MyResponseType",
    "calendar:Organizer",
    "calendar:Recurrence",
    "calendar:ModifiedOccurrences",
    "calendar:DeletedOccurrences",
    "calendar:StartTimeZone",
    "calendar:EndTimeZone",
];

/// The properties to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    fields: BTreeSet<String>,
}

impl Shape {
    /// Reads an `ItemShape` element (required by the schema where it is used).
    pub fn parse(el: Option<&Element>) -> Result<Self, EwsError> {
        let el = el.ok_or_else(|| EwsError::schema("the ItemShape element is missing"))?;
        let base = el
            .child_text("BaseShape")
            .ok_or_else(|| EwsError::schema("ItemShape needs a BaseShape"))?;
        let mut fields: BTreeSet<String> = match base {
            "IdOnly" => BTreeSet::new(),
            "Default" => DEFAULT.iter().map(|f| (*f).to_owned()).collect(),
            "AllProperties" => ALL.iter().map(|f| (*f).to_owned()).collect(),
            other => {
                return Err(EwsError::schema(format!(
                    "'{other}' is not a valid BaseShape"
                )));
            }
        };
        if let Some(more) = el.child("AdditionalProperties") {
            for p in &more.children {
                match (p.name.as_str(), p.attr("FieldURI")) {
                    ("FieldURI", Some(uri)) => {
                        fields.insert(uri.to_owned());
                    }
                    ("ExtendedFieldURI", _) => {}
                    ("IndexedFieldURI", Some(_)) => {}
                    _ => {
                        return Err(EwsError::schema(format!(
                            "'{}' is not a valid property path",
                            p.name
                        )));
                    }
                }
            }
        }
        Ok(Self { fields })
    }

    /// True when the property (e.g. `item:Subject`) is part of the shape.
    pub fn has(&self, uri: &str) -> bool {
        self.fields.contains(uri)
    }
}
