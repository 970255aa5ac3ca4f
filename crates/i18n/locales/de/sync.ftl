# `exsync sync --once` (crates/exsync/src/commands/sync.rs).
sync-dry-run = Probelauf: nichts wurde geschrieben; die Zahlen zeigen, was ein Lauf schreiben würde.
sync-column-user = Benutzer
sync-column-mailbox = Postfach
sync-column-kind = Art
sync-column-exchange = Exchange (+neu ~geä. -gel.)
sync-column-business = Fachanw. (+neu ~geä. -gel.)
sync-column-rejected = abgelehnt
sync-user-not-synced = { $login }: nicht synchronisiert: { $reason }
sync-no-users = Kein aktivierter Benutzer mit Postfach: legen Sie einen an mit `exsync business user add LOGIN --mailbox ADRESSE`.
sync-graph-requests = Graph-Anfragen: { $http } HTTP ({ $batched } davon in $batch), { $throttled } gedrosselt
