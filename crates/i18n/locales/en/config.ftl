# exsync config init / set / get / import. Twin: locales/de/config.ftl (same ids and variables).

## Writing a file
config-written = Written { $path } (readable by its owner only). Read back through the configuration loader:
config-check-hint = Next: run `{ $command }` to verify the database, the sign-in and every mailbox.
config-file-exists = { $path } exists already: keep it, or replace it with --force.
config-cannot-write = cannot write { $path }
config-no-file = { $path } does not exist: create it with `exsync config init` (or `exsync config import --bnwin FILE`), or name another file with --config FILE.
config-input-ended = the input ended before every question was answered
config-no-hidden-input = this system cannot read a secret without showing it: give it with --secret-stdin KEY

## Keys
config-unknown-key = unknown key { $key }: the keys are listed in docs/configuration.md
config-unknown-key-hint = unknown key { $key }: did you mean { $hint }?
config-key-is-section = { $section } is a section, not a key: name one of its keys, e.g. { $example }
config-section-not-a-table = the file writes { $section } as a single value, not as a section: fix that line first

## config init: questions
config-init-intro = Answer each question; Enter takes the value in brackets. Secrets are not shown while you type. Everything not asked keeps its default (docs/configuration.md).
config-ask-kind = Exchange: online (Exchange Online, Microsoft 365), server (Exchange Server, EWS) or emulator (built in, for trying out)
config-ask-tenant = Directory (tenant) ID of the app registration, or a domain of the tenant
config-ask-client-id = Application (client) ID of the app registration
config-ask-credential = Sign in with a client secret or a certificate
config-ask-client-secret = Client secret (its value, not its ID)
config-ask-certificate = Certificate file with its private key (PEM or .pfx)
config-ask-certificate-password = Password of the certificate file
config-ask-expires-on = Expiry date of the secret or certificate (YYYY-MM-DD, "Expires" in Entra ID)
config-ask-ews-url = EWS endpoint or host name of the Exchange Server
config-ask-ews-auth = Sign-in of the service account: basic, ntlm or bearer
config-ask-ews-token = Bearer token
config-ask-ews-username = Service account with the ApplicationImpersonation role
config-ask-ews-password = Password of the service account
config-ask-database = Business database (sqlite://FILE or postgres://USER@HOST/DATABASE)
config-ask-database-password = Password of the database user
config-ask-months-past = Sync window: whole months into the past
config-ask-months-future = Sync window: whole months into the future
config-ask-appointments = Appointments: both, export (to Exchange only), import (from Exchange only) or off
config-ask-tasks = Tasks: both, export, import or off
config-ask-contacts = Company address book into every mailbox: export or off
config-ask-body = Info text (body): export_only (to Exchange, Outlook edits stay in Outlook), both or never
config-ask-none = none
config-ask-required = An answer is needed here.
config-ask-one-of = Please answer one of: { $words }
config-init-invalid = Nothing was written: the answers do not make a valid configuration (see above).
config-init-invalid-scripted = Nothing was written. Give the missing or wrong values with --set KEY=VALUE (secrets with --secret-stdin KEY).
config-init-header-1 = exsync configuration, written by `exsync config init`.
config-init-header-2 = Every key is described in docs/configuration.md; keys not written here keep their built-in defaults.
config-init-header-3 = This file holds secrets: keep it readable by its owner only (mode 0600).
config-secret-on-command-line = warning: { $key } on the command line can be seen by other users in the process list; prefer --secret-stdin { $key }.
config-not-a-secret = { $key } is not a secret: give it with --set { $key }=VALUE

## config set / get
config-set-done = { $key } = { $value } written to { $path }
config-set-removed = { $key } was removed from the file: a secret is given one way only.
config-set-readable = warning: { $path } holds a secret and other users may read it: chmod 600 { $path }
config-set-refused = { $key } was not changed: { $path } is left as it was.
config-get-default = (the built-in default: the file does not set it)
config-get-from-env = (from the environment variable { $var }, which overrides the file)
config-get-not-set = { $key } is not set: { $otherwise }
config-get-not-used = { $key } is not used while exchange.kind = "{ $kind }"
config-get-file-not-used = { $key } is not used: { $secret } is not read from a file

## config import --bnwin
config-import-too-many = give at most two files: bnNetExchangeSync.exe.config and Adress2Exchange-Dienst.exe.config
config-import-invalid = Nothing was written: the imported values do not make a valid configuration (see above).
config-import-header = exsync configuration, imported by `exsync config import` from { $files }.
config-import-comment-key = from bnWin.net { $bnwin_key } ({ $file })
config-import-comment-services = from the bnWin.net services that were imported
config-import-comment-graph = bnWin.net used EWS; exsync talks to Exchange Online through Microsoft Graph
config-import-mapped = Mapped:
config-import-changed = Changed on purpose:
config-import-no-equivalent = No equivalent in exsync:
config-import-todo = Still to do:
config-import-note-mapped = { $bnwin_key } ({ $file }) -> { $key } = { $value }
config-import-note-service = service { $service } ({ $file }) -> { $key } = "{ $value }"
config-import-note-no-service = service { $service } not imported (no { $file }) -> { $key } = "off"; to sync it too, import that file as well or set { $key }
config-import-note-no-tasks = bnWin.net synchronises no tasks -> sync.tasks = "off" (set "both" to add Microsoft To Do)
config-import-note-service-assumed = { $file }: the file name does not say which service it configures; taken as { $service }
config-import-note-kept-first = { $bnwin_key } differs between { $kept } and { $ignored }: the value of { $kept } was kept
config-import-note-scope = AzureEwsScopestring ({ $file }) = { $old }: not taken over; exsync requests Microsoft Graph's scope { $new } (the default of exchange.online.scope)
config-import-note-endpoint = AzureEwsEndpoint ({ $file }) = { $old }: EWS is replaced by Microsoft Graph -> exchange.kind = "online", exchange.online.graph_url keeps its default { $graph_url }
config-import-note-graph = the Azure app registration is used with Microsoft Graph -> exchange.kind = "online", exchange.online.graph_url = { $graph_url }
config-import-note-endpoint-not-online = This endpoint is not Exchange Online's: if the mailboxes are on an Exchange Server, set exchange.kind = "server" and exchange.server.ews_url instead.
config-import-note-reset-off = AlleTermineVorloeschen ({ $file }) was off: nothing to do. exsync has no such setting; the one-off command is `exsync reset --kind appointments`.
config-import-note-reset-on = AlleTermineVorloeschen ({ $file }) was ON: exsync has no such setting (it would wipe the calendars at every start). To delete the appointments exsync put into Exchange and sync them again once, run `exsync reset --kind appointments --delete-exchange-items`.
config-import-note-app-path = AppPath ({ $file }): the bnWin.net program folder; exsync reaches the business data through database.url instead
config-import-note-unknown = { $bnwin_key } ({ $file }): not a setting the bnWin.net manual describes; not imported (its value is not shown)
config-import-note-database = point database.url at the business database: exsync config set database.url postgres://USER@HOST/DATABASE
config-import-note-expiry = note when the client secret expires ("Expires" in Entra ID, at most 24 months): exsync config set exchange.online.client_secret_expires_on YYYY-MM-DD
config-import-note-missing = { $bnwin_key } is missing or empty: set { $key }
config-import-note-no-exchange = the files name no Azure app registration (AzureClientId, AzureTenantId, AzureClientSecret): set exchange.kind and the [exchange.online] keys (docs/configuration.md)
config-import-cannot-read = cannot read { $path }: { $reason }
config-import-not-text = { $path }: not a text file (neither UTF-8 nor UTF-16)
config-import-not-xml = { $path }:{ $line }: not well-formed XML: { $reason }
config-import-no-app-settings = { $path }: has no <appSettings> section under <configuration>: not a bnWin.net service configuration
config-import-not-a-number = { $path }:{ $line }: { $key } must be a whole number
config-import-differs = { $key } differs between { $first } and { $second }: exsync signs in with one app registration for all data types. Make the values equal (one app with every permission) or import one file.
config-import-same-service = { $first } and { $second } both configure { $service }: import one of them
