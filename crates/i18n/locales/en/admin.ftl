# The admin endpoint's texts for people (the 401 and /readyz answers) and its start-up errors.
# JSON field names, /healthz's "ok" and the metrics are not translated.
admin-token-required = the admin endpoint would listen on { $addr }, which is not a loopback address, without a token: set `admin.token` or bind it to 127.0.0.1
admin-io-failed = the admin endpoint on { $addr } failed: { $error }
admin-token-missing = a valid admin token is required
admin-ready = ready
admin-not-ready = not ready: { $reason }
admin-not-ready-starting = starting
admin-not-ready-roster = cannot read the users of the business database: { $error }
admin-not-ready-leases = cannot renew the mailbox leases: { $error }
admin-not-ready-leases-slow = renewing the mailbox leases takes too long
