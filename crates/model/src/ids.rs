//! Identifiers of an item on each side.
//!
//! A business id is the primary key the business application gave the record; an Exchange id is
//! the immutable id Exchange gave the item. Both are opaque: exsync never parses them.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! opaque_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

opaque_id!(
    /// The business application's primary key of a record (appointment, task, contact).
    BusinessId
);
opaque_id!(
    /// Exchange's immutable id of an item (Graph `id` with `IdType="ImmutableId"`, EWS `ItemId`).
    ExchangeId
);
