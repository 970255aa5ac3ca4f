//! The fault knobs as methods on [`EmulatorHandle`], for in-process tests; the control API
//! calls the same methods.
//!
//! Invariant: every knob changes only the control state (or the store knob it reuses) under
//! one lock; none blocks on I/O.

use std::time::Duration;

use super::{ControlError, Protocol, RequestCount};
use crate::server::EmulatorHandle;

impl EmulatorHandle {
    /// Requests counted so far per protocol, operation and mailbox (control requests excluded).
    pub fn request_counts(&self) -> Vec<RequestCount> {
        self.store().lock().control.counts()
    }

    /// Sets the counters back to zero.
    pub fn reset_request_counts(&self) {
        self.store().lock().control.counts.clear();
    }

    /// Delays every request of `protocol` (or of every protocol, `None`) by `latency` before it
    /// is served; a protocol's own setting wins over the general one. Zero removes it.
    pub fn set_fault_latency(&self, protocol: Option<Protocol>, latency: Duration) {
        self.store().lock().control.set_latency(protocol, latency);
    }

    /// Makes `rate` (0.0..=1.0) of the requests to `protocol` answer `status` (EWS: the
    /// `ErrorServerBusy` fault whatever the status). Replaces an earlier rate for the same
    /// protocol and status; rate 0 removes it.
    pub fn set_error_rate(
        &self,
        protocol: Protocol,
        status: u16,
        rate: f64,
    ) -> Result<(), ControlError> {
        self.store().lock().control.set_rate(protocol, status, rate)
    }

    /// Restarts the fault generator from `seed`: the same seed and request sequence give the
    /// same injected errors.
    pub fn seed_faults(&self, seed: u64) {
        self.store().lock().control.reseed(seed);
    }

    /// Closes the TCP connection of each of the next `requests` requests without an answer.
    pub fn drop_connections(&self, requests: u64) {
        self.drop_connections_after(0, requests);
    }

    /// As [`EmulatorHandle::drop_connections`], after letting `skip` requests through.
    pub fn drop_connections_after(&self, skip: u64, requests: u64) {
        let mut state = self.store().lock();
        state.control.drop_skip = skip;
        state.control.drop_next = requests;
    }

    /// Serves each of the next `requests` Graph requests normally (writes are committed), then
    /// closes its TCP connection without the answer: the client sees a transport error after
    /// the server acted. Dropped or error-injected requests do not count.
    pub fn lose_answers(&self, requests: u64) {
        self.lose_answers_after(0, requests);
    }

    /// As [`EmulatorHandle::lose_answers`], after answering `skip` served Graph requests.
    pub fn lose_answers_after(&self, skip: u64, requests: u64) {
        let mut state = self.store().lock();
        state.control.lose_skip = skip;
        state.control.lose_next = requests;
    }

    /// Faults still pending: (connection drops, lost answers), skipped requests included.
    pub fn pending_faults(&self) -> (u64, u64) {
        let state = self.store().lock();
        let control = &state.control;
        (
            control.drop_next + control.drop_skip * u64::from(control.drop_next > 0),
            control.lose_next + control.lose_skip * u64::from(control.lose_next > 0),
        )
    }

    /// Makes every EWS `SyncState` issued so far answer `ErrorInvalidSyncStateData`; states
    /// issued afterwards work.
    pub fn expire_ews_sync_states(&self) {
        self.store().lock().control.expire_sync_states();
    }

    /// Removes every latency, error rate, pending connection drop and pending lost answer
    /// (counters stay).
    pub fn clear_faults(&self) {
        self.store().lock().control.clear();
    }
}
