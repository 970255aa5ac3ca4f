# exsync check: eine Zeile je Prüfung mit Grund und Abhilfe (crates/exsync/src/commands/check).
# "check-passed" und "check-failed" stehen in common.ftl.

check-status-warning = Warnung
check-status-skipped = übersprungen
check-fix = — Abhilfe: { $fix }
check-summary = { $passed } bestanden, { $warnings ->
    [one] 1 Warnung
   *[other] { $warnings } Warnungen
}, { $failed } fehlgeschlagen, { $skipped } übersprungen

check-title-configuration = Konfiguration
check-title-business-database = Geschäftsdatenbank
check-title-state-database = Zustandsdatenbank
check-title-exchange = Exchange
check-title-credential-expiry = Ablauf der Anmeldedaten
check-title-token = Token
check-title-permission = Berechtigung
check-title-users = Benutzer
check-title-mailbox = Postfach
check-title-calendar = Kalender
check-title-todo = To Do
check-title-contacts = Kontakte

check-skipped-no-exchange = nicht geprüft: Exchange ist nicht erreichbar (siehe die Zeile Exchange)
check-skipped-no-token = nicht geprüft: kein Zugriffstoken (siehe die Zeile Token)
check-skipped-certificate = nicht geprüft: die Zertifikatsdatei ist nicht verwendbar (siehe die Zeile Token)

# Konfiguration
check-config-defaults = eingebaute Voreinstellungen und EXSYNC_*-Variablen
check-config-passed = gültig ({ $source }; exchange.kind = "{ $kind }")
check-config-failed = { $count ->
    [one] 1 Fehler
   *[other] { $count } Fehler
}: { $errors }
check-config-failed-fix = Korrigieren Sie jede genannte Einstellung; `exsync config show` listet jeden Fehler mit Dateizeile oder Variable.

# Datenbanken
check-db-connect-failed = keine Verbindung zu { $address }: { $reason }
check-db-timeout = keine Antwort innerhalb von { $seconds } Sekunden
check-db-file-missing = die SQLite-Datei { $file } existiert nicht
check-db-file-missing-fix = Prüfen Sie database.url (ein relativer Pfad gilt ab dem Arbeitsverzeichnis) oder legen Sie die Datenbank mit `exsync business init` an.
check-db-unreachable = { $url } lässt sich nicht öffnen: { $reason }
check-db-unreachable-fix = Prüfen Sie database.url (Rechner, Port, Datenbank, Benutzer, Passwort) und ob der Datenbankserver läuft und Verbindungen von diesem Rechner annimmt.
check-db-unreadable = erreichbar, aber nicht lesbar: { $reason }
check-db-schema-missing = erreichbar, aber das Integrationsschema fehlt
check-db-schema-outdated = erreichbar, aber das Integrationsschema hat Version { $found }, diese exsync-Version braucht Version { $needed }
check-db-schema-init-fix = Führen Sie `exsync business init` aus (legt das Integrationsschema an oder aktualisiert es; darf wiederholt werden).
check-db-schema-too-new = erreichbar, aber das Integrationsschema hat Version { $found }, neuer als diese exsync-Version kennt ({ $needed })
check-db-schema-too-new-fix = Aktualisieren Sie exsync auf die Version, die dieses Schema angelegt hat.
check-db-passed = erreichbar ({ $backend }), Integrationsschema Version { $version } ist aktuell
check-users-unreadable = die Benutzertabelle lässt sich nicht lesen: { $reason }
check-users-unknown = in der Geschäftsdatenbank gibt es keinen Benutzer „{ $login }“
check-users-unknown-fix = `exsync business users` listet die Anmeldenamen.
check-users-none = kein aktivierter Benutzer: es wird nichts synchronisiert
check-users-none-fix = Legen Sie einen mit `exsync business user add LOGIN --mailbox ADRESSE` an.
check-state-in-memory = wird beim Synchronisieren mit dem eingebauten Emulator im Arbeitsspeicher gehalten (database.state_url wird nicht verwendet)
check-state-passed = erreichbar, die Tabellen von exsync sind aktuell
check-state-passed-shared = erreichbar (die Geschäftsdatenbank, da database.state_url nicht gesetzt ist), die Tabellen von exsync sind aktuell
check-state-shared-skipped = nicht geprüft: es ist die Geschäftsdatenbank, und die ist nicht erreichbar
check-state-unreachable = { $url } lässt sich nicht öffnen: { $reason }
check-state-unreachable-fix = Prüfen Sie database.state_url (bzw. database.url, wenn es nicht gesetzt ist), ob der Datenbankserver läuft und ob exsync dort Tabellen anlegen darf.

