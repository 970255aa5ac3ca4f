//! What the Graph front end keeps in the store besides mailbox items: delta state tokens,
//! extended properties, request limits,
//! To Do lists and contact folders.
//!
//! Invariant: it lives inside the one store (`State::graph`), so it is read and written under
//! the same lock as the items it describes.

use super::delta::DeltaStates;
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
    /// To Do lists and contact folders with their items and delta tokens.
    pub folders: Folders,
}

impl GraphState {
    /// Forgets every delta state token (calendarView, tasks, contacts).
    pub fn expire_delta_tokens(&mut self) {
        self.delta.clear();
        self.folders.clear_tokens();
    }
}
