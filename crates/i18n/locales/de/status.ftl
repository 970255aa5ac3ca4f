# `exsync status`: die Tabelle, die Einzelheiten eines Postfachs (`exsync status LOGIN`), die
# Zeile zum Anmeldeschlüssel der App und die Fehler des Befehls. Die Texte zum Schlüssel sind
# auch die `message` von `credential` im /status des Admin-Endpunkts.

## Spaltenköpfe der Tabelle
status-col-login = BENUTZER
status-col-mailbox = POSTFACH
status-col-enabled = AKTIV
status-col-last-success = LETZTER ERFOLG
status-col-lag = VERZUG
status-col-pending = AUSSTEHEND
status-col-held = ZURÜCKGEHALTEN
status-col-last-error = LETZTER FEHLER

## Werte
status-yes = ja
status-no = nein
status-never = nie
status-ago = vor { $duration }
status-duration-seconds = { $n } s
status-duration-minutes = { $n } min
status-duration-hours = { $n } h
status-duration-days = { $n } T

## Bezeichnungen von `exsync status LOGIN`
status-detail-enabled = Aktiv
status-detail-last-success = Letzter Erfolg
status-detail-last-pass = Letzter Durchlauf
status-detail-lag = Verzug
status-detail-pending = Ausstehend
status-detail-held = Zurückgehalten
status-detail-last-error = Letzter Fehler

## Der Anmeldeschlüssel der App-Registrierung ($kind: secret oder certificate; $days: ganze Tage)
status-credential-unknown = { $kind ->
    [certificate] Das Ablaufdatum des Zertifikats ist nicht eingetragen: Setzen Sie exchange.online.client_secret_expires_on auf das Datum, das Entra ID anzeigt (Zertifikate & Geheimnisse), um rechtzeitig gewarnt zu werden.
   *[secret] Das Ablaufdatum des geheimen Clientschlüssels ist nicht eingetragen: Setzen Sie exchange.online.client_secret_expires_on auf das Datum, das Entra ID anzeigt (Zertifikate & Geheimnisse), um rechtzeitig gewarnt zu werden.
}
status-credential-valid = { $kind ->
    [certificate] Das Zertifikat
   *[secret] Der geheime Clientschlüssel
} läuft am { $date } ab (in { $days ->
    [one] einem Tag
   *[other] { $days } Tagen
}).
status-credential-expires-soon = { $kind ->
    [certificate] Das Zertifikat läuft am { $date } ab ({ $days ->
        [0] heute
        [one] morgen
       *[other] in { $days } Tagen
    }): Laden Sie in Entra ID (App-Registrierungen, Zertifikate & Geheimnisse) ein neues hoch und setzen Sie dann exchange.online.certificate_file und exchange.online.client_secret_expires_on.
   *[secret] Der geheime Clientschlüssel läuft am { $date } ab ({ $days ->
        [0] heute
        [one] morgen
       *[other] in { $days } Tagen
    }): Legen Sie in Entra ID (App-Registrierungen, Zertifikate & Geheimnisse) einen neuen an und setzen Sie dann exchange.online.client_secret und exchange.online.client_secret_expires_on.
}
status-credential-expired = { $kind ->
    [certificate] Das Zertifikat ist am { $date } abgelaufen (vor { $days ->
        [one] einem Tag
       *[other] { $days } Tagen
    }): Die Anmeldung bei Exchange Online schlägt fehl, bis in Entra ID (App-Registrierungen, Zertifikate & Geheimnisse) ein neues hochgeladen und in exchange.online.certificate_file und exchange.online.client_secret_expires_on eingetragen ist.
   *[secret] Der geheime Clientschlüssel ist am { $date } abgelaufen (vor { $days ->
        [one] einem Tag
       *[other] { $days } Tagen
    }): Die Anmeldung bei Exchange Online schlägt fehl, bis in Entra ID (App-Registrierungen, Zertifikate & Geheimnisse) ein neuer angelegt und in exchange.online.client_secret und exchange.online.client_secret_expires_on eingetragen ist.
}
status-warning = Warnung: { $text }

## Was `exsync status` neben der Tabelle ausgibt, und seine Fehler
status-held-for = Zurückgehalten für { $login } ({ $mailbox }): { $held }
status-admin-off = Der Admin-Endpunkt ist abgeschaltet (admin.listen = "off"), daher gibt es keinen Status zu lesen; nennen Sie die Adresse des laufenden Dienstes mit `exsync status --admin ADRESSE:PORT`.
status-no-service = Auf { $addr } antwortet kein exsync-Dienst (läuft `exsync run`? Siehe admin.listen.)
status-http-client = Es kann kein HTTP-Client erstellt werden.
status-token-wanted = Der Admin-Endpunkt auf { $addr } verlangt ein Token: Setzen Sie admin.token (oder admin.token_file) auf das Token des Dienstes.
status-answered = Der Admin-Endpunkt auf { $addr } hat auf GET /status mit { $status } geantwortet.
status-not-a-status = Die Antwort von { $url } ist kein exsync-Status (lauscht dort ein anderes Programm?)
status-unknown-login = Der Dienst meldet kein Postfach von „{ $login }“; die Benutzer, die er meldet: { $known }
