# exsync config init / set / get / import. Gegenstück: locales/en/config.ftl (gleiche IDs und Variablen).

## Eine Datei schreiben
config-written = { $path } geschrieben (nur für den Eigentümer lesbar). Mit dem Konfigurationslader zurückgelesen:
config-check-hint = Als Nächstes: Prüfen Sie Datenbank, Anmeldung und alle Postfächer mit `{ $command }`.
config-file-exists = { $path } gibt es bereits: Behalten Sie die Datei, oder ersetzen Sie sie mit --force.
config-cannot-write = { $path } kann nicht geschrieben werden
config-no-file = { $path } gibt es nicht: Legen Sie die Datei mit `exsync config init` (oder `exsync config import --bnwin DATEI`) an, oder nennen Sie mit --config DATEI eine andere.
config-input-ended = Die Eingabe endete, bevor alle Fragen beantwortet waren.
config-no-hidden-input = Dieses System kann ein Geheimnis nicht verdeckt einlesen: Geben Sie es mit --secret-stdin SCHLÜSSEL an.

## Schlüssel
config-unknown-key = unbekannter Schlüssel { $key }: Alle Schlüssel stehen in docs/configuration.md
config-unknown-key-hint = unbekannter Schlüssel { $key }: Meinten Sie { $hint }?
config-key-is-section = { $section } ist ein Abschnitt, kein Schlüssel: Nennen Sie einen seiner Schlüssel, z. B. { $example }
config-section-not-a-table = Die Datei schreibt { $section } als einzelnen Wert statt als Abschnitt: Korrigieren Sie zuerst diese Zeile.

