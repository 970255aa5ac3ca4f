# Texte der Korrekturen an `exsync reset` und Verwandtem (Issue 10, Abschnitt 5).
defects-reset-only-kinds = Zurückgesetzt werden nur: { $kinds } (die anderen Datenarten behalten ihre Verknüpfungen).
