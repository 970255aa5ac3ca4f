//! Exchange Web Services (SOAP 1.1) at `/EWS/Exchange.asmx`, any letter case, served from the
//! same [`Store`](crate::Store) as Graph: an item written through one shows up in the other.
//!
//! Invariants: a request is authenticated before anything in it is read (401 otherwise);
//! credentials never reach a log line, an error or a captured file name; every answer is a SOAP
//! envelope (or a bare 401), and when a capture directory is set every request and response
//! body is written there (tests validate them against Microsoft's `messages.xsd`).

mod auth;
mod calendar_item;
mod contact_item;
mod convert_id;
mod create_folder;
mod create_item;
mod delete_item;
mod draft;
mod envelope;
mod error;
mod find_folder;
mod find_item;
mod folder_item;
mod folder_restriction;
mod folder_view;
mod folders;
mod get_events;
mod get_folder;
mod get_item;
mod ids;
mod knobs;
mod mailbox_ews;
mod messages;
mod notifications;
mod recurrence;
mod shape;
mod subscribe;
mod sync_folder_items;
mod task_item;
mod throttle;
mod update_item;
mod xml;

use std::collections::HashMap;
use std::path::PathBuf;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use error::{EwsError, ItemError};
pub use knobs::UnknownTenant;
pub(crate) use knobs::{EwsSettings, switch_ews};

use crate::org::Mailbox;
use crate::server::{EmulatorHandle, Shared};
use crate::store::MailboxData;

/// Real EWS operations the emulator does not serve (answered `ErrorInvalidOperation`, not as a
/// schema violation).
const UNSERVED: &[&str] = &[
    "DeleteFolder",
    "UpdateFolder",
    "MoveFolder",
    "CopyFolder",
    "EmptyFolder",
    "SyncFolderHierarchy",
    "MoveItem",
    "CopyItem",
    "SendItem",
    "ArchiveItem",
    "MarkAsJunk",
    "GetAttachment",
    "CreateAttachment",
    "DeleteAttachment",
    "ResolveNames",
    "ExpandDL",
    "GetStreamingEvents",
    "GetServerTimeZones",
    "GetUserAvailability",
    "GetUserOofSettings",
    "SetUserOofSettings",
    "GetDelegate",
    "GetRoomLists",
    "GetRooms",
    "FindPeople",
    "GetUserConfiguration",
    "GetInboxRules",
    "UpdateInboxRules",
    "ExportItems",
    "UploadItems",
    "FindConversation",
    "GetConversationItems",
    "GetMailTips",
    "GetServiceConfiguration",
    "GetUserPhoto",
];

/// The largest request body read (EWS batches stay far below).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// EWS state kept in the store: the capture directory for tests, requests in flight, knobs.
#[derive(Debug, Default)]
pub struct EwsState {
    capture_dir: Option<PathBuf>,
    captured: u64,
    concurrency: throttle::Concurrency,
    knobs: knobs::Knobs,
    /// Created folders and pull subscriptions, by mailbox id.
    mailboxes: HashMap<String, mailbox_ews::MailboxEws>,
    /// How far the EWS clock (subscription timeouts) runs ahead of the system clock.
    clock_offset: chrono::Duration,
}

/// What an operation works on: the mailbox it acts in and that mailbox's items.
pub(crate) struct Ctx<'a> {
    /// The mailbox acted in (the impersonated one, or the caller's own).
    pub(crate) mailbox: &'a Mailbox,
    /// Its items.
    pub(crate) data: &'a mut MailboxData,
    /// Its EWS-only state: created folders, pull subscriptions.
    pub(crate) ews: &'a mut mailbox_ews::MailboxEws,
    /// The EWS clock's time of the request.
    pub(crate) now: chrono::DateTime<chrono::Utc>,
    /// The knobs as the request found them.
    pub(crate) knobs: knobs::Knobs,
}

