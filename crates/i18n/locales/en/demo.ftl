# `exsync demo`: the guided demonstration's steps, progress, summary and errors. The demo
# data itself (subjects, names) is business data and stays as it is.

demo-title = exsync demo
demo-step-database = 1. A business database with demo data: { $path }
demo-replacing = (replacing the database of an earlier demo)
demo-data-contacts = { $count } company contacts (every mailbox gets them)
demo-data-series = Anna's weekly sales meeting is a series of six with one occurrence moved to Tuesday and one cancelled
demo-step-emulator = 2. The built-in Exchange emulator, in this process, with a mailbox per user
demo-step-service = 3. The service is running (it looks for changes every second); the initial sync:
demo-initial-complete = initial sync complete: { $items } of { $items } items in { $mailboxes } mailboxes after { $duration }
demo-written-exchange = written to Exchange: { $written }
demo-written-business = written to the business database: { $written }
demo-step-business-change = 4. The business application renames { $name }'s "{ $old }" to "{ $new }"
demo-arrived-exchange = arrived in Exchange after { $duration }
demo-step-outlook-change = 5. { $name } renames "{ $old }" in Outlook to "{ $new }"
demo-arrived-business = arrived in the business database after { $duration }
demo-summary = Summary
demo-series-kept = the weekly series kept { $moved } moved and { $cancelled } cancelled { $cancelled ->
    [one] occurrence
   *[other] occurrences
}
demo-database-stays = The demo database stays in { $dir }; see what is in it with
demo-keeps-running-at = The service keeps running: { $url }
demo-keeps-running = The service keeps running.
demo-stop-hint = Stop it with Ctrl-C.
demo-stopped = stopped

## Counts ($kind: appointment, task or contact)
demo-count = { $kind ->
    [appointment] { $count ->
        [one] { $count } appointment
       *[other] { $count } appointments
    }
    [task] { $count ->
        [one] { $count } task
       *[other] { $count } tasks
    }
   *[contact] { $count ->
        [one] { $count } contact
       *[other] { $count } contacts
    }
}
demo-written-created = created { $items }
demo-written-updated = updated { $items }
demo-written-deleted = deleted { $items }
demo-written-nothing = nothing

## Progress bars and the summary table
demo-progress-appointments = appointments
demo-progress-tasks = tasks
demo-progress-contacts = contacts
demo-col-user = USER
demo-col-mailbox = MAILBOX
demo-col-appointments = APPOINTMENTS
demo-col-tasks = TASKS
demo-col-contacts = CONTACTS
demo-col-errors = ERRORS

## Errors
demo-see-why = the warnings above say why, if any; run `exsync --log info demo` to see every pass of the service
demo-error-not-arrived = { $what } did not arrive within { $seconds } s: { $why }
demo-what-business-change = the business change
demo-what-outlook-change = the Outlook change
demo-what-report = the service's report of it
demo-error-initial = the initial sync did not complete within { $seconds } s: { $why }
demo-error-service-stopped = the service stopped before the demo ended
demo-error-dir = cannot create the demo directory { $dir }
demo-error-path = the demo database path { $problem }: use another --dir
demo-error-replace = cannot replace { $file }: remove it or use another --dir
demo-error-create-db = cannot create the demo business database
demo-error-schema = cannot create the integration schema in the demo database
demo-error-add-user = cannot add demo user { $login }
demo-of-user = of { $login }
demo-of-contacts = of the company contacts
demo-error-rejected = the demo data { $whose } was rejected ({ $uid }: { $reason }); this is a bug in exsync demo
demo-error-imported = { $imported } of { $expected } demo items { $whose } were imported; this is a bug in exsync demo
demo-error-no-event = appointment { $id } has no event in { $mailbox }
demo-error-missing = the demo appointment { $id } is missing
demo-error-change = cannot change appointment { $id }
demo-error-rename = cannot rename the event in { $mailbox }
demo-error-read = cannot read the event in { $mailbox }
demo-error-no-owner = no demo user owns { $id }