## config init: Fragen
config-init-intro = Beantworten Sie jede Frage; die Eingabetaste übernimmt den Wert in eckigen Klammern. Geheimnisse werden bei der Eingabe nicht angezeigt. Alles, was nicht gefragt wird, behält seinen Standardwert (docs/configuration.md).
config-ask-kind = Exchange: online (Exchange Online, Microsoft 365), server (Exchange Server, EWS) oder emulator (eingebaut, zum Ausprobieren)
config-ask-tenant = Verzeichnis-ID (Mandant) der App-Registrierung oder eine Domäne des Mandanten
config-ask-client-id = Anwendungs-ID (Client) der App-Registrierung
config-ask-credential = Anmeldung mit geheimem Clientschlüssel (secret) oder Zertifikat (certificate)
config-ask-client-secret = Geheimer Clientschlüssel (sein Wert, nicht seine ID)
config-ask-certificate = Zertifikatsdatei mit privatem Schlüssel (PEM oder .pfx)
config-ask-certificate-password = Kennwort der Zertifikatsdatei
config-ask-expires-on = Ablaufdatum des Geheimnisses oder Zertifikats (JJJJ-MM-TT, „Gültig bis“ in Entra ID)
config-ask-ews-url = EWS-Endpunkt oder Hostname des Exchange Servers
config-ask-ews-auth = Anmeldung des Dienstkontos: basic, ntlm oder bearer
config-ask-ews-token = Bearer-Token
config-ask-ews-username = Dienstkonto mit der Rolle ApplicationImpersonation
config-ask-ews-password = Kennwort des Dienstkontos
config-ask-database = Geschäftsdatenbank (sqlite://DATEI oder postgres://BENUTZER@HOST/DATENBANK)
config-ask-database-password = Kennwort des Datenbankbenutzers
config-ask-months-past = Synchronisationszeitraum: ganze Monate in die Vergangenheit
config-ask-months-future = Synchronisationszeitraum: ganze Monate in die Zukunft
config-ask-appointments = Termine: both (beide Richtungen), export (nur nach Exchange), import (nur aus Exchange) oder off
config-ask-tasks = Aufgaben: both, export, import oder off
config-ask-contacts = Firmenadressbuch in jedes Postfach: export oder off
config-ask-body = Infotext (Textkörper): export_only (nach Exchange; Änderungen in Outlook bleiben in Outlook), both oder never
config-ask-none = keine
config-ask-required = Hier ist eine Antwort nötig.
config-ask-one-of = Bitte antworten Sie mit einem von: { $words }
config-init-invalid = Es wurde nichts geschrieben: Die Antworten ergeben keine gültige Konfiguration (siehe oben).
config-init-invalid-scripted = Es wurde nichts geschrieben. Geben Sie fehlende oder falsche Werte mit --set SCHLÜSSEL=WERT an (Geheimnisse mit --secret-stdin SCHLÜSSEL).
config-init-header-1 = exsync-Konfiguration, geschrieben von `exsync config init`.
config-init-header-2 = Jeder Schlüssel ist in docs/configuration.md beschrieben; Schlüssel, die hier fehlen, behalten ihren eingebauten Standardwert.
config-init-header-3 = Diese Datei enthält Geheimnisse: Sie darf nur für ihren Eigentümer lesbar sein (Modus 0600).
config-secret-on-command-line = Warnung: { $key } auf der Befehlszeile ist für andere Benutzer in der Prozessliste sichtbar; besser --secret-stdin { $key }.
config-not-a-secret = { $key } ist kein Geheimnis: Geben Sie es mit --set { $key }=WERT an.

## config set / get
config-set-done = { $key } = { $value } in { $path } geschrieben
config-set-removed = { $key } wurde aus der Datei entfernt: Ein Geheimnis wird nur auf eine Art angegeben.
config-set-readable = Warnung: { $path } enthält ein Geheimnis und ist für andere Benutzer lesbar: chmod 600 { $path }
config-set-refused = { $key } wurde nicht geändert: { $path } bleibt, wie es war.
config-get-default = (eingebauter Standardwert: Die Datei setzt ihn nicht)
config-get-from-env = (aus der Umgebungsvariable { $var }, die die Datei überschreibt)
config-get-not-set = { $key } ist nicht gesetzt: { $otherwise }
config-get-not-used = { $key } wird nicht verwendet, solange exchange.kind = "{ $kind }" ist
config-get-file-not-used = { $key } wird nicht verwendet: { $secret } wird nicht aus einer Datei gelesen

## config import --bnwin
config-import-too-many = Geben Sie höchstens zwei Dateien an: bnNetExchangeSync.exe.config und Adress2Exchange-Dienst.exe.config
config-import-invalid = Es wurde nichts geschrieben: Die übernommenen Werte ergeben keine gültige Konfiguration (siehe oben).
config-import-header = exsync-Konfiguration, von `exsync config import` übernommen aus { $files }.
config-import-comment-key = aus bnWin.net { $bnwin_key } ({ $file })
config-import-comment-services = aus den übernommenen bnWin.net-Diensten
config-import-comment-graph = bnWin.net verwendete EWS; exsync spricht mit Exchange Online über Microsoft Graph
config-import-mapped = Übernommen:
config-import-changed = Bewusst geändert:
config-import-no-equivalent = Ohne Entsprechung in exsync:
config-import-todo = Noch zu tun:
config-import-note-mapped = { $bnwin_key } ({ $file }) -> { $key } = { $value }
config-import-note-service = Dienst { $service } ({ $file }) -> { $key } = "{ $value }"
config-import-note-no-service = Dienst { $service } nicht übernommen (keine { $file }) -> { $key } = "off"; um ihn auch zu synchronisieren, übernehmen Sie auch diese Datei oder setzen Sie { $key }
config-import-note-no-tasks = bnWin.net synchronisiert keine Aufgaben -> sync.tasks = "off" (mit "both" kommt Microsoft To Do hinzu)
config-import-note-service-assumed = { $file }: Der Dateiname verrät nicht, welchen Dienst die Datei einrichtet; angenommen: { $service }
config-import-note-kept-first = { $bnwin_key } unterscheidet sich zwischen { $kept } und { $ignored }: Der Wert aus { $kept } wurde behalten
config-import-note-scope = AzureEwsScopestring ({ $file }) = { $old }: nicht übernommen; exsync fordert den Bereich von Microsoft Graph an, { $new } (Standardwert von exchange.online.scope)
config-import-note-endpoint = AzureEwsEndpoint ({ $file }) = { $old }: EWS wird durch Microsoft Graph ersetzt -> exchange.kind = "online", exchange.online.graph_url behält den Standardwert { $graph_url }
config-import-note-graph = Die Azure-App-Registrierung wird mit Microsoft Graph verwendet -> exchange.kind = "online", exchange.online.graph_url = { $graph_url }
config-import-note-endpoint-not-online = Dieser Endpunkt gehört nicht zu Exchange Online: Liegen die Postfächer auf einem Exchange Server, setzen Sie stattdessen exchange.kind = "server" und exchange.server.ews_url.
config-import-note-reset-off = AlleTermineVorloeschen ({ $file }) war aus: nichts zu tun. exsync hat keine solche Einstellung; der einmalige Befehl dafür ist `exsync reset --kind appointments`.
config-import-note-reset-on = AlleTermineVorloeschen ({ $file }) war EIN: exsync hat keine solche Einstellung (sie würde die Kalender bei jedem Start leeren). Um die Termine, die exsync in Exchange angelegt hat, einmal zu löschen und neu zu synchronisieren, führen Sie `exsync reset --kind appointments --delete-exchange-items` aus.
config-import-note-app-path = AppPath ({ $file }): der bnWin.net-Programmordner; exsync erreicht die Geschäftsdaten stattdessen über database.url
config-import-note-unknown = { $bnwin_key } ({ $file }): keine im bnWin.net-Handbuch beschriebene Einstellung; nicht übernommen (der Wert wird nicht angezeigt)
config-import-note-database = database.url auf die Geschäftsdatenbank setzen: exsync config set database.url postgres://BENUTZER@HOST/DATENBANK
config-import-note-expiry = das Ablaufdatum des geheimen Clientschlüssels eintragen („Gültig bis“ in Entra ID, höchstens 24 Monate): exsync config set exchange.online.client_secret_expires_on JJJJ-MM-TT
config-import-note-missing = { $bnwin_key } fehlt oder ist leer: { $key } setzen
config-import-note-no-exchange = Die Dateien nennen keine Azure-App-Registrierung (AzureClientId, AzureTenantId, AzureClientSecret): exchange.kind und die Schlüssel unter [exchange.online] setzen (docs/configuration.md)
config-import-cannot-read = { $path } kann nicht gelesen werden: { $reason }
config-import-not-text = { $path }: keine Textdatei (weder UTF-8 noch UTF-16)
config-import-not-xml = { $path }:{ $line }: kein wohlgeformtes XML: { $reason }
config-import-no-app-settings = { $path }: enthält keinen Abschnitt <appSettings> unter <configuration>: keine Dienstkonfiguration von bnWin.net
config-import-not-a-number = { $path }:{ $line }: { $key } muss eine ganze Zahl sein
config-import-differs = { $key } unterscheidet sich zwischen { $first } und { $second }: exsync meldet sich mit einer App-Registrierung für alle Datenarten an. Gleichen Sie die Werte an (eine App mit allen Berechtigungen), oder übernehmen Sie nur eine Datei.
config-import-same-service = { $first } und { $second } richten beide { $service } ein: Übernehmen Sie nur eine davon.
