//! The EWS knobs that are not throttling limits: how long a request is held (latency, slots
//! kept), the subscription limit and how an expired subscription answers, a server restart
//! that drops every pull subscription, and a tenant's EWS switch (Exchange Online since
//! October 2026 answers 403 where EWS is switched off). Documented in `docs/emulator.md` (EWS,
//! "Limits and knobs") with their sources.
//!
//! Invariant: every knob changes the store under one lock and takes effect for the requests
//! that start (or, for latency, that are still waiting) after it.

use std::time::Duration;

use serde::Deserialize;

use super::EwsState;
use crate::server::EmulatorHandle;
use crate::store::State;

/// `EWSMaxSubscriptions` of an Exchange Online mailbox.
pub const DEFAULT_MAX_SUBSCRIPTIONS: usize = 20;

/// EWS behaviour switches copied into each operation's context.
#[derive(Debug, Clone, Copy)]
pub struct Knobs {
    /// Pull subscriptions one mailbox may hold (default 20).
    pub max_subscriptions: usize,
    /// The subscription past the limit answers `ErrorServerBusy` instead of
    /// `ErrorExceededSubscriptionCount`.
    pub subscription_limit_busy: bool,
    /// An expired subscription answers `ErrorExpiredSubscription` once (while it is removed)
    /// instead of `ErrorSubscriptionNotFound` at once.
    pub expired_answers_once: bool,
    /// How long every EWS request is held after its body is read, its slots taken.
    pub latency: Duration,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            max_subscriptions: DEFAULT_MAX_SUBSCRIPTIONS,
            subscription_limit_busy: false,
            expired_answers_once: false,
            latency: Duration::ZERO,
        }
    }
}

/// The body of the control route `PUT /_emulator/ews`: each field given sets that knob.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EwsSettings {
    max_concurrency: Option<usize>,
    max_sync_calls: Option<usize>,
    get_events_is_sync_call: Option<bool>,
    max_subscriptions: Option<usize>,
    subscription_limit_server_busy: Option<bool>,
    expired_subscription_answers_once: Option<bool>,
    latency_ms: Option<u64>,
}

impl EwsState {
    /// Sets the knobs `settings` names.
    pub(crate) fn apply(&mut self, settings: &EwsSettings) {
        if let Some(max) = settings.max_concurrency {
            self.concurrency.max = max;
        }
        if let Some(max) = settings.max_sync_calls {
            self.concurrency.max_sync = max;
        }
        if let Some(counts) = settings.get_events_is_sync_call {
            self.concurrency.get_events_is_sync = counts;
        }
        if let Some(max) = settings.max_subscriptions {
            self.knobs.max_subscriptions = max;
        }
        if let Some(busy) = settings.subscription_limit_server_busy {
            self.knobs.subscription_limit_busy = busy;
        }
        if let Some(once) = settings.expired_subscription_answers_once {
            self.knobs.expired_answers_once = once;
        }
        if let Some(ms) = settings.latency_ms {
            self.knobs.latency = Duration::from_millis(ms);
        }
    }

    /// Drops every pull subscription of every mailbox (a restart of the EWS process).
    pub(crate) fn drop_subscriptions(&mut self) {
        for mailbox in self.mailboxes.values_mut() {
            mailbox.subscriptions.clear();
        }
    }
}

/// An unknown tenant was named to [`EmulatorHandle::set_ews_enabled`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no tenant with the id or domain {0}")]
pub struct UnknownTenant(pub String);

impl EmulatorHandle {
    /// Sets `EWSMaxConcurrency`: EWS requests one caller may have in flight (default 27); one
    /// more gets `ErrorExceededConnectionCount`.
    pub fn set_ews_max_concurrency(&self, max: usize) {
        self.store().lock().ews.concurrency.max = max;
    }

    /// Holds every EWS request `latency` after its body is read, with its concurrency slots
    /// taken (so tests can have requests in flight); lowering it releases waiting requests.
    pub fn set_ews_latency(&self, latency: Duration) {
        self.store().lock().ews.knobs.latency = latency;
    }

    /// Sets `ConcurrentSyncCalls`: sync calls one mailbox may have in flight (default 5).
    pub fn set_ews_max_sync_calls(&self, max: usize) {
        self.store().lock().ews.concurrency.max_sync = max;
    }

    /// Whether GetEvents counts as a sync call (default true; Microsoft names only
    /// SyncFolderHierarchy and SyncFolderItems).
    pub fn set_ews_get_events_is_sync_call(&self, counts: bool) {
        self.store().lock().ews.concurrency.get_events_is_sync = counts;
    }

    /// EWS requests of any caller in flight now.
    pub fn ews_requests_in_flight(&self) -> usize {
        self.store().lock().ews.concurrency.requests_in_flight()
    }

    /// Sync calls in flight now to the mailbox with id `mailbox_id`.
    pub fn ews_sync_calls_in_flight(&self, mailbox_id: &str) -> usize {
        self.store()
            .lock()
            .ews
            .concurrency
            .sync_calls_in_flight(mailbox_id)
    }

    /// Sets `EWSMaxSubscriptions`: pull subscriptions one mailbox may hold (default 20).
    pub fn set_ews_max_subscriptions(&self, max: usize) {
        self.store().lock().ews.knobs.max_subscriptions = max;
    }

    /// `true`: the subscription past the limit answers `ErrorServerBusy` (as Microsoft's
    /// notification-errors page lists it) instead of `ErrorExceededSubscriptionCount`.
    pub fn set_ews_subscription_limit_answers_server_busy(&self, busy: bool) {
        self.store().lock().ews.knobs.subscription_limit_busy = busy;
    }

    /// `true`: an expired subscription answers `ErrorExpiredSubscription` once while it is
    /// removed (then `ErrorSubscriptionNotFound`); `false` (default): not found at once.
    pub fn set_ews_expired_subscription_answers_once(&self, once: bool) {
        self.store().lock().ews.knobs.expired_answers_once = once;
    }

    /// Drops every pull subscription of every mailbox at once, as a restart of the EWS
    /// process does: each answers `ErrorSubscriptionNotFound` from now on.
    pub fn drop_ews_subscriptions(&self) {
        self.store().lock().ews.drop_subscriptions();
    }

    /// Switches EWS on or off for the tenant with this id or domain; switched off, every
    /// authenticated EWS request of the tenant answers HTTP 403.
    pub fn set_ews_enabled(&self, tenant: &str, enabled: bool) -> Result<(), UnknownTenant> {
        switch_ews(&mut self.store().lock(), tenant, enabled)
    }
}

/// Switches EWS on or off for the tenant with this id or domain (letter case ignored).
pub(crate) fn switch_ews(
    state: &mut State,
    tenant: &str,
    enabled: bool,
) -> Result<(), UnknownTenant> {
    let found = state
        .org
        .tenants
        .iter_mut()
        .find(|t| t.id.eq_ignore_ascii_case(tenant) || t.domain.eq_ignore_ascii_case(tenant))
        .ok_or_else(|| UnknownTenant(tenant.to_owned()))?;
    found.ews_enabled = enabled;
    Ok(())
}
