//! EWS throttling as Exchange Online answers it
//! (https://learn.microsoft.com/exchange/client-developer/exchange-web-services/ews-throttling-in-exchange):
//!
//! - `EWSMaxConcurrency`: at most 27 requests of one caller in flight; one more is the SOAP
//!   fault `ErrorExceededConnectionCount` (HTTP 500), its `MessageXml` naming the policy as
//!   Exchange Online does (OfficeDev/ews-managed-api#293, exchangelib#279).
//! - `ConcurrentSyncCalls`: at most 5 sync calls (SyncFolderItems, and GetEvents unless a knob
//!   says otherwise) per mailbox in flight; one more is answered HTTP 200 with an error
//!   response message `ErrorServerBusy` whose `MessageXml` carries `BackOffMilliseconds`
//!   (mustang-im/mustang#121: "policy part 'ConcurrentSyncCalls', policy value '5' …
//!   Suggested backoff time 5000 ms").
//!
//! Invariant: a request holds its [`Slot`] from the moment its headers are authenticated until
//! its answer is built (or its connection is gone), and a sync call its [`SyncSlot`] from the
//! moment its body names the operation and mailbox until then; dropping a slot always frees it.

use std::collections::HashMap;

use super::auth::Caller;
use super::envelope;
use super::xml::Writer;
use crate::server::Shared;
use crate::store::Store;

/// `EWSMaxConcurrency` of Exchange 2013 and later and Exchange Online.
pub const DEFAULT_MAX_CONCURRENCY: usize = 27;
/// `ConcurrentSyncCalls` of Exchange Online.
pub const DEFAULT_MAX_SYNC_CALLS: usize = 5;
/// What `ErrorServerBusy` asks the client to wait.
pub const BACK_OFF_MILLISECONDS: u64 = 5000;

/// Requests and sync calls in flight and their limits.
#[derive(Debug)]
pub struct Concurrency {
    in_flight: HashMap<String, usize>,
    pub(super) max: usize,
    sync_in_flight: HashMap<String, usize>,
    pub(super) max_sync: usize,
    /// Whether GetEvents counts as a sync call (default true).
    pub(super) get_events_is_sync: bool,
}

impl Default for Concurrency {
    fn default() -> Self {
        Self {
            in_flight: HashMap::new(),
            max: DEFAULT_MAX_CONCURRENCY,
            sync_in_flight: HashMap::new(),
            max_sync: DEFAULT_MAX_SYNC_CALLS,
            get_events_is_sync: true,
        }
    }
}

impl Concurrency {
    /// Requests of any caller in flight now.
    pub(super) fn requests_in_flight(&self) -> usize {
        self.in_flight.values().sum()
    }

    /// Sync calls to the mailbox `mailbox_id` in flight now.
    pub(super) fn sync_calls_in_flight(&self, mailbox_id: &str) -> usize {
        self.sync_in_flight.get(mailbox_id).copied().unwrap_or(0)
    }
}

/// Which count a slot holds a place in.
#[derive(Debug, Clone, Copy)]
enum Count {
    Requests,
    SyncCalls,
}

/// A request's place among its caller's requests in flight.
#[derive(Debug)]
pub struct Slot {
    store: Store,
    key: String,
    count: Count,
}

/// A sync call's place among its mailbox's sync calls in flight.
pub type SyncSlot = Slot;

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.store.lock();
        let concurrency = &mut state.ews.concurrency;
        let counts = match self.count {
            Count::Requests => &mut concurrency.in_flight,
            Count::SyncCalls => &mut concurrency.sync_in_flight,
        };
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

fn take(shared: &Shared, count: Count, key: String) -> Option<Slot> {
    let mut state = shared.store.lock();
    let concurrency = &mut state.ews.concurrency;
    let (counts, max) = match count {
        Count::Requests => (&mut concurrency.in_flight, concurrency.max),
        Count::SyncCalls => (&mut concurrency.sync_in_flight, concurrency.max_sync),
    };
    let n = counts.entry(key.clone()).or_insert(0);
    if *n >= max {
        if *n == 0 {
            counts.remove(&key);
        }
        return None;
    }
    *n += 1;
    Some(Slot {
        store: shared.store.clone(),
        key,
        count,
    })
}

/// Takes a request slot for `caller`; `None` when the caller already has the maximum in
/// flight.
pub fn enter(shared: &Shared, caller: &Caller) -> Option<Slot> {
    take(shared, Count::Requests, key(caller))
}

/// Whether `operation` is a sync call under `ConcurrentSyncCalls`.
pub fn is_sync_call(shared: &Shared, operation: &str) -> bool {
    match operation {
        "SyncFolderItems" | "SyncFolderHierarchy" => true,
        "GetEvents" => shared.store.lock().ews.concurrency.get_events_is_sync,
        _ => false,
    }
}

/// Takes a sync-call slot in the mailbox `mailbox_id`; `None` when it has the maximum in
/// flight.
pub fn enter_sync(shared: &Shared, mailbox_id: &str) -> Option<SyncSlot> {
    take(shared, Count::SyncCalls, mailbox_id.to_owned())
}

/// `MessageXml` (`element`, e.g. `t:MessageXml` in a fault) naming the policy exceeded.
fn policy_xml(element: &str, policy: &str, limit: usize, back_off: u64) -> String {
    let mut w = Writer::new();
    w.open(element, &[("xmlns:t", envelope::TYPES_NS)]);
    if back_off > 0 {
        w.text_with(
            "t:Value",
            &[("Name", "BackOffMilliseconds")],
            &back_off.to_string(),
        );
    }
    w.text_with("t:Value", &[("Name", "Policy")], policy);
    w.text_with(
        "t:Value",
        &[("Name", "ErrorMessage")],
        &format!(
            "This operation exceeds the throttling budget for policy part '{policy}', policy \
             value '{limit}',  Budget type: 'Ews'.  Suggested backoff time {back_off} ms."
        ),
    );
    w.close(element);
    w.finish()
}

/// The `ErrorExceededConnectionCount` fault for a caller over `EWSMaxConcurrency` (`max`).
pub fn connection_count_fault(max: usize) -> String {
    envelope::fault_with_xml(
        "ErrorExceededConnectionCount",
        "You have exceeded the available concurrent connections for your account.  Try again \
         once your other requests have completed.",
        &policy_xml("t:MessageXml", "MaxConcurrency", max, 0),
    )
}

/// The limit `EWSMaxConcurrency` now.
pub fn max_concurrency(shared: &Shared) -> usize {
    shared.store.lock().ews.concurrency.max
}

/// The answer to a sync call over `ConcurrentSyncCalls`: HTTP 200, one error message
/// `ErrorServerBusy` with `BackOffMilliseconds`.
pub fn sync_busy_response(shared: &Shared, operation: &str) -> String {
    let max = shared.store.lock().ews.concurrency.max_sync;
    let tag = format!("m:{operation}ResponseMessage");
    let mut w = Writer::new();
    w.open(&tag, &[("ResponseClass", "Error")]);
    w.text(
        "m:MessageText",
        "The server cannot service this request right now. Try again later.",
    );
    w.text("m:ResponseCode", "ErrorServerBusy");
    w.text("m:DescriptiveLinkKey", "0");
    w.raw(&policy_xml(
        "m:MessageXml",
        "ConcurrentSyncCalls",
        max,
        BACK_OFF_MILLISECONDS,
    ));
    w.close(&tag);
    envelope::response(operation, &w.finish())
}
