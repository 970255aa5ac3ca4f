//! The cursor the Graph connector stores per mailbox and kind: the delta link, and what it was
//! made for (the window of a calendar view, the list or folder of tasks and contacts).
//!
//! Invariant: a cursor made for another window, list or folder is never followed; the round
//! starts over (and an initial round deletes nothing).

use serde::{Deserialize, Serialize};

/// A stored delta position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeltaCursor {
    /// What the delta link belongs to (window bounds, list id or folder id).
    pub scope: String,
    /// `@odata.deltaLink`.
    pub delta_link: String,
    /// Items exsync wrote after the delta link was made. The next round must report each of
    /// them (as changed or removed); one it does not report was deleted meanwhile — a delta
    /// feed never reports the deletion of an item created after its sync state — and is
    /// looked up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unconfirmed: Vec<String>,
    /// Calendar only: the change keys of the series masters, read at the start of the pass
    /// that made this cursor (`None`: not read; see `series_signal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<super::series_signal::SeriesKeys>,
}

impl DeltaCursor {
    /// The cursor's text as stored.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The cursor stored in `text` for `scope`, if it is one.
    pub fn stored(text: Option<&str>, scope: &str) -> Option<DeltaCursor> {
        let cursor: DeltaCursor = serde_json::from_str(text?).ok()?;
        (cursor.scope == scope && !cursor.delta_link.is_empty()).then_some(cursor)
    }

    /// The delta link stored in `text` for `scope`, if it is one.
    pub fn link_for(text: Option<&str>, scope: &str) -> Option<String> {
        Self::stored(text, scope).map(|c| c.delta_link)
    }

    /// `text` with `written` added to the unconfirmed items (`text` unchanged when it is not
    /// a cursor of this kind).
    pub fn with_written(text: &str, written: &[exsync_model::ExchangeId]) -> String {
        match serde_json::from_str::<DeltaCursor>(text) {
            Ok(mut cursor) => {
                cursor
                    .unconfirmed
                    .extend(written.iter().map(|id| id.as_str().to_owned()));
                cursor.unconfirmed.sort();
                cursor.unconfirmed.dedup();
                cursor.encode()
            }
            Err(_) => text.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_is_followed_only_for_its_own_scope() {
        let text = DeltaCursor {
            scope: "2026-06-01/2028-05-01".into(),
            delta_link: "https://graph/delta?$deltatoken=x".into(),
            unconfirmed: Vec::new(),
            series: None,
        }
        .encode();
        assert_eq!(
            DeltaCursor::link_for(Some(&text), "2026-06-01/2028-05-01").as_deref(),
            Some("https://graph/delta?$deltatoken=x")
        );
        assert_eq!(
            DeltaCursor::link_for(Some(&text), "2026-06-02/2028-05-02"),
            None
        );
        assert_eq!(DeltaCursor::link_for(Some("garbage"), "x"), None);
        assert_eq!(DeltaCursor::link_for(None, "x"), None);
    }
}

#[cfg(test)]
mod written_tests {
    use super::*;

    #[test]
    fn written_items_are_remembered_until_the_next_round() {
        let text = DeltaCursor {
            scope: "s".into(),
            delta_link: "link".into(),
            unconfirmed: Vec::new(),
            series: None,
        }
        .encode();
        let text = DeltaCursor::with_written(&text, &["B".into(), "A".into(), "B".into()]);
        let cursor = DeltaCursor::stored(Some(&text), "s").expect("a cursor");
        assert_eq!(cursor.unconfirmed, ["A", "B"]);
        assert_eq!(
            DeltaCursor::with_written("not json", &["A".into()]),
            "not json"
        );
    }
}
