//! The event store's contract suite. The tests are written once, as generic functions over a
//! [`contract::Harness`] (`store_contract/contract.rs`); each backend runs all of them
//! through one `contract_suite!` line below, with a fresh database per test: a file for
//! SQLite, a copy of the migrated template on the PostgreSQL at 127.0.0.1:5432 (or
//! `TIDINGS_TEST_POSTGRES_URL`), which must be running: these tests never skip.

#[path = "store_contract/contract.rs"]
mod contract;
#[path = "store_contract/postgres_backend.rs"]
mod postgres_backend;
#[path = "store_contract/sqlite_backend.rs"]
mod sqlite_backend;

use server::store::sqlite::StoreOptions;

/// Runs every contract test against the backend that `$harness` builds (an expression
/// evaluated inside the test's async body, so it may `.await`). Concurrency matters to the
/// contract, so each test gets a multi-threaded runtime.
macro_rules! contract_suite {
    ($backend:ident, $harness:expr) => {
        mod $backend {
            use super::*;

            contract_tests!(
                $harness;
                a_first_append_starts_its_stream_at_version_one,
                a_stale_expected_version_is_a_conflict,
                concurrent_appends_at_one_version_let_exactly_one_win,
                a_conflict_among_concurrent_appends_fails_that_append_alone,
                an_append_without_events_is_refused_and_writes_nothing,
                a_retried_command_returns_its_first_outcome_and_writes_nothing,
                a_command_retried_after_its_stream_moved_on_is_still_a_duplicate,
                a_command_that_lost_a_race_may_retry_with_the_same_id,
                an_unknown_command_is_not_found,
                a_recorded_event_keeps_all_that_was_appended,
                read_stream_pages_by_version,
                read_all_after_pages_by_position_across_streams,
                read_all_ahead_pages_the_whole_log_in_order_as_read_all_after_does,
                head_and_watch_head_advance_with_each_commit,
                committed_events_survive_closing_and_reopening_the_database,
                a_thousand_concurrent_appends_leave_positions_and_versions_gap_free,
            );
        }
    };
}

macro_rules! contract_tests {
    ($harness:expr; $($test:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread")]
            async fn $test() {
                contract::$test(&$harness).await;
            }
        )*
    };
}

contract_suite!(contract_on_sqlite, sqlite_backend::SqliteHarness::new());
contract_suite!(
    contract_on_sqlite_syncing_in_each_commit,
    sqlite_backend::SqliteHarness::with(StoreOptions {
        pipeline_from: usize::MAX,
        ..StoreOptions::default()
    })
);
contract_suite!(
    contract_on_sqlite_pipelining_every_group,
    sqlite_backend::SqliteHarness::with(StoreOptions {
        pipeline_from: 1,
        ..StoreOptions::default()
    })
);
contract_suite!(
    contract_on_postgres,
    postgres_backend::PostgresHarness::new().await
);
