# exsync check: one line per check with the reason and the fix (crates/exsync/src/commands/check).
# "check-passed" and "check-failed" are in common.ftl.

check-status-warning = warning
check-status-skipped = skipped
check-fix = — Fix: { $fix }
check-summary = { $passed } passed, { $warnings ->
    [one] 1 warning
   *[other] { $warnings } warnings
}, { $failed } failed, { $skipped } skipped

check-title-configuration = Configuration
check-title-business-database = Business database
check-title-state-database = State database
check-title-exchange = Exchange
check-title-credential-expiry = Credential expiry
check-title-token = Token
check-title-permission = Permission
check-title-users = User
check-title-mailbox = Mailbox
check-title-calendar = Calendar
check-title-todo = To Do
check-title-contacts = Contacts

check-skipped-no-exchange = not checked: Exchange cannot be reached (see the Exchange line)
check-skipped-no-token = not checked: no access token (see the Token line)
check-skipped-certificate = not checked: the certificate file cannot be used (see the Token line)

# Configuration
check-config-defaults = built-in defaults and EXSYNC_* variables
check-config-passed = valid ({ $source }; exchange.kind = "{ $kind }")
check-config-failed = { $count ->
    [one] 1 error
   *[other] { $count } errors
}: { $errors }
check-config-failed-fix = correct each setting named; `exsync config show` lists every error with its file line or variable.

# Databases
check-db-connect-failed = no connection to { $address }: { $reason }
check-db-timeout = no answer within { $seconds } seconds
check-db-file-missing = the SQLite file { $file } does not exist
check-db-file-missing-fix = check database.url (a relative path is relative to the working directory), or create the database with `exsync business init`.
check-db-unreachable = cannot open { $url }: { $reason }
check-db-unreachable-fix = check database.url (host, port, database, user, password) and that the database server runs and accepts connections from this machine.
check-db-unreadable = reached, but cannot read it: { $reason }
check-db-schema-missing = reached, but the integration schema is missing
check-db-schema-outdated = reached, but the integration schema is version { $found } and this exsync needs version { $needed }
check-db-schema-init-fix = run `exsync business init` (it creates or upgrades the integration schema and is safe to run again).
check-db-schema-too-new = reached, but the integration schema is version { $found }, newer than this exsync knows ({ $needed })
check-db-schema-too-new-fix = update exsync to the version that created this schema.
check-db-passed = reachable ({ $backend }), integration schema version { $version } is current
check-users-unreadable = cannot read the users table: { $reason }
check-users-unknown = there is no user "{ $login }" in the business database
check-users-unknown-fix = `exsync business users` lists the login names.
check-users-none = no enabled user: nothing is synced
check-users-none-fix = add one with `exsync business user add LOGIN --mailbox ADDRESS`.
check-state-in-memory = kept in memory while syncing with the built-in emulator (database.state_url is not used)
check-state-passed = reachable, exsync's tables are up to date
check-state-passed-shared = reachable (the business database, as database.state_url is not set), exsync's tables are up to date
check-state-shared-skipped = not checked: it is the business database, which cannot be reached
check-state-unreachable = cannot open { $url }: { $reason }
check-state-unreachable-fix = check database.state_url (or database.url when it is not set), that the database server runs, and that exsync may create tables there.

