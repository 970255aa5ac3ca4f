//! What the Graph front end keeps in the store besides mailbox items: delta state tokens,
//! extended properties, request limits,
//! and the delta tokens of To Do lists and contact folders (whose items live in the mailbox
//! store, shared with EWS).
//!
//! Invariant: it lives inside the one store (`State::graph`), so it is read and written under
//! the same lock as the items it describes.

use super::delta_tokens::DeltaStates;
use super::extended::ExtendedProperties;
use super::folders::Folders;
use super::throttle::Limits;

/// Graph-only state in the store.
#[derive(Debug, Default)]
pub struct GraphState {
    /// Issued calendarView delta state tokens.
    pub delta: DeltaStates,
    /// Events' single-value extended properties.
    pub extended: ExtendedProperties,
    /// Per-app, per-mailbox request limits.
    pub limits: Limits,
    /// Delta state tokens of To Do lists and contact folders.
    pub folders: Folders,
}

impl GraphState {
    /// Forgets every delta state token (calendarView, tasks, contacts).
    pub fn expire_delta_tokens(&mut self) {
        self.delta.clear();
        self.folders.clear_tokens();
    }
}
