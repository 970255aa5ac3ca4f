# The per-mailbox report of a sync pass (crates/runtime/src/report.rs), as `exsync sync` prints it.
report-exchange = Exchange
report-business = business
report-rejected = rejected
report-paired = paired
report-ambiguous = ambiguous
report-failed = FAILED
report-held = HELD
report-rejected-item = rejected
report-not-paired = not paired
report-note = note
