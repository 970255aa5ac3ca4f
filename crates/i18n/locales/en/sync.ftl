# `exsync sync --once` (crates/exsync/src/commands/sync.rs).
sync-dry-run = Dry run: nothing was written; the counts are what a run would write.
sync-column-user = user
sync-column-mailbox = mailbox
sync-column-kind = kind
sync-column-exchange = Exchange (+new ~upd -del)
sync-column-business = business (+new ~upd -del)
sync-column-rejected = rejected
sync-user-not-synced = { $login }: not synced: { $reason }
sync-no-users = No enabled user with a mailbox: add one with `exsync business user add LOGIN --mailbox ADDRESS`.
sync-graph-requests = Graph requests: { $http } HTTP ({ $batched } inside $batch), { $throttled } throttled
