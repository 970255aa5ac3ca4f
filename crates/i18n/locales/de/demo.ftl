# `exsync demo`: Schritte, Fortschritt, Zusammenfassung und Fehler der geführten Vorführung.
# Die Demodaten selbst (Betreffe, Namen) sind Geschäftsdaten und bleiben, wie sie sind.

demo-title = exsync – Vorführung
demo-step-database = 1. Eine Geschäftsdatenbank mit Demodaten: { $path }
demo-replacing = (die Datenbank einer früheren Vorführung wird ersetzt)
demo-data-contacts = { $count } Firmenkontakte (jedes Postfach erhält sie)
demo-data-series = Annas wöchentliche Vertriebsbesprechung ist eine Serie von sechs Terminen; einer ist auf Dienstag verschoben, einer abgesagt.
demo-step-emulator = 2. Der eingebaute Exchange-Emulator, in diesem Prozess, mit einem Postfach je Benutzer
demo-step-service = 3. Der Dienst läuft (er sieht jede Sekunde nach Änderungen); der erste Abgleich:
demo-initial-complete = erster Abgleich abgeschlossen: { $items } von { $items } Einträgen in { $mailboxes } Postfächern nach { $duration }
demo-written-exchange = in Exchange geschrieben: { $written }
demo-written-business = in die Geschäftsdatenbank geschrieben: { $written }
demo-step-business-change = 4. Die Geschäftsanwendung benennt „{ $old }“ von { $name } in „{ $new }“ um
demo-arrived-exchange = in Exchange angekommen nach { $duration }
demo-step-outlook-change = 5. { $name } benennt „{ $old }“ in Outlook in „{ $new }“ um
demo-arrived-business = in der Geschäftsdatenbank angekommen nach { $duration }
demo-summary = Zusammenfassung
demo-series-kept = die wöchentliche Serie behielt ihre Ausnahmen: { $moved } verschoben, { $cancelled } abgesagt
demo-database-stays = Die Demodatenbank bleibt in { $dir }; ihren Inhalt zeigt der Befehl
demo-keeps-running-at = Der Dienst läuft weiter: { $url }
demo-keeps-running = Der Dienst läuft weiter.
demo-stop-hint = Beenden Sie ihn mit Strg+C.
demo-stopped = beendet

## Anzahlen ($kind: appointment, task oder contact)
demo-count = { $kind ->
    [appointment] { $count ->
        [one] { $count } Termin
       *[other] { $count } Termine
    }
    [task] { $count ->
        [one] { $count } Aufgabe
       *[other] { $count } Aufgaben
    }
   *[contact] { $count ->
        [one] { $count } Kontakt
       *[other] { $count } Kontakte
    }
}
demo-written-created = { $items } angelegt
demo-written-updated = { $items } geändert
demo-written-deleted = { $items } gelöscht
demo-written-nothing = nichts

## Fortschrittsbalken und die Tabelle der Zusammenfassung
demo-progress-appointments = Termine
demo-progress-tasks = Aufgaben
demo-progress-contacts = Kontakte
demo-col-user = BENUTZER
demo-col-mailbox = POSTFACH
demo-col-appointments = TERMINE
demo-col-tasks = AUFGABEN
demo-col-contacts = KONTAKTE
demo-col-errors = FEHLER

## Fehler
demo-see-why = Die Warnungen oben nennen den Grund, falls es welche gibt; `exsync --log info demo` zeigt jeden Durchlauf des Dienstes.
demo-error-not-arrived = { $what } ist nicht innerhalb von { $seconds } s angekommen: { $why }
demo-what-business-change = Die Änderung in der Geschäftsanwendung
demo-what-outlook-change = Die Änderung in Outlook
demo-what-report = Die Meldung des Dienstes darüber
demo-error-initial = Der erste Abgleich wurde nicht innerhalb von { $seconds } s fertig: { $why }
demo-error-service-stopped = Der Dienst hat vor dem Ende der Vorführung angehalten.
demo-error-dir = Das Verzeichnis der Vorführung { $dir } kann nicht angelegt werden.
demo-error-path = Der Pfad der Demodatenbank { $problem }: Wählen Sie ein anderes --dir.
demo-error-replace = { $file } kann nicht ersetzt werden: Löschen Sie die Datei oder wählen Sie ein anderes --dir.
demo-error-create-db = Die Demo-Geschäftsdatenbank kann nicht angelegt werden.
demo-error-schema = Das Integrationsschema kann in der Demodatenbank nicht angelegt werden.
demo-error-add-user = Der Demobenutzer { $login } kann nicht angelegt werden.
demo-of-user = von { $login }
demo-of-contacts = der Firmenkontakte
demo-error-rejected = Die Demodaten { $whose } wurden abgewiesen ({ $uid }: { $reason }); das ist ein Fehler in exsync demo.
demo-error-imported = { $imported } von { $expected } Demoeinträgen { $whose } wurden importiert; das ist ein Fehler in exsync demo.
demo-error-no-event = Der Termin { $id } hat kein Ereignis in { $mailbox }.
demo-error-missing = Der Demotermin { $id } fehlt.
demo-error-change = Der Termin { $id } kann nicht geändert werden.
demo-error-rename = Das Ereignis in { $mailbox } kann nicht umbenannt werden.
demo-error-read = Das Ereignis in { $mailbox } kann nicht gelesen werden.
demo-error-no-owner = Kein Demobenutzer besitzt { $id }.
