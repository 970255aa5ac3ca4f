//! exsync's domain model: what an appointment, a task and a contact are, independent of the
//! business database and of Exchange. No I/O happens here.

mod kind;

pub use kind::{ItemKind, UnknownItemKind};
