//! The names of the integration tables, as vendors see them (docs/integration-schema.md).
//!
//! Invariant: these names never change once released; none collides with exsync's state store
//! (`exsync_links`, `exsync_cursors`, `exsync_outbox`, `exsync_leases`, `_sqlx_migrations`).

/// The people whose mailboxes are synced.
pub const USERS: &str = "exsync_users";
/// Appointments, one row per single appointment or per recurring series.
pub const APPOINTMENTS: &str = "exsync_appointments";
/// Moved, changed and cancelled occurrences of recurring appointments.
pub const EXCEPTIONS: &str = "exsync_appointment_exceptions";
/// Tasks.
pub const TASKS: &str = "exsync_tasks";
/// The company address book.
pub const CONTACTS: &str = "exsync_contacts";
/// The change journal, filled by triggers.
pub const JOURNAL: &str = "exsync_journal";
/// SQLite only: the one-row origin marker exsync flips inside its own write transactions.
pub const WRITE_ORIGIN: &str = "exsync_write_origin";
/// The applied schema versions.
pub const SCHEMA_VERSION: &str = "exsync_business_schema_version";
/// The PostgreSQL NOTIFY channel announcing journal entries.
pub const NOTIFY_CHANNEL: &str = "exsync_journal";
