//! Microsoft Graph v1.0, app-only: routes under `/v1.0`, bearer-token checks, permission
//! checks, mailbox lookup and the `Prefer` header.
//!
//! Invariant: every Graph handler goes through [`authorize`] before it touches a mailbox, and
//! authorization answers in Graph's order: token (401), permission (403), user (404), the app's
//! mailbox scope (403).

mod batch;
mod calendar_view;
mod calendars;
mod contacts;
mod convert;
mod delta;
pub mod delta_behaviour;
mod delta_tokens;
pub mod error;
mod events;
mod expansion;
mod extended;
mod folders;
mod items;
pub mod latency;
mod linked;
mod occurrences;
mod query;
mod recurrence;
mod schema;
mod state;
mod throttle;
mod todo;
mod type_filter;
mod vocab;
pub mod wire;

use axum::Router;
use axum::http::HeaderMap;
use axum::middleware;
use axum::routing::get;
use chrono::Utc;
use exsync_model::TimeZoneName;

use crate::auth::Audience;
use crate::org::{self, Mailbox};
use crate::server::Shared;
use crate::store::State;
pub use error::GraphError;
pub use state::GraphState;

/// The Graph routes, to be nested under `/v1.0`.
pub(crate) fn router(shared: &Shared) -> Router<Shared> {
    let events = get(events::list).post(events::create);
    let event = get(events::get)
        .patch(events::update)
        .delete(events::delete);
    let routes = Router::new()
        .route("/users/{user}/events", events.clone())
        .route("/users/{user}/calendar/events", events)
        .route("/users/{user}/events/{id}", event.clone())
        .route("/users/{user}/calendar/events/{id}", event)
        .route(
            "/users/{user}/calendarView",
            get(calendar_view::calendar_view),
        )
        .route(
            "/users/{user}/calendar/calendarView",
            get(calendar_view::calendar_view),
        )
        .route(
            "/users/{user}/calendarView/delta",
            get(delta::calendar_view_delta),
        )
        .route(
            "/users/{user}/calendarView/delta()",
            get(delta::calendar_view_delta),
        )
        .route(
            "/users/{user}/calendar/calendarView/delta",
            get(delta::calendar_view_delta),
        )
        .route(
            "/users/{user}/calendar/calendarView/delta()",
            get(delta::calendar_view_delta),
        )
        .route(
            "/users/{user}/events/{id}/instances",
            get(calendar_view::instances),
        )
        .route(
            "/users/{user}/calendar/events/{id}/instances",
            get(calendar_view::instances),
        )
        .route(
            "/users/{user}/calendars",
            get(calendars::calendars).post(calendars::calendars),
        )
        .route("/users/{user}/calendars/{id}", get(calendars::calendar))
        .route(
            "/users/{user}/calendars/{id}/events",
            get(calendars::calendar_events).post(calendars::calendar_events),
        )
        .route(
            "/users/{user}/calendars/{id}/events/{event}",
            get(calendars::calendar_event).delete(calendars::calendar_event),
        )
        .route(
            "/users/{user}/todo/lists",
            get(todo::lists).post(todo::create_list),
        )
        .route(
            "/users/{user}/todo/lists/{list}/tasks",
            get(todo::tasks).post(todo::tasks),
        )
        .route(
            "/users/{user}/todo/lists/{list}/tasks/delta",
            get(todo::delta),
        )
        .route(
            "/users/{user}/todo/lists/{list}/tasks/delta()",
            get(todo::delta),
        )
        .route(
            "/users/{user}/todo/lists/{list}/tasks/{id}",
            get(todo::task).patch(todo::task).delete(todo::task),
        )
        .route(
            "/users/{user}/todo/lists/{list}/tasks/{id}/linkedResources",
            get(linked::collection).post(linked::collection),
        )
        .route(
            "/users/{user}/todo/lists/{list}/tasks/{id}/linkedResources/{link}",
            get(linked::one).patch(linked::one).delete(linked::one),
        )
        .route(
            "/users/{user}/contacts",
            get(contacts::root_contacts).post(contacts::root_contacts),
        )
        .route(
            "/users/{user}/contacts/{id}",
            get(contacts::contact_by_id)
                .patch(contacts::contact_by_id)
                .delete(contacts::contact_by_id),
        )
        .route(
            "/users/{user}/contactFolders",
            get(contacts::folders).post(contacts::folders),
        )
        .route("/users/{user}/contactFolders/{id}", get(contacts::folder))
        .route(
            "/users/{user}/contactFolders/{id}/contacts",
            get(contacts::contacts).post(contacts::contacts),
        )
        .route(
            "/users/{user}/contactFolders/{id}/contacts/delta",
            get(contacts::delta),
        )
        .route(
            "/users/{user}/contactFolders/{id}/contacts/delta()",
            get(contacts::delta),
        )
        .route(
            "/users/{user}/contactFolders/{id}/contacts/{contact}",
            get(contacts::contact)
                .patch(contacts::contact)
                .delete(contacts::contact),
        )
        .fallback(error::unknown_segment)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            throttle::limit,
        ))
        .layer(middleware::from_fn(error::envelope));
    // `$batch` wraps the whole routed stack, so that its inner requests are routed too.
    Router::new()
        .fallback_service(routes.with_state(shared.clone()))
        .layer(middleware::from_fn(batch::batch))
}

/// What a request wants to do with a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Read.
    Read,
    /// Create, update or delete.
    Write,
}

