//! EWS throttling: at most `EWSMaxConcurrency` requests of one caller (27 by default, as
//! Exchange 2013 and later) are in flight at a time; one more is answered with the SOAP fault
//! `ErrorServerBusy` carrying `BackOffMilliseconds` in `MessageXml`
//! (https://learn.microsoft.com/exchange/client-developer/exchange-web-services/ews-throttling-in-exchange).
//!
//! Invariant: a request holds its [`Slot`] from the moment its headers are authenticated until
//! its answer is built (or its connection is gone); dropping the slot always frees it.

use std::collections::HashMap;

use super::auth::Caller;
use super::envelope;
use crate::server::{EmulatorHandle, Shared};
use crate::store::Store;

/// `EWSMaxConcurrency` of Exchange 2013 and later.
pub const DEFAULT_MAX_CONCURRENCY: usize = 27;
/// What `ErrorServerBusy` asks the client to wait.
pub const BACK_OFF_MILLISECONDS: u64 = 5000;

/// Requests in flight per caller and the limit.
#[derive(Debug)]
pub struct Concurrency {
    in_flight: HashMap<String, usize>,
    max: usize,
}

impl Default for Concurrency {
    fn default() -> Self {
        Self {
            in_flight: HashMap::new(),
            max: DEFAULT_MAX_CONCURRENCY,
        }
    }
}

/// A request's place among its caller's requests in flight.
#[derive(Debug)]
pub struct Slot {
    store: Store,
    key: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.store.lock();
        let counts = &mut state.ews.concurrency.in_flight;
        if let Some(n) = counts.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

fn key(caller: &Caller) -> String {
    match caller {
        Caller::Account {
            tenant_id,
            username,
        } => format!("account:{tenant_id}:{}", username.to_ascii_lowercase()),
        Caller::App {
            tenant_id,
            client_id,
        } => format!("app:{tenant_id}:{client_id}"),
    }
}

/// Takes a slot for `caller`; `None` when the caller already has the maximum in flight.
pub fn enter(shared: &Shared, caller: &Caller) -> Option<Slot> {
    let key = key(caller);
    let mut state = shared.store.lock();
    let max = state.ews.concurrency.max;
    let n = state
        .ews
        .concurrency
        .in_flight
        .entry(key.clone())
        .or_insert(0);
    if *n >= max {
        return None;
    }
    *n += 1;
    Some(Slot {
        store: shared.store.clone(),
        key,
    })
}

/// The `ErrorServerBusy` fault.
pub fn busy_fault() -> String {
    envelope::fault_with_xml(
        "ErrorServerBusy",
        "The server cannot service this request right now. Try again later.",
        &format!(
            "<t:MessageXml xmlns:t=\"{}\"><t:Value Name=\"BackOffMilliseconds\">{}</t:Value>\
             </t:MessageXml>",
            envelope::TYPES_NS,
            BACK_OFF_MILLISECONDS
        ),
    )
}

impl EmulatorHandle {
    /// Sets `EWSMaxConcurrency`: how many EWS requests one caller may have in flight
    /// (default 27); a request beyond it gets `ErrorServerBusy`.
    pub fn set_ews_max_concurrency(&self, max: usize) {
        self.store().lock().ews.concurrency.max = max;
    }
}