# Exchange and the credential
check-exchange-emulator = exchange.kind = "emulator": checked against the built-in Exchange emulator, with a mailbox for every user checked
check-exchange-emulator-failed = the built-in Exchange emulator does not start: { $reason }
check-exchange-emulator-failed-fix = run the check again; if it persists, report it with the output of `exsync --log debug check`.
check-exchange-online = Exchange Online through Microsoft Graph at { $graph_url }, tenant { $tenant }, app { $app }
check-exchange-ews = exchange.kind = "server" (Exchange Server through EWS at { $url }) is not supported by this version of exsync yet
check-exchange-ews-fix = use exchange.kind = "online" for Exchange Online (Microsoft Graph), or wait for the version with EWS support.
check-exchange-ews-disabled = EWS at { $url } answered 403 Forbidden: EWS is switched off for this tenant (as Exchange Online does since October 2026), so exsync cannot reach the mailboxes through EWS
check-exchange-ews-disabled-fix = use exchange.kind = "online" (Microsoft Graph with an app registration in Microsoft Entra ID); `exsync config init` sets it up.
check-expiry-emulator = the built-in emulator's client secret expires on { $date } (in { $days } days)
check-secret-expires = the client secret expires on { $date } (in { $days } days)
check-secret-expired = the client secret expired on { $date }: signing in fails
check-secret-renew-fix = in the Microsoft Entra admin center open Entra ID > App registrations > the app > Certificates & secrets, click "New client secret", put its Value into exchange.online.client_secret and its expiry date into exchange.online.client_secret_expires_on; delete the old secret after the switch (it expires on { $date }).
check-secret-expiry-unknown = the client secret's expiry date is not configured, so exsync cannot warn before it runs out
check-secret-expiry-unknown-fix = set exchange.online.client_secret_expires_on = YYYY-MM-DD to the date shown under "Expires" in the Microsoft Entra admin center (Entra ID > App registrations > the app > Certificates & secrets).
check-certificate-expires = the certificate expires on { $date } (in { $days } days, its notAfter)
check-certificate-expired = the certificate expired on { $date } (its notAfter): signing in fails
check-certificate-no-date = the certificate's expiry date (notAfter) cannot be read from it
check-certificate-renew-fix = create a new certificate, upload its public part in the Microsoft Entra admin center (Entra ID > App registrations > the app > Certificates & secrets > Certificates > Upload certificate), then point exchange.online.certificate_file at the new certificate with its private key.
check-certificate-unreadable = cannot use the certificate file { $file }: { $problem }
check-certificate-unreadable-fix = check exchange.online.certificate_file (PEM with certificate and private key, or PKCS#12) and exchange.online.certificate_password.

# Token
check-token-passed = obtained from { $url } for app { $app }
check-token-not-jwt = the access token is not a JWT, so its permissions (roles) cannot be read
check-token-not-jwt-fix = check exchange.online.authority: it must be the Microsoft Entra sign-in endpoint (https://login.microsoftonline.com).
check-token-wrong-secret = Entra ID refused the client secret of app { $app } (AADSTS7000215: invalid client secret)
check-token-wrong-secret-fix = the secret's Value is wrong, or its Secret ID was copied instead: in the Microsoft Entra admin center open Entra ID > App registrations > the app > Certificates & secrets, click "New client secret" and put its Value (shown only once) into exchange.online.client_secret.
check-token-expired-secret = the client secret of app { $app } has expired (AADSTS7000222)
check-token-expired-secret-fix = in the Microsoft Entra admin center open Entra ID > App registrations > the app > Certificates & secrets, click "New client secret", put its Value into exchange.online.client_secret and its expiry date into exchange.online.client_secret_expires_on.
check-token-unknown-app = Entra ID does not know the app { $app } in this tenant (AADSTS700016)
check-token-unknown-app-fix = compare exchange.online.client_id with "Application (client) ID" and exchange.online.tenant_id with "Directory (tenant) ID" on the app's Overview page in the Microsoft Entra admin center (Entra ID > App registrations); the app must be registered in this tenant.
check-token-unknown-tenant = Entra ID does not know the tenant of { $url } (AADSTS90002)
check-token-unknown-tenant-fix = set exchange.online.tenant_id to the "Tenant ID" on the Overview page of the Microsoft Entra admin center (Entra ID > Overview) or to a verified domain of the tenant (Entra ID > Domain names); check exchange.online.authority.
check-token-certificate-rejected = Entra ID refused the certificate of app { $app } (AADSTS700027: { $detail })
check-token-certificate-rejected-fix = upload the certificate (its public part, .cer or .pem) in the Microsoft Entra admin center under Entra ID > App registrations > the app > Certificates & secrets > Certificates, check its thumbprint and expiry there, and that exchange.online.certificate_file holds that certificate with its private key.
check-token-assertion-time = Entra ID refused the client assertion as outside its valid time (AADSTS700024: { $detail })
check-token-assertion-time-fix = set this machine's clock right and keep it synchronised (NTP); Entra ID compares the assertion's times with its own.
check-token-app-disabled = the app { $app } is disabled in the tenant (AADSTS7000112: { $detail })
check-token-app-disabled-fix = in the Microsoft Entra admin center open Entra ID > Enterprise apps > the app > Properties and set "Enabled for users to sign-in?" to Yes.
check-token-refused = Entra ID refused the token request (HTTP { $status }, { $error }{ $code }): { $detail }
check-token-refused-fix = look the AADSTS code up in Microsoft's list "Microsoft Entra authentication and authorization error codes" and check the app registration in the Microsoft Entra admin center (Entra ID > App registrations > the app).
check-token-server-error = the token endpoint { $url } answered HTTP { $status }: { $detail }
check-token-throttled = Entra ID throttles the token requests of this app ({ $url })
check-token-try-later-fix = try again later; if another program or exsync instance requests tokens for this app in a loop, stop it.
check-token-unreachable = cannot reach the token endpoint { $url }: { $reason }
check-token-unreachable-fix = check exchange.online.authority, DNS, the proxy and the firewall (HTTPS to login.microsoftonline.com must be allowed).
check-token-bad-response = the token endpoint { $url } answered something that is not a token: { $reason }

# Permissions
check-permission-passed = in the token's roles (needed because { $setting } = "{ $direction }")
check-permission-missing = the app's token lacks the application permission { $permission }, which { $setting } = "{ $direction }" needs; the token's roles: { $roles }
check-permission-no-roles = none
check-permission-fix = in the Microsoft Entra admin center open Entra ID > App registrations > the app ({ $app }) > API permissions > Add a permission > Microsoft Graph > Application permissions, tick { $permission }, click "Add permissions", then "Grant admin consent for" your organisation; new tokens carry it after a few minutes.

# Users and mailboxes
check-mailboxes-no-users = not checked: the users cannot be read (see the Business database line)
check-mailboxes-skipped = not checked for { $count ->
    [one] 1 user
   *[other] { $count } users
}: no access token (see the Token line)
check-user-no-mailbox = enabled, but has no mailbox address
check-user-no-mailbox-fix = set it with `exsync business user set { $login } --mailbox ADDRESS`, or switch the user off with `--enabled false`.
check-mailbox-found = found, the app may reach it
check-mailbox-no-permission = not checked: the app has none of the permissions the enabled data types need (see the Permission lines)
check-mailbox-not-found = Exchange Online has no mailbox { $mailbox } ({ $code })
check-mailbox-not-found-fix = check the address with `exsync business users` and correct it with `exsync business user set { $login } --mailbox ADDRESS`; the user needs an Exchange Online licence (MailboxNotEnabledForRESTAPI: the mailbox is on premises, inactive or not yet provisioned).
check-mailbox-outside-scope = Exchange Online keeps the app out of this mailbox ({ $code }: { $detail })
check-mailbox-outside-scope-fix = an application access policy (or RBAC for Applications) limits the app to some mailboxes: add { $mailbox } to the mail-enabled security group the policy names, or to the management scope of the app's role assignment (Exchange Online PowerShell: Test-ApplicationAccessPolicy -Identity { $mailbox } -AppId { $app }); changes can take an hour to apply.
check-access-denied = Graph refused access ({ $code }: { $detail })
check-graph-error = { $reason }
check-graph-error-fix = check exchange.online.graph_url and the connection to Microsoft Graph, then run the check again.

# Read-and-write probes
check-probe-passed = read, created and deleted a test item in exsync's own folder "{ $folder }"
check-probe-skipped-mailbox = not checked: the mailbox cannot be reached (see the Mailbox line)
check-probe-skipped-permission = not checked: the app lacks { $permission } (see the Permission line)
check-probe-folder-failed = cannot find or create exsync's own folder "{ $folder }": { $reason }
check-probe-read-failed = cannot read the items of "{ $folder }": { $reason }
check-probe-create-failed = cannot create a test item in "{ $folder }": { $reason }
check-probe-delete-failed = created a test item in "{ $folder }" but cannot delete it (delete it by hand): { $reason }
