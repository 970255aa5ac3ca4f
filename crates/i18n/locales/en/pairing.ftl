# Pairing unlinked items found on both sides (crates/runtime/src/pairing).
# $kind is appointment, task or contact.
pairing-kinds = { $kind ->
    [appointment] appointments
    [task] tasks
   *[contact] contacts
}
pairing-kind = { $kind ->
    [appointment] appointment
    [task] task
   *[contact] contact
}
pairing-ambiguous = { $business_count ->
    [one] { $outlook_count } Outlook items ({ $outlook_ids }) match business { pairing-kind } { $business_ids } { $what }; linked none of them.
   *[other] { $outlook_count ->
        [one] { $business_count } business { pairing-kinds } ({ $business_ids }) match Outlook item { $outlook_ids } { $what }; linked none of them.
       *[other] { $business_count } business { pairing-kinds } ({ $business_ids }) and { $outlook_count } Outlook items ({ $outlook_ids }) match { $what }; linked none of them.
    }
} Remove the extra copies on one side (or make them differ); the next pass pairs what is left.
pairing-lookalike-business = { $count } business { pairing-kinds } ({ $ids }) look alike ({ $what }) and have no twin in Outlook: an earlier tool may have left duplicates; each is copied to Outlook.
pairing-lookalike-outlook = { $count } Outlook items ({ $ids }) look alike ({ $what }) and have no twin in the business application: an earlier tool may have left duplicates; each is copied.
