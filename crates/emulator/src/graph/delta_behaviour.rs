//! How `calendarView/delta` answers where Exchange Online is less tidy than the documentation:
//! bare occurrences, silence about cancelled occurrences, `@removed` for items outside the
//! window, series masters in the feed, empty pages with a next link, and links that expire after
//! three newer generations. Each is on by default (the harsher reading where sources disagree);
//! the fields here are the knobs that switch them off (`EmulatorHandle::set_graph_delta`,
//! `PUT /_emulator/graph-delta`). Sources are listed in `docs/emulator.md`, *Delta*.
//!
//! Invariant: the default value is Exchange Online's behaviour as reported; a field left out of
//! a control request takes its default, so a request names only what it changes.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a delta round reports for an occurrence cancelled in a series that still exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelledOccurrence {
    /// Nothing at all (microsoftgraph/microsoft-graph-docs#4501: "No indication is given for a
    /// deleted occurrence"); the default.
    #[default]
    Silent,
    /// No `@removed`, but the series' remaining occurrences in the window are sent again.
    ResendSeries,
    /// `@removed` for the cancelled occurrence (the emulator's behaviour before issue 11).
    Removed,
}

/// The delta knobs; `Default` is Exchange Online's behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeltaBehaviour {
    /// Occurrences and exceptions carry every event property (false: only `id`, `type`,
    /// `seriesMasterId`, `start`, `end` and `@odata.etag`).
    pub full_occurrences: bool,
    /// What a cancelled occurrence produces.
    pub cancelled_occurrence: CancelledOccurrence,
    /// A later round sends `@removed` for an event written since that has nothing in the
    /// window (created outside it, or moved out of it).
    pub removed_outside_window: bool,
    /// A round that reports a series' occurrences also sends the series master.
    pub series_masters: bool,
    /// Empty pages (with an `@odata.nextLink`) that open every round.
    pub leading_empty_pages: u32,
    /// Delta-link generations of one chain of rounds kept; older delta and next links answer
    /// 410 `SyncStateNotFound`. `None` keeps every link (until `expire_delta_tokens`).
    pub kept_generations: Option<u64>,
}

impl Default for DeltaBehaviour {
    fn default() -> Self {
        Self {
            full_occurrences: false,
            cancelled_occurrence: CancelledOccurrence::Silent,
            removed_outside_window: true,
            series_masters: true,
            leading_empty_pages: 1,
            kept_generations: Some(3),
        }
    }
}

impl DeltaBehaviour {
    /// The emulator's behaviour before issue 11: full items, cancelled occurrences removed,
    /// nothing about items outside the window, no masters, no empty pages, links kept.
    pub fn tidy() -> Self {
        Self {
            full_occurrences: true,
            cancelled_occurrence: CancelledOccurrence::Removed,
            removed_outside_window: false,
            series_masters: false,
            leading_empty_pages: 0,
            kept_generations: None,
        }
    }
}

/// The properties a delta round keeps of an occurrence or exception.
const BARE: [&str; 6] = [
    "@odata.etag",
    "id",
    "type",
    "seriesMasterId",
    "start",
    "end",
];

/// Strips an occurrence or exception to what Graph's delta sends of it; other items are left
/// alone.
pub(crate) fn make_bare(value: &mut Value) {
    let instance = matches!(value["type"].as_str(), Some("occurrence" | "exception"));
    if let (true, Some(map)) = (instance, value.as_object_mut()) {
        map.retain(|key, _| BARE.contains(&key.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn occurrences_are_stripped_and_singles_kept() {
        let mut occurrence = json!({"id": "a", "type": "occurrence", "seriesMasterId": "m",
            "start": {}, "end": {}, "@odata.etag": "W/\"1\"", "subject": "x"});
        make_bare(&mut occurrence);
        assert!(occurrence.get("subject").is_none());
        assert_eq!(occurrence.as_object().map(|m| m.len()), Some(6));
        let mut single = json!({"id": "b", "type": "singleInstance", "subject": "x"});
        make_bare(&mut single);
        assert_eq!(single["subject"], "x");
    }

    #[test]
    fn a_partial_control_body_keeps_the_other_defaults() {
        let read: DeltaBehaviour =
            serde_json::from_value(json!({"leading_empty_pages": 0})).expect("parse");
        assert_eq!(read.leading_empty_pages, 0);
        assert_eq!(read.kept_generations, Some(3));
        assert!(serde_json::from_value::<DeltaBehaviour>(json!({"nope": 1})).is_err());
    }
}
