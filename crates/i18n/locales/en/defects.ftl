# Texts of the fixes to `exsync reset` and friends (issue 10, section 5).
defects-reset-only-kinds = Resetting only: { $kinds } (the other data types keep their links).
