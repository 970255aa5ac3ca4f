//! exsync's Microsoft Graph connector (Exchange Online).
//!
//! - `auth`: app-only client credentials against Entra ID (client secret or certificate), a
//!   token cache per scope refreshed before expiry by one caller at a time, and refusals turned
//!   into messages an administrator can act on. No secret or token ever reaches a log or error.
//! - `wire`: the Graph v1.0 JSON of events (series, occurrences, exceptions), To Do tasks and
//!   contacts, converted to and from exsync's model. Pure: no I/O.
//!
//! Invariant: everything this crate sends follows the Graph v1.0 metadata in
//! `shared/conformance/graph/v1.0-Prod.csdl` (property names and types).

pub mod auth;
pub mod client;
pub mod delta;
pub mod tls;
pub mod wire;