impl EmulatorHandle {
    /// Writes every EWS request and response body from now on into `dir` (created if
    /// missing) as `NNNN-Operation-request.xml` / `NNNN-Operation-response.xml`; `None`
    /// stops capturing.
    pub fn capture_ews(&self, dir: Option<PathBuf>) {
        let mut state = self.store().lock();
        state.ews.capture_dir = dir;
    }

    /// Moves the EWS clock (which times pull subscriptions out) `by` ahead; tests use it to
    /// expire a subscription without waiting.
    pub fn advance_ews_clock(&self, by: chrono::Duration) {
        let mut state = self.store().lock();
        state.ews.clock_offset += by;
    }
}

/// Middleware that answers `/EWS/Exchange.asmx` in any letter case and passes everything else
/// on.
pub(crate) async fn intercept(
    State(shared): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    if !request
        .uri()
        .path()
        .eq_ignore_ascii_case("/ews/exchange.asmx")
    {
        return next.run(request).await;
    }
    if request.method() != Method::POST {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "POST")]).into_response();
    }
    let (parts, body) = request.into_parts();
    let caller = auth::authenticate(&shared.store.lock(), &parts.headers);
    let Ok(caller) = caller else {
        return unauthorized();
    };
    if !ews_enabled(&shared, &caller) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Some(_slot) = throttle::enter(&shared, &caller) else {
        let xml = throttle::connection_count_fault(throttle::max_concurrency(&shared));
        capture(&shared, "ExceededConnectionCount", None, &xml);
        return xml_response(StatusCode::INTERNAL_SERVER_ERROR, xml);
    };
    let text = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    let _sync_slot = match sync_slot(&shared, &caller, &text) {
        Ok(slot) => slot,
        Err(operation) => {
            let xml = throttle::sync_busy_response(&shared, &operation);
            capture(&shared, &operation, Some(&text), &xml);
            return xml_response(StatusCode::OK, xml);
        }
    };
    hold(&shared).await;
    let (operation, status, xml) = match handle(&shared, &caller, &text) {
        Ok((operation, xml)) => (operation, StatusCode::OK, xml),
        Err((_, EwsError::Unauthorized)) => return unauthorized(),
        Err((operation, EwsError::Fault { code, message })) => (
            operation,
            StatusCode::INTERNAL_SERVER_ERROR,
            envelope::fault(code, &message),
        ),
    };
    let schema_fault = xml.contains(">a:ErrorSchemaValidation</faultcode>");
    capture(
        &shared,
        &operation,
        (!schema_fault).then_some(text.as_str()),
        &xml,
    );
    xml_response(status, xml)
}

/// Whether EWS is switched on for the caller's tenant.
fn ews_enabled(shared: &Shared, caller: &auth::Caller) -> bool {
    let tenant_id = match caller {
        auth::Caller::Account { tenant_id, .. } | auth::Caller::App { tenant_id, .. } => tenant_id,
    };
    let state = shared.store.lock();
    state
        .org
        .tenants
        .iter()
        .find(|t| &t.id == tenant_id)
        .is_none_or(|t| t.ews_enabled)
}

/// A sync call's slot in its mailbox (`None` for other operations and for requests that will
/// fail anyway), or the operation's name when the mailbox has `ConcurrentSyncCalls` in flight.
fn sync_slot(
    shared: &Shared,
    caller: &auth::Caller,
    text: &str,
) -> Result<Option<throttle::SyncSlot>, String> {
    let Ok(request) = envelope::parse(text) else {
        return Ok(None);
    };
    let operation = request.operation.name.clone();
    if !throttle::is_sync_call(shared, &operation) {
        return Ok(None);
    }
    let mailbox = {
        let state = shared.store.lock();
        auth::target(&state, caller, request.impersonation.as_ref())
    };
    match mailbox {
        Ok(mailbox) => throttle::enter_sync(shared, &mailbox.id)
            .map(Some)
            .ok_or(operation),
        Err(_) => Ok(None),
    }
}

