//! Graph v1.0 JSON <-> exsync model: events (single items, series, occurrences, exceptions),
//! To Do tasks and contacts. Pure: no I/O, no clock.
//!
//! Invariant: every property name written here exists on the Graph v1.0 CSDL type it is sent
//! as (`event`, `todoTask`, `contact` and their complex types; checked by
//! `tests/wire_csdl.rs`), attendees are never written (exsync never sends invitations), and
//! every error names the Graph item and the property that could not be read.

pub mod contact;
pub mod event;
pub mod recurrence;
pub mod series;
pub mod task;

mod values;

use exsync_model::{ExpandError, UnknownTimeZone};

pub use values::{format_local, graph_zone_name, parse_local, parse_timestamp};

/// The single-value extended property (MAPI named property, string type, in exsync's own
/// property set) that carries the business id on every event and contact exsync writes.
/// Format per Microsoft Learn "singleValueLegacyExtendedProperty": `String {GUID} Name name`.
/// Read it with `$expand=singleValueExtendedProperties($filter=id eq '<this>')`.
pub const BUSINESS_ID_PROPERTY: &str =
    "String {a42cbdf3-bae0-4cee-a2fb-99aa72ae86b8} Name exsync.businessId";

/// The contact's business fax number (MAPI `PidTagBusinessFaxNumber`, tag 0x3A24): Graph v1.0
/// `contact` has no fax property, so it travels as a tagged extended property. Expand it
/// together with [`BUSINESS_ID_PROPERTY`] when reading contacts.
pub const BUSINESS_FAX_PROPERTY: &str = "String 0x3A24";

/// `applicationName` of the To Do `linkedResource` that carries a task's business id: Graph
/// v1.0 `todoTask` has no `singleValueExtendedProperties` in the CSDL, but `linkedResources`
/// (`applicationName`, `externalId`) can be created together with the task (Microsoft Learn,
/// "Create linkedResource": "You can also create a linkedResource object while creating a
/// task"). Read it with `$expand=linkedResources`.
pub const TASK_LINK_APPLICATION: &str = "exsync";

/// Why Graph JSON could not be converted, or a model item could not be written as Graph JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// A property the conversion needs is absent (or null).
    #[error("Graph item {item}: property {property} is missing")]
    Missing {
        /// The Graph id of the item (or a description when it has none).
        item: String,
        /// The JSON property.
        property: String,
    },
    /// A property holds a value of the wrong shape or an unknown value.
    #[error("Graph item {item}: property {property} has the unsupported value {value}")]
    Unsupported {
        /// The Graph id of the item.
        item: String,
        /// The JSON property.
        property: String,
        /// The offending value (never a secret: only calendar/contact data is converted here).
        value: String,
    },
    /// A time zone name is not known.
    #[error("item {item}: {source}")]
    Zone {
        /// The Graph id or subject of the item.
        item: String,
        /// The zone error.
        source: UnknownTimeZone,
    },
    /// Occurrences of a series could not be computed.
    #[error("item {item}: {source}")]
    Expand {
        /// The Graph id or subject of the item.
        item: String,
        /// The expansion error.
        source: ExpandError,
    },
    /// A patch was asked for a field the model type does not have.
    #[error("no such field to patch: {0}")]
    UnknownField(String),
    /// The item cannot be written as it is (e.g. more than three e-mail addresses).
    #[error("item {item} cannot be written: {reason}")]
    Invalid {
        /// The subject or name of the item.
        item: String,
        /// What is wrong.
        reason: String,
    },
}

impl WireError {
    pub(crate) fn missing(item: &str, property: &str) -> Self {
        WireError::Missing {
            item: item.to_owned(),
            property: property.to_owned(),
        }
    }

    pub(crate) fn unsupported(item: &str, property: &str, value: impl ToString) -> Self {
        WireError::Unsupported {
            item: item.to_owned(),
            property: property.to_owned(),
            value: value.to_string(),
        }
    }

    pub(crate) fn zone(item: &str, source: UnknownTimeZone) -> Self {
        WireError::Zone {
            item: item.to_owned(),
            source,
        }
    }
}
