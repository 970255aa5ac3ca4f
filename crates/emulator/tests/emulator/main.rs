//! The emulator's integration tests: each module drives a running emulator over HTTP on
//! 127.0.0.1 (port 0), the way exsync's connectors and independent clients will.

mod batch;
mod calendar_view;
mod common;
mod contacts;
mod csdl;
mod delta;
mod describe;
mod events;
mod extended;
mod throttle;
mod todo;
mod token;
