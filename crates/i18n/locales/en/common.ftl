# Shared texts. Each file of locales/en has its twin in locales/de with the same ids.
lang-name = English
check-passed = passed
check-failed = failed
