//! The emulator's integration tests: each module drives a running emulator over HTTP on
//! 127.0.0.1 (port 0), the way exsync's connectors and independent clients will.

mod assertion;
mod batch;
mod batch_parallel;
mod calendar_view;
mod calendars;
mod common;
mod contacts;
mod control;
mod csdl;
mod delta;
mod delta_exchange;
mod describe;
mod events;
mod extended;
mod jwt;
mod query_options;
mod seed;
mod series_masters;
mod series_start;
mod throttle;
mod todo;
mod token;
