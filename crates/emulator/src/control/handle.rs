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
        self.store().lock().control.drop_next = requests;
    }

    /// Makes every EWS `SyncState` issued so far answer `ErrorInvalidSyncStateData`; states
    /// issued afterwards work.
    pub fn expire_ews_sync_states(&self) {
        self.store().lock().control.expire_sync_states();
    }

    /// Removes every latency, error rate and pending connection drop (counters stay).
    pub fn clear_faults(&self) {
        self.store().lock().control.clear();
    }
}
