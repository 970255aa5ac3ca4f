//! Integration tests of the business integration schema, each run on SQLite and PostgreSQL
//! (PostgreSQL when EXSYNC_TEST_POSTGRES_URL names a server).

mod harness;

mod atomicity;
mod errors;
mod fixture_files;
mod fixtures;
mod journal;
mod roundtrip;
mod schema;
mod transfer;
mod users;
mod vendor;
