# `exsync status`: the table, the details of one mailbox (`exsync status LOGIN`), the
# credential line, and the command's errors. The credential texts are also the `message` of
# `credential` in the admin endpoint's /status.

## Column headers of the table
status-col-login = LOGIN
status-col-mailbox = MAILBOX
status-col-enabled = ENABLED
status-col-last-success = LAST SUCCESS
status-col-lag = LAG
status-col-pending = PENDING
status-col-held = HELD
status-col-last-error = LAST ERROR

## Values
status-yes = yes
status-no = no
status-never = never
status-ago = { $duration } ago
status-duration-seconds = { $n } s
status-duration-minutes = { $n } min
status-duration-hours = { $n } h
status-duration-days = { $n } d

## Labels of `exsync status LOGIN`
status-detail-enabled = enabled
status-detail-last-success = last success
status-detail-last-pass = last pass
status-detail-lag = lag
status-detail-pending = pending
status-detail-held = held
status-detail-last-error = last error

## The app registration's credential ($kind: secret or certificate; $days: whole days)
status-credential-unknown = { $kind ->
    [certificate] the certificate's expiry date is not configured: set exchange.online.client_secret_expires_on to the date Entra ID shows (Certificates & secrets) to be warned in time
   *[secret] the client secret's expiry date is not configured: set exchange.online.client_secret_expires_on to the date Entra ID shows (Certificates & secrets) to be warned in time
}
status-credential-valid = the { $kind ->
    [certificate] certificate
   *[secret] client secret
} expires on { $date } (in { $days ->
    [one] 1 day
   *[other] { $days } days
})
status-credential-expires-soon = { $kind ->
    [certificate] the certificate expires on { $date } ({ $days ->
        [0] today
        [one] in 1 day
       *[other] in { $days } days
    }): upload a new one in Entra ID (App registrations, Certificates & secrets), then set exchange.online.certificate_file and exchange.online.client_secret_expires_on
   *[secret] the client secret expires on { $date } ({ $days ->
        [0] today
        [one] in 1 day
       *[other] in { $days } days
    }): create a new one in Entra ID (App registrations, Certificates & secrets), then set exchange.online.client_secret and exchange.online.client_secret_expires_on
}
status-credential-expired = { $kind ->
    [certificate] the certificate expired on { $date } ({ $days ->
        [one] 1 day
       *[other] { $days } days
    } ago): signing in to Exchange Online fails until a new one is uploaded in Entra ID (App registrations, Certificates & secrets) and set in exchange.online.certificate_file and exchange.online.client_secret_expires_on
   *[secret] the client secret expired on { $date } ({ $days ->
        [one] 1 day
       *[other] { $days } days
    } ago): signing in to Exchange Online fails until a new one is created in Entra ID (App registrations, Certificates & secrets) and set in exchange.online.client_secret and exchange.online.client_secret_expires_on
}
status-warning = warning: { $text }

## What `exsync status` prints besides the table, and its errors
status-held-for = held for { $login } ({ $mailbox }): { $held }
status-admin-off = the admin endpoint is switched off (admin.listen = "off"), so there is no status to read; name the running service's address with `exsync status --admin ADDR:PORT`
status-no-service = no exsync service answers on { $addr } (is `exsync run` running? see admin.listen)
status-http-client = cannot build an HTTP client
status-token-wanted = the admin endpoint on { $addr } wants a token: set admin.token (or admin.token_file) to the service's token
status-answered = the admin endpoint on { $addr } answered { $status } to GET /status
status-not-a-status = the answer of { $url } is not an exsync status (is another program listening there?)
status-unknown-login = the service reports no mailbox of "{ $login }"; the logins it reports: { $known }
