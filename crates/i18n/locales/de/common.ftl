# Gemeinsame Texte. Jede Datei in locales/de hat ihre Entsprechung in locales/en.
lang-name = Deutsch
check-passed = bestanden
check-failed = fehlgeschlagen
