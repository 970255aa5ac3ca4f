# Die Texte des Admin-Endpunkts für Menschen (die Antworten 401 und /readyz) und seine Fehler
# beim Start. JSON-Feldnamen, das "ok" von /healthz und die Metriken bleiben unübersetzt.
admin-token-required = Der Admin-Endpunkt würde ohne Token auf { $addr } lauschen, und das ist keine Loopback-Adresse: Setzen Sie `admin.token` oder binden Sie ihn an 127.0.0.1.
admin-io-failed = Der Admin-Endpunkt auf { $addr } ist ausgefallen: { $error }
admin-token-missing = Ein gültiges Admin-Token ist erforderlich.
admin-ready = bereit
admin-not-ready = nicht bereit: { $reason }
admin-not-ready-starting = startet noch
admin-not-ready-roster = Die Benutzer der Geschäftsdatenbank können nicht gelesen werden: { $error }
admin-not-ready-leases = Die Reservierungen (Leases) der Postfächer können nicht erneuert werden: { $error }
admin-not-ready-leases-slow = Das Erneuern der Reservierungen (Leases) der Postfächer dauert zu lange.
