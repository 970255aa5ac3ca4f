//! End to end: business database (SQLite, and PostgreSQL when `EXSYNC_TEST_POSTGRES_URL`
//! names a server) <-> exsync's runtime and Graph connector <-> the in-process Exchange
//! emulator. Every test runs real passes (`sync_once`) and looks at both sides directly.

mod appointments;
mod common;
mod crashes;
mod delta;
mod fence;
mod pairing;
mod patterns;
mod probes;
mod recovery;
mod rules;
mod safety;
mod series;
mod series_signal;
mod series_start;
mod tasks_contacts;
mod window;
