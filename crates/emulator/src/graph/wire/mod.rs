//! Graph's JSON wire format, hand-written from the v1.0 CSDL (`shared/conformance/graph/
//! v1.0-Prod.csdl`), one file per resource family.
//!
//! Invariant: every property name written here exists on the CSDL type it mirrors (a test
//! parses the CSDL and checks); enumeration values travel as strings and are parsed
//! case-insensitively on input, written in the CSDL's spelling on output.

pub mod common;
pub mod event;
pub mod recurrence;
