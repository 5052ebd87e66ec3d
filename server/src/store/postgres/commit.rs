//! One group's transaction. The fast path, given the transaction begun and the head lock
//! taken by the writer, reads what the group needs, decides every append in memory
//! ([`plan`]), writes the accepted ones in one statement, and commits: five round trips with
//! the lock's, whatever the group's size. If anything fails, the group is retried with a
//! savepoint around each append, so that only the append that fails is refused.

use super::hold::BeforeCommit;
use super::lookup::{begin_and_lock_head, read_known};
use super::rows::{insert_accepted, notify_and_commit};
use crate::store::StoreError;
use crate::store::group::{EncodedAppend, Fate, accepted, plan};
use app::domain::Position;
use chrono::{DateTime, Utc};
use sqlx::{Executor, PgConnection};

/// The fast path, inside the transaction that holds the head lock at `head`: the whole
/// group, or an error and nothing written (the transaction rolled back).
pub(super) async fn commit_group(
    conn: &mut PgConnection,
    group: &[&EncodedAppend],
    head: Position,
    recorded_at: DateTime<Utc>,
    before_commit: Option<&BeforeCommit>,
) -> Result<Vec<Fate>, StoreError> {
    let result = try_commit_group(conn, group, head, recorded_at, before_commit).await;
    rolled_back_if_failed(conn, result).await
}

async fn try_commit_group(
    conn: &mut PgConnection,
    group: &[&EncodedAppend],
    head: Position,
    recorded_at: DateTime<Utc>,
    before_commit: Option<&BeforeCommit>,
) -> Result<Vec<Fate>, StoreError> {
    let (fates, new_head) = plan_and_write(conn, group, head, recorded_at).await?;
    commit(conn, new_head, before_commit).await?;
    Ok(fates)
}

/// The careful path: one transaction, with a savepoint around each append. An error inside
/// a savepoint is that append's alone; only a failing BEGIN, ROLLBACK TO or COMMIT fails
/// them all.
pub(super) async fn commit_one_by_one(
    conn: &mut PgConnection,
    group: &[&EncodedAppend],
    recorded_at: DateTime<Utc>,
    before_commit: Option<&BeforeCommit>,
) -> Result<Vec<Result<Fate, StoreError>>, StoreError> {
    let result = try_commit_one_by_one(conn, group, recorded_at, before_commit).await;
    rolled_back_if_failed(conn, result).await
}

async fn try_commit_one_by_one(
    conn: &mut PgConnection,
    group: &[&EncodedAppend],
    recorded_at: DateTime<Utc>,
    before_commit: Option<&BeforeCommit>,
) -> Result<Vec<Result<Fate, StoreError>>, StoreError> {
    let mut head = begin_and_lock_head(conn).await?;
    let mut moved = None;
    let mut results = Vec::with_capacity(group.len());
    for append in group {
        let (result, new_head) = commit_in_savepoint(conn, append, head, recorded_at).await?;
        if let Some(new_head) = new_head {
            (head, moved) = (new_head, Some(new_head));
        }
        results.push(result);
    }
    commit(conn, moved, before_commit).await?;
    Ok(results)
}

/// The outer `Result` is the transaction's; the inner one is the append's, with the head
/// after it if it was written.
async fn commit_in_savepoint(
    conn: &mut PgConnection,
    append: &EncodedAppend,
    head: Position,
    recorded_at: DateTime<Utc>,
) -> Result<(Result<Fate, StoreError>, Option<Position>), StoreError> {
    execute(conn, "SAVEPOINT append").await?;
    match plan_and_write(conn, &[append], head, recorded_at).await {
        Ok((fates, new_head)) => {
            execute(conn, "RELEASE append").await?;
            // `plan` decides every append it is given: here, exactly one.
            Ok((Ok(fates[0]), new_head))
        }
        Err(error) => {
            execute(conn, "ROLLBACK TO append; RELEASE append").await?;
            Ok((Err(error), None))
        }
    }
}

/// Decides the group's appends with the head lock held at `head`, and writes the accepted
/// ones. Returns the fates and the new head, if any append was accepted.
async fn plan_and_write(
    conn: &mut PgConnection,
    group: &[&EncodedAppend],
    head: Position,
    recorded_at: DateTime<Utc>,
) -> Result<(Vec<Fate>, Option<Position>), StoreError> {
    let known = read_known(conn, group, head).await?;
    let fates = plan(group.iter().copied(), known);
    let new_head = insert_accepted(conn, &accepted(group, &fates), recorded_at).await?;
    Ok((fates, new_head))
}

/// Waits for the test hook, if any, then announces the new head and commits. The commit
/// releases the head lock once the group is visible, and with `synchronous_commit = on`
/// returns once it is on disk.
async fn commit(
    conn: &mut PgConnection,
    head: Option<Position>,
    before_commit: Option<&BeforeCommit>,
) -> Result<(), StoreError> {
    if let Some(hook) = before_commit {
        hook.wait().await;
    }
    execute(conn, &notify_and_commit(head)).await
}

/// Rolls the transaction back if `result` is a failure. (Plain functions rather than an
/// async closure: the writer's future must be `Send`, which rustc cannot yet prove of an
/// async closure that borrows a `PgConnection`.)
async fn rolled_back_if_failed<T>(
    conn: &mut PgConnection,
    result: Result<T, StoreError>,
) -> Result<T, StoreError> {
    if result.is_err() {
        roll_back(conn).await;
    }
    result
}

/// Warns, harmlessly, when no transaction is open; fails when the connection is gone, which
/// the writer then finds at its next statement.
pub(super) async fn roll_back(conn: &mut PgConnection) {
    if let Err(error) = execute(conn, "ROLLBACK").await {
        tracing::debug!(%error, "rolling back the writer's transaction");
    }
}

/// Statements without parameters go as one simple query: several in one round trip. (Text
/// given to the connection itself, not through `sqlx::raw_sql`, whose future rustc cannot
/// prove `Send` for every lifetime inside the writer's.)
async fn execute(conn: &mut PgConnection, statements: &str) -> Result<(), StoreError> {
    conn.execute(statements).await?;
    Ok(())
}