/// Which permissions a request needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Area {
    /// `Calendars.Read` / `Calendars.ReadWrite`.
    Calendars,
    /// `Tasks.Read.All` / `Tasks.ReadWrite.All`.
    Tasks,
    /// `Contacts.Read` / `Contacts.ReadWrite`.
    Contacts,
}

impl Area {
    /// The permissions that allow reading, and the one that allows writing.
    fn permissions(self) -> ([&'static str; 2], &'static str) {
        match self {
            Area::Calendars => (
                [org::CALENDARS_READ, org::CALENDARS_READ_WRITE],
                org::CALENDARS_READ_WRITE,
            ),
            Area::Tasks => (
                ["Tasks.Read.All", org::TASKS_READ_WRITE_ALL],
                org::TASKS_READ_WRITE_ALL,
            ),
            Area::Contacts => (
                ["Contacts.Read", org::CONTACTS_READ_WRITE],
                org::CONTACTS_READ_WRITE,
            ),
        }
    }
}

/// Checks the bearer token, the app's calendar permissions and the mailbox; returns the mailbox.
pub(crate) fn authorize(
    state: &State,
    headers: &HeaderMap,
    user: &str,
    access: Access,
) -> Result<Mailbox, GraphError> {
    authorize_in(state, headers, user, access, Area::Calendars)
}

/// Checks the bearer token, the app's permissions for `area` and the mailbox; returns the
/// mailbox.
pub(crate) fn authorize_in(
    state: &State,
    headers: &HeaderMap,
    user: &str,
    access: Access,
    area: Area,
) -> Result<Mailbox, GraphError> {
    let presented = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(token)
        })
        .unwrap_or("");
    let grant = state
        .tokens
        .validate(presented, Audience::Graph, Utc::now())
        .map_err(GraphError::unauthenticated)?;
    let (read, write) = area.permissions();
    let allowed = match access {
        Access::Read => read.iter().any(|p| grant.roles.contains(*p)),
        Access::Write => grant.roles.contains(write),
    };
    if !allowed {
        return Err(GraphError::access_denied());
    }
    let tenant = state
        .org
        .tenants
        .iter()
        .find(|t| t.id == grant.tenant_id)
        .ok_or_else(|| GraphError::invalid_user(user))?;
    let mailbox = tenant
        .mailbox(user)
        .ok_or_else(|| GraphError::invalid_user(user))?;
    let app = tenant.app(&grant.client_id);
    if let Some(scope) = app.and_then(|a| a.mailbox_scope.as_ref())
        && !scope.contains(&mailbox.id)
    {
        return Err(GraphError::outside_scope());
    }
    Ok(mailbox.clone())
}

/// What the `Prefer` request headers ask for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Prefer {
    /// `outlook.timezone="..."`: the name as given and the zone it names.
    pub(crate) time_zone: Option<(String, TimeZoneName)>,
    /// `IdType="ImmutableId"`.
    pub(crate) immutable_id: bool,
    /// `odata.maxpagesize=N`.
    pub(crate) max_page_size: Option<usize>,
}

impl Prefer {
    /// Reads every `Prefer` header (comma-separated preferences); unknown zones are ignored,
    /// as Graph then answers in UTC.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        let mut prefer = Prefer::default();
        for value in headers.get_all("prefer") {
            let Ok(value) = value.to_str() else { continue };
            for item in value.split(',') {
                let Some((key, raw)) = item.split_once('=') else {
                    continue;
                };
                let raw = raw.trim().trim_matches('"').trim();
                match key.trim().to_ascii_lowercase().as_str() {
                    "outlook.timezone" => {
                        if let Ok(zone) = TimeZoneName::new(raw) {
                            prefer.time_zone = Some((raw.to_owned(), zone));
                        }
                    }
                    "idtype" => prefer.immutable_id = raw.eq_ignore_ascii_case("ImmutableId"),
                    "odata.maxpagesize" => prefer.max_page_size = raw.parse().ok(),
                    _ => {}
                }
            }
        }
        prefer
    }

    /// The `Preference-Applied` header value, if any preference was applied.
    pub(crate) fn applied(&self) -> Option<String> {
        let mut applied = Vec::new();
        if let Some((name, _)) = &self.time_zone {
            applied.push(format!("outlook.timezone=\"{name}\""));
        }
        if self.immutable_id {
            applied.push("IdType=\"ImmutableId\"".to_owned());
        }
        (!applied.is_empty()).then(|| applied.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn prefer_reads_zone_and_id_type() {
        let mut headers = HeaderMap::new();
        headers.append(
            "prefer",
            HeaderValue::from_static("outlook.timezone=\"W. Europe Standard Time\""),
        );
        headers.append(
            "prefer",
            HeaderValue::from_static("IdType=\"ImmutableId\", odata.maxpagesize=5"),
        );
        let prefer = Prefer::from_headers(&headers);
        assert_eq!(
            prefer.time_zone.as_ref().map(|z| z.0.as_str()),
            Some("W. Europe Standard Time")
        );
        assert!(prefer.immutable_id);
        assert_eq!(prefer.max_page_size, Some(5));
        assert_eq!(
            prefer.applied().as_deref(),
            Some("outlook.timezone=\"W. Europe Standard Time\", IdType=\"ImmutableId\"")
        );
        let mut unknown = HeaderMap::new();
        unknown.append(
            "prefer",
            HeaderValue::from_static("outlook.timezone=\"Mars\""),
        );
        assert_eq!(Prefer::from_headers(&unknown), Prefer::default());
    }
}
