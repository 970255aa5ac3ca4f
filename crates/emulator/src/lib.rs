//! exsync's Exchange emulator: a stateful stand-in for the Microsoft Entra token endpoint,
//! Microsoft Graph and Exchange Web Services, used by exsync's tests and by integrators who
//! want a local Exchange to develop against. See `docs/emulator.md` for what is served so far.
//!
//! Invariant: all state lives in one [`Store`]; every protocol front end reads and writes it,
//! never a copy of its own.

pub mod auth;
pub mod client_assertion;
pub mod control;
pub mod ews;
pub mod graph;
pub mod ids;
pub mod org;
mod seed;
mod server;
pub mod store;
mod token_endpoint;

pub use org::{App, Certificate, ClientSecret, Mailbox, Organisation, ServiceAccount, Tenant};
pub use seed::{Seed, SeedError};
pub use server::{Description, Emulator, EmulatorHandle, StartError};
pub use store::Store;