# Exchange und die Anmeldedaten
check-exchange-emulator = exchange.kind = "emulator": geprüft gegen den eingebauten Exchange-Emulator, mit einem Postfach für jeden geprüften Benutzer
check-exchange-emulator-failed = der eingebaute Exchange-Emulator startet nicht: { $reason }
check-exchange-emulator-failed-fix = Wiederholen Sie die Prüfung; bleibt der Fehler, melden Sie ihn mit der Ausgabe von `exsync --log debug check`.
check-exchange-online = Exchange Online über Microsoft Graph unter { $graph_url }, Mandant { $tenant }, App { $app }
check-exchange-ews = exchange.kind = "server" (Exchange Server über EWS unter { $url }) wird von dieser exsync-Version noch nicht unterstützt
check-exchange-ews-fix = Verwenden Sie exchange.kind = "online" für Exchange Online (Microsoft Graph) oder warten Sie auf die Version mit EWS-Unterstützung.
check-exchange-ews-disabled = EWS unter { $url } hat mit 403 Forbidden geantwortet: EWS ist für diesen Mandanten abgeschaltet (wie in Exchange Online seit Oktober 2026), daher erreicht exsync die Postfächer nicht über EWS
check-exchange-ews-disabled-fix = Verwenden Sie exchange.kind = "online" (Microsoft Graph mit einer App-Registrierung in Microsoft Entra ID); `exsync config init` richtet das ein.
check-expiry-emulator = der geheime Clientschlüssel des eingebauten Emulators läuft am { $date } ab (in { $days } Tagen)
check-secret-expires = der geheime Clientschlüssel läuft am { $date } ab (in { $days } Tagen)
check-secret-expired = der geheime Clientschlüssel ist am { $date } abgelaufen: die Anmeldung schlägt fehl
check-secret-renew-fix = Öffnen Sie im Microsoft Entra Admin Center Entra ID > App-Registrierungen > die App > Zertifikate & Geheimnisse (Certificates & secrets), klicken Sie auf „Neuer geheimer Clientschlüssel“, tragen Sie dessen Wert in exchange.online.client_secret und sein Ablaufdatum in exchange.online.client_secret_expires_on ein; löschen Sie den alten Schlüssel nach der Umstellung (er läuft am { $date } ab).
check-secret-expiry-unknown = das Ablaufdatum des geheimen Clientschlüssels ist nicht eingetragen, daher kann exsync nicht vorher warnen
check-secret-expiry-unknown-fix = Setzen Sie exchange.online.client_secret_expires_on = JJJJ-MM-TT auf das Datum, das im Microsoft Entra Admin Center unter „Gültig bis“ steht (Entra ID > App-Registrierungen > die App > Zertifikate & Geheimnisse).
check-certificate-expires = das Zertifikat läuft am { $date } ab (in { $days } Tagen, sein notAfter)
check-certificate-expired = das Zertifikat ist am { $date } abgelaufen (sein notAfter): die Anmeldung schlägt fehl
check-certificate-no-date = das Ablaufdatum (notAfter) lässt sich aus dem Zertifikat nicht lesen
check-certificate-renew-fix = Erstellen Sie ein neues Zertifikat, laden Sie dessen öffentlichen Teil im Microsoft Entra Admin Center hoch (Entra ID > App-Registrierungen > die App > Zertifikate & Geheimnisse > Zertifikate > Zertifikat hochladen) und lassen Sie exchange.online.certificate_file auf das neue Zertifikat mit seinem privaten Schlüssel zeigen.
check-certificate-unreadable = die Zertifikatsdatei { $file } ist nicht verwendbar: { $problem }
check-certificate-unreadable-fix = Prüfen Sie exchange.online.certificate_file (PEM mit Zertifikat und privatem Schlüssel, oder PKCS#12) und exchange.online.certificate_password.

# Token
check-token-passed = erhalten von { $url } für die App { $app }
check-token-not-jwt = das Zugriffstoken ist kein JWT, daher lassen sich seine Berechtigungen (roles) nicht lesen
check-token-not-jwt-fix = Prüfen Sie exchange.online.authority: es muss der Anmeldeendpunkt von Microsoft Entra sein (https://login.microsoftonline.com).
check-token-wrong-secret = Entra ID hat den geheimen Clientschlüssel der App { $app } abgelehnt (AADSTS7000215: ungültiger geheimer Clientschlüssel)
check-token-wrong-secret-fix = Der Wert des Schlüssels ist falsch, oder es wurde die Geheimnis-ID statt des Werts kopiert: Öffnen Sie im Microsoft Entra Admin Center Entra ID > App-Registrierungen > die App > Zertifikate & Geheimnisse, klicken Sie auf „Neuer geheimer Clientschlüssel“ und tragen Sie dessen Wert (wird nur einmal angezeigt) in exchange.online.client_secret ein.
check-token-expired-secret = der geheime Clientschlüssel der App { $app } ist abgelaufen (AADSTS7000222)
check-token-expired-secret-fix = Öffnen Sie im Microsoft Entra Admin Center Entra ID > App-Registrierungen > die App > Zertifikate & Geheimnisse, klicken Sie auf „Neuer geheimer Clientschlüssel“, tragen Sie dessen Wert in exchange.online.client_secret und sein Ablaufdatum in exchange.online.client_secret_expires_on ein.
check-token-unknown-app = Entra ID kennt die App { $app } in diesem Mandanten nicht (AADSTS700016)
check-token-unknown-app-fix = Vergleichen Sie exchange.online.client_id mit „Anwendungs-ID (Client)“ und exchange.online.tenant_id mit „Verzeichnis-ID (Mandant)“ auf der Übersichtsseite der App im Microsoft Entra Admin Center (Entra ID > App-Registrierungen); die App muss in diesem Mandanten registriert sein.
check-token-unknown-tenant = Entra ID kennt den Mandanten von { $url } nicht (AADSTS90002)
check-token-unknown-tenant-fix = Setzen Sie exchange.online.tenant_id auf die „Mandanten-ID“ der Übersichtsseite im Microsoft Entra Admin Center (Entra ID > Übersicht) oder auf eine überprüfte Domäne des Mandanten (Entra ID > Domänennamen); prüfen Sie exchange.online.authority.
check-token-certificate-rejected = Entra ID hat das Zertifikat der App { $app } abgelehnt (AADSTS700027: { $detail })
check-token-certificate-rejected-fix = Laden Sie das Zertifikat (seinen öffentlichen Teil, .cer oder .pem) im Microsoft Entra Admin Center unter Entra ID > App-Registrierungen > die App > Zertifikate & Geheimnisse > Zertifikate hoch, prüfen Sie dort Fingerabdruck und Ablaufdatum und ob exchange.online.certificate_file dieses Zertifikat mit seinem privaten Schlüssel enthält.
check-token-assertion-time = Entra ID hat die Client-Assertion als außerhalb ihrer Gültigkeit abgelehnt (AADSTS700024: { $detail })
check-token-assertion-time-fix = Stellen Sie die Uhr dieses Rechners richtig und halten Sie sie synchron (NTP); Entra ID vergleicht die Zeiten der Assertion mit der eigenen Uhr.
check-token-app-disabled = die App { $app } ist im Mandanten deaktiviert (AADSTS7000112: { $detail })
check-token-app-disabled-fix = Öffnen Sie im Microsoft Entra Admin Center Entra ID > Unternehmensanwendungen > die App > Eigenschaften und setzen Sie „Aktiviert für die Benutzeranmeldung?“ auf Ja.
check-token-refused = Entra ID hat die Tokenanfrage abgelehnt (HTTP { $status }, { $error }{ $code }): { $detail }
check-token-refused-fix = Schlagen Sie den AADSTS-Code in Microsofts Liste „Microsoft Entra-Authentifizierungs- und Autorisierungsfehlercodes“ nach und prüfen Sie die App-Registrierung im Microsoft Entra Admin Center (Entra ID > App-Registrierungen > die App).
check-token-server-error = der Tokenendpunkt { $url } hat mit HTTP { $status } geantwortet: { $detail }
check-token-throttled = Entra ID drosselt die Tokenanfragen dieser App ({ $url })
check-token-try-later-fix = Versuchen Sie es später erneut; fragt ein anderes Programm oder eine andere exsync-Instanz in einer Schleife Tokens für diese App an, beenden Sie es.
check-token-unreachable = der Tokenendpunkt { $url } ist nicht erreichbar: { $reason }
check-token-unreachable-fix = Prüfen Sie exchange.online.authority, DNS, Proxy und Firewall (HTTPS zu login.microsoftonline.com muss erlaubt sein).
check-token-bad-response = der Tokenendpunkt { $url } hat etwas geantwortet, das kein Token ist: { $reason }

# Berechtigungen
check-permission-passed = in den Rollen des Tokens (nötig, weil { $setting } = "{ $direction }")
check-permission-missing = dem Token der App fehlt die Anwendungsberechtigung { $permission }, die { $setting } = "{ $direction }" braucht; Rollen des Tokens: { $roles }
check-permission-no-roles = keine
check-permission-fix = Öffnen Sie im Microsoft Entra Admin Center Entra ID > App-Registrierungen > die App ({ $app }) > API-Berechtigungen > Berechtigung hinzufügen > Microsoft Graph > Anwendungsberechtigungen (Application permissions), wählen Sie { $permission }, klicken Sie auf „Berechtigungen hinzufügen“ und dann auf „Administratorzustimmung für … erteilen“ (Grant admin consent); neue Tokens enthalten sie nach einigen Minuten.

# Benutzer und Postfächer
check-mailboxes-no-users = nicht geprüft: die Benutzer lassen sich nicht lesen (siehe die Zeile Geschäftsdatenbank)
check-mailboxes-skipped = nicht geprüft für { $count ->
    [one] 1 Benutzer
   *[other] { $count } Benutzer
}: kein Zugriffstoken (siehe die Zeile Token)
check-user-no-mailbox = aktiviert, hat aber keine Postfachadresse
check-user-no-mailbox-fix = Tragen Sie sie mit `exsync business user set { $login } --mailbox ADRESSE` ein oder schalten Sie den Benutzer mit `--enabled false` ab.
check-mailbox-found = gefunden, die App hat Zugriff
check-mailbox-no-permission = nicht geprüft: die App hat keine der Berechtigungen, die die eingeschalteten Datenarten brauchen (siehe die Zeilen Berechtigung)
check-mailbox-not-found = Exchange Online hat kein Postfach { $mailbox } ({ $code })
check-mailbox-not-found-fix = Prüfen Sie die Adresse mit `exsync business users` und korrigieren Sie sie mit `exsync business user set { $login } --mailbox ADRESSE`; der Benutzer braucht eine Exchange-Online-Lizenz (MailboxNotEnabledForRESTAPI: das Postfach liegt lokal, ist inaktiv oder noch nicht bereitgestellt).
check-mailbox-outside-scope = Exchange Online verwehrt der App dieses Postfach ({ $code }: { $detail })
check-mailbox-outside-scope-fix = Eine Anwendungszugriffsrichtlinie (Application Access Policy, oder RBAC für Anwendungen) beschränkt die App auf bestimmte Postfächer: Nehmen Sie { $mailbox } in die E-Mail-aktivierte Sicherheitsgruppe der Richtlinie oder in den Verwaltungsbereich der Rollenzuweisung der App auf (Exchange Online PowerShell: Test-ApplicationAccessPolicy -Identity { $mailbox } -AppId { $app }); Änderungen können eine Stunde brauchen.
check-access-denied = Graph hat den Zugriff verweigert ({ $code }: { $detail })
check-graph-error = { $reason }
check-graph-error-fix = Prüfen Sie exchange.online.graph_url und die Verbindung zu Microsoft Graph und wiederholen Sie die Prüfung.

# Lese- und Schreibprobe
check-probe-passed = im eigenen Ordner „{ $folder }“ von exsync gelesen sowie einen Testeintrag angelegt und wieder gelöscht
check-probe-skipped-mailbox = nicht geprüft: das Postfach ist nicht erreichbar (siehe die Zeile Postfach)
check-probe-skipped-permission = nicht geprüft: der App fehlt { $permission } (siehe die Zeile Berechtigung)
check-probe-folder-failed = der eigene Ordner „{ $folder }“ von exsync lässt sich weder finden noch anlegen: { $reason }
check-probe-read-failed = die Einträge von „{ $folder }“ lassen sich nicht lesen: { $reason }
check-probe-create-failed = in „{ $folder }“ lässt sich kein Testeintrag anlegen: { $reason }
check-probe-delete-failed = Testeintrag in „{ $folder }“ angelegt, lässt sich aber nicht löschen (bitte von Hand löschen): { $reason }
