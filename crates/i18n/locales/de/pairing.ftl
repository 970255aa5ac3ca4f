# Zuordnen ungekoppelter Einträge, die auf beiden Seiten stehen (crates/runtime/src/pairing).
# $kind ist appointment, task oder contact.
pairing-kinds = { $kind ->
    [appointment] Termine
    [task] Aufgaben
   *[contact] Kontakte
}
pairing-kind = { $kind ->
    [appointment] Termin
    [task] Aufgabe
   *[contact] Kontakt
}
pairing-ambiguous = { $business_count ->
    [one] { $outlook_count } Outlook-Einträge ({ $outlook_ids }) passen zu { pairing-kind } { $business_ids } der Fachanwendung { $what }; keiner wurde verknüpft.
   *[other] { $outlook_count ->
        [one] { $business_count } { pairing-kinds } der Fachanwendung ({ $business_ids }) passen zum Outlook-Eintrag { $outlook_ids } { $what }; keiner wurde verknüpft.
       *[other] { $business_count } { pairing-kinds } der Fachanwendung ({ $business_ids }) und { $outlook_count } Outlook-Einträge ({ $outlook_ids }) passen zu { $what }; keiner wurde verknüpft.
    }
} Entfernen Sie die überzähligen Kopien auf einer Seite (oder unterscheiden Sie sie); der nächste Lauf ordnet den Rest zu.
pairing-lookalike-business = { $count } { pairing-kinds } der Fachanwendung ({ $ids }) gleichen einander ({ $what }) und haben kein Gegenstück in Outlook: ein früheres Werkzeug hat vielleicht Dubletten hinterlassen; jeder wird nach Outlook übertragen.
pairing-lookalike-outlook = { $count } Outlook-Einträge ({ $ids }) gleichen einander ({ $what }) und haben kein Gegenstück in der Fachanwendung: ein früheres Werkzeug hat vielleicht Dubletten hinterlassen; jeder wird übertragen.
