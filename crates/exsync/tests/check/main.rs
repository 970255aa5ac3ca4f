//! `exsync check` as an admin runs it: the real binary against an emulator organisation —
//! healthy (the embedded default, Exchange Online through Graph, a certificate), and with each
//! fault the emulator can stage (wrong or expired secret, missing permission, unknown mailbox,
//! mailbox outside the app's application access policy) or the machine can (business database
//! down, Exchange Server, a broken configuration) or EWS switched off for the tenant. Text
//! lines, `--json`, exit codes, German.

mod common;
mod ews;
mod faults;
mod healthy;
