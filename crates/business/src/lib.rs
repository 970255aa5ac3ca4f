//! The business integration schema: the tables an ERP/CRM writes its appointments, tasks and
//! contacts into, the change journal its triggers fill, and typed access for exsync.
//!
//! The contract for vendors is `docs/integration-schema.md`; the DDL is embedded here
//! (`sql/sqlite`, `sql/postgres`) and applied by [`BusinessDb::init_schema`].
//!
//! Invariants kept by this crate:
//! - Every change of the integration tables, by anyone, lands in the journal (triggers), marked
//!   with its [`Origin`]; exsync's own writes are marked `exsync` so they are not echoed back.
//! - Reading never fails a batch because of one bad row: each row is an item or a [`RowError`]
//!   naming table, id, column and fix.
//! - An appointment (row plus exception rows) is written in one transaction.

mod appointments;
mod columns;
mod connect;
mod contacts;
mod db;
mod error;
mod items;
mod journal;
mod listener;
mod schema;
mod sql;
mod stamps;
pub mod tables;
mod tasks;
mod transfer;
mod users;

pub use db::{Backend, BusinessDb, BusinessDbOptions, Origin};
pub use error::{BusinessError, RowError};
pub use exsync_ical::ParseOptions;
pub use items::{ItemResult, Owned, Window};
pub use journal::{EntityKind, JournalEntry, Operation};
pub use listener::{JournalListener, JournalNotice, JournalSignal};
pub use schema::{SCHEMA_VERSION, SchemaInit};
pub use transfer::{
    Export, ImportReport, RejectedItem, export_ics, export_vcf, import_ics, import_ics_bytes,
    import_vcf, import_vcf_bytes,
};
pub use users::{NewUser, User, UserChange};
