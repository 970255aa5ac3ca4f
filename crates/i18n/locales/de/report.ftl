# Der Bericht eines Synchronisationslaufs je Postfach (crates/runtime/src/report.rs).
report-exchange = Exchange
report-business = Fachanwendung
report-rejected = abgelehnt
report-paired = zugeordnet
report-ambiguous = mehrdeutig
report-failed = FEHLGESCHLAGEN
report-held = ANGEHALTEN
report-rejected-item = abgelehnt
report-not-paired = nicht zugeordnet
report-note = Hinweis
