//! One group's transaction. The fast path begins it and reads what the group needs in one
//! query ([`lookup`](super::lookup)), decides every append in memory ([`plan`](crate::store::group::plan)), then writes
//! the accepted ones and commits in another ([`rows`](super::rows)), whatever the group's
//! size. If anything fails, the group is retried with a savepoint around each append, so
//! that only the append that fails is refused.

use super::lookup::{begin_and_read_known, read_known};
use super::rows::{Then, insert_accepted};
use crate::store::StoreError;
use crate::store::group::{EncodedAppend, Fate, accepted, plan};
use sqlx::SqliteConnection;

/// The fast path: the whole group in one transaction, or an error and nothing written. Two
/// round trips to the connection's thread: `BEGIN` with the lookup, the inserts with `COMMIT`.
pub(super) async fn commit_group(
    conn: &mut SqliteConnection,
    group: &[&EncodedAppend],
    recorded_at: &str,
) -> Result<Vec<Fate>, StoreError> {
    rolled_back_on_failure(conn, async |conn| {
        let known = begin_and_read_known(conn, group).await?;
        let fates = plan(group.iter().copied(), known);
        let accepted = accepted(group, &fates);
        insert_accepted(conn, &accepted, recorded_at, Then::Commit).await?;
        Ok(fates)
    })
    .await
}

/// The careful path: one transaction, with a savepoint around each append. An error inside
/// a savepoint is that append's alone; only a failing BEGIN, ROLLBACK TO or COMMIT fails
/// them all.
pub(super) async fn commit_one_by_one(
    conn: &mut SqliteConnection,
    group: &[&EncodedAppend],
    recorded_at: &str,
) -> Result<Vec<Result<Fate, StoreError>>, StoreError> {
    in_transaction(conn, async |conn| {
        let mut results = Vec::with_capacity(group.len());
        for append in group {
            results.push(commit_in_savepoint(conn, append, recorded_at).await?);
        }
        Ok(results)
    })
    .await
}

/// The outer `Result` is the transaction's, the inner one the append's.
async fn commit_in_savepoint(
    conn: &mut SqliteConnection,
    append: &EncodedAppend,
    recorded_at: &str,
) -> Result<Result<Fate, StoreError>, StoreError> {
    execute(conn, "SAVEPOINT append").await?;
    match plan_and_write(conn, &[append], recorded_at).await {
        Ok(fates) => {
            execute(conn, "RELEASE append").await?;
            // `plan` decides every append it is given: here, exactly one.
            Ok(Ok(fates[0]))
        }
        Err(error) => {
            execute(conn, "ROLLBACK TO append").await?;
            execute(conn, "RELEASE append").await?;
            Ok(Err(error))
        }
    }
}

/// Runs `work` in a write transaction, committed if it succeeds and rolled back if
/// anything fails. The statements are plain SQL rather than sqlx's `Transaction`, so that
/// a transaction SQLite already rolled back by itself (on a full disk, say) cannot leave
/// the connection believing it is still inside one.
async fn in_transaction<T>(
    conn: &mut SqliteConnection,
    work: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    rolled_back_on_failure(conn, async |conn| {
        execute(conn, "BEGIN IMMEDIATE").await?;
        let done = work(conn).await?;
        execute(conn, "COMMIT").await?;
        Ok(done)
    })
    .await
}

/// Runs `work`, which begins a transaction, and rolls the transaction back if it fails.
async fn rolled_back_on_failure<T>(
    conn: &mut SqliteConnection,
    work: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let result = work(conn).await;
    if result.is_err() {
        roll_back(conn).await;
    }
    result
}

/// Fails harmlessly, with "no transaction is active", when SQLite has rolled back already.
async fn roll_back(conn: &mut SqliteConnection) {
    if let Err(error) = execute(conn, "ROLLBACK").await {
        tracing::debug!(%error, "rolling back the writer's transaction");
    }
}

async fn execute(conn: &mut SqliteConnection, statement: &str) -> Result<(), StoreError> {
    sqlx::query(statement).execute(conn).await?;
    Ok(())
}

async fn plan_and_write(
    conn: &mut SqliteConnection,
    group: &[&EncodedAppend],
    recorded_at: &str,
) -> Result<Vec<Fate>, StoreError> {
    let known = read_known(conn, group).await?;
    let fates = plan(group.iter().copied(), known);
    let accepted = accepted(group, &fates);
    insert_accepted(conn, &accepted, recorded_at, Then::StayInTransaction).await?;
    Ok(fates)
}
