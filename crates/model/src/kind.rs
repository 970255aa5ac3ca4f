//! The three kinds of item exsync keeps in sync, and their stable names.
//!
//! The names returned by [`ItemKind::as_str`] are persisted (state store, journal, config), so
//! they never change.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What an item is: every link, cursor and plan is per mailbox and per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A calendar item: a single appointment or a recurring series with its exceptions.
    Appointment,
    /// A task (Microsoft To Do / Outlook task).
    Task,
    /// A contact of the company address book.
    Contact,
}

impl ItemKind {
    /// Every kind, in a fixed order.
    pub const ALL: [ItemKind; 3] = [ItemKind::Appointment, ItemKind::Task, ItemKind::Contact];

    /// The persisted name: `appointment`, `task` or `contact`.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Appointment => "appointment",
            ItemKind::Task => "task",
            ItemKind::Contact => "contact",
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An item kind name that is not one of `appointment`, `task`, `contact`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown item kind {0:?}: expected appointment, task or contact")]
pub struct UnknownItemKind(pub String);

impl FromStr for ItemKind {
    type Err = UnknownItemKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ItemKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownItemKind(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for kind in ItemKind::ALL {
            assert_eq!(kind.as_str().parse::<ItemKind>(), Ok(kind));
        }
        assert_eq!(
            "event".parse::<ItemKind>(),
            Err(UnknownItemKind("event".into()))
        );
    }
}
