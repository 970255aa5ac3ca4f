//! The state store's behaviour, one suite of scenarios run on every backend: a SQLite file,
//! SQLite in memory, and PostgreSQL (when `EXSYNC_TEST_POSTGRES_URL` names a server).
//!
//! Invariant: a scenario is written once, as `async fn(TestDb)`, and listed once in
//! `on_every_backend!`, which makes one test per backend of it.

mod commit;
mod connect;
mod cursors;
mod fixtures;
mod harness;
mod leases;
mod links;
mod outbox;

/// Makes, for each `module::scenario`, the tests `sqlite_file::scenario`,
/// `sqlite_memory::scenario` and `postgres::scenario`.
macro_rules! on_every_backend {
    ($($module:ident :: $scenario:ident),* $(,)?) => {
        mod sqlite_file {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    crate::harness::on_sqlite_file(crate::$module::$scenario).await;
                }
            )*
        }
        mod sqlite_memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    crate::harness::on_sqlite_memory(crate::$module::$scenario).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    crate::harness::on_postgres(crate::$module::$scenario).await;
                }
            )*
        }
    };
}

on_every_backend!(
    links::migrations_are_idempotent_and_keep_data,
    links::link_round_trip,
    links::links_are_scoped_by_mailbox_and_kind,
    links::duplicate_exchange_id_is_a_conflict,
    links::upsert_replaces_every_field,
    links::last_upsert_of_a_key_in_one_batch_wins,
    links::large_listing_is_complete_and_in_byte_order,
    commit::batch_with_one_bad_row_writes_nothing,
    commit::pass_commit_applies_every_part,
    commit::failed_pass_commit_leaves_cursor_and_links_untouched,
    commit::empty_commit_changes_nothing,
    cursors::cursor_set_replace_delete,
    cursors::cursor_deleted_only_while_it_holds_the_expected_value,
    outbox::enqueue_is_idempotent_by_key,
    outbox::due_entries_are_per_mailbox_and_in_creation_order,
    outbox::failures_are_counted_and_rescheduled,
    leases::lease_acquire_renew_expire_steal_release,
    leases::lease_arguments_out_of_range_are_refused,
    leases::concurrent_acquire_has_exactly_one_winner,
    leases::leases_are_renewed_listed_and_released_by_prefix,
);