/// Waits out the latency knob, looking again every few milliseconds so that lowering the knob
/// releases requests already waiting.
async fn hold(shared: &Shared) {
    let start = std::time::Instant::now();
    loop {
        let latency = shared.store.lock().ews.knobs.latency;
        let Some(left) = latency
            .checked_sub(start.elapsed())
            .filter(|l| !l.is_zero())
        else {
            return;
        };
        tokio::time::sleep(left.min(std::time::Duration::from_millis(20))).await;
    }
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Basic realm=\"exsync-emulator\"")],
    )
        .into_response()
}

fn xml_response(status: StatusCode, xml: String) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/xml; charset=utf-8")
        .body(Body::from(xml))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Writes a response and, unless it was refused as schema-invalid, its request.
fn capture(shared: &Shared, operation: &str, request: Option<&str>, response: &str) {
    let (dir, n) = {
        let mut state = shared.store.lock();
        let Some(dir) = state.ews.capture_dir.clone() else {
            return;
        };
        state.ews.captured += 1;
        (dir, state.ews.captured)
    };
    let name: String = operation
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| match request {
            Some(r) => std::fs::write(dir.join(format!("{n:04}-{name}-request.xml")), r),
            None => Ok(()),
        })
        .and_then(|()| std::fs::write(dir.join(format!("{n:04}-{name}-response.xml")), response));
    if let Err(e) = written {
        tracing::warn!(error = %e, "cannot capture an EWS exchange");
    }
}

type Handled = Result<(String, String), (String, EwsError)>;

fn handle(shared: &Shared, caller: &auth::Caller, text: &str) -> Handled {
    let request = envelope::parse(text).map_err(|e| ("Invalid".to_owned(), e))?;
    let operation = request.operation.name.clone();
    let failed = |e| (operation.clone(), e);
    let mut guard = shared.store.lock();
    let state = &mut *guard;
    let mailbox = auth::target(state, caller, request.impersonation.as_ref()).map_err(failed)?;
    let data = state
        .mailboxes
        .get_mut(&mailbox.id)
        .ok_or_else(|| failed(EwsError::no_mailbox(&mailbox.mail)))?;
    let now = chrono::Utc::now() + state.ews.clock_offset;
    let knobs = state.ews.knobs;
    let mut ctx = Ctx {
        mailbox: &mailbox,
        data,
        ews: state.ews.mailboxes.entry(mailbox.id.clone()).or_default(),
        now,
        knobs,
    };
    let op = &request.operation;
    let messages = match operation.as_str() {
        "GetFolder" => get_folder::run(&mut ctx, op),
        "FindItem" => find_item::run(&mut ctx, op),
        "GetItem" => get_item::run(&mut ctx, op),
        "CreateItem" => create_item::run(&mut ctx, op),
        "UpdateItem" => update_item::run(&mut ctx, op),
        "DeleteItem" => delete_item::run(&mut ctx, op),
        "SyncFolderItems" => sync_folder_items::run(&mut ctx, op),
        "ConvertId" => convert_id::run(&mut ctx, op),
        "FindFolder" => find_folder::run(&mut ctx, op),
        "CreateFolder" => create_folder::run(&mut ctx, op),
        "Subscribe" => subscribe::run(&mut ctx, op),
        "Unsubscribe" => subscribe::unsubscribe(&mut ctx, op),
        "GetEvents" => get_events::run(&mut ctx, op),
        other if UNSERVED.contains(&other) => Err(EwsError::Fault {
            code: "ErrorInvalidOperation",
            message: format!("The emulator does not serve the EWS operation {other}."),
        }),
        other => Err(EwsError::schema(format!(
            "the element '{other}' is not a known EWS operation"
        ))),
    }
    .map_err(failed)?;
    Ok((operation.clone(), envelope::response(&operation, &messages)))
}
