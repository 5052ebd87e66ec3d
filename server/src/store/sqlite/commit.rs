//! One group's transaction. The fast path reads what the group needs in three queries,
//! decides every append in memory ([`plan`]) and writes the accepted ones with a few
//! multi-row INSERTs ([`rows`](super::rows)), whatever the group's size. If anything fails,
//! the group is retried with a savepoint around each append, so that only the append that
//! fails is refused.
//!
//! The lookups take their keys as one JSON array, unpacked by `json_each`: one cached
//! statement serves every group size.

use super::encode::EncodedAppend;
use super::plan::{Fate, Known, plan};
use super::reader::{self, CommandRow, corrupt_or_database};
use super::rows::insert_accepted;
use crate::store::{Committed, StoreError, StreamId};
use app::domain::{CommandId, Version};
use serde_json::Value;
use sqlx::SqliteConnection;
use std::collections::{HashMap, HashSet};

/// Each stream's current version; a stream with no events gets NULL. The subquery reads one
/// entry of the `(stream_id, version)` index, whatever the stream's length.
const STREAM_VERSIONS: &str = "SELECT j.value, (SELECT e.version FROM events AS e \
    WHERE e.stream_id = j.value ORDER BY e.version DESC LIMIT 1) \
    FROM json_each(?1) AS j";

const KNOWN_COMMANDS: &str = "SELECT c.command_id, c.first_position, c.last_position, \
    c.first_version, c.last_version \
    FROM json_each(?1) AS j CROSS JOIN commands AS c ON c.command_id = j.value";

/// The fast path: the whole group in one transaction, or an error and nothing written.
pub(super) async fn commit_group(
    conn: &mut SqliteConnection,
    group: &[&EncodedAppend],
    recorded_at: &str,
) -> Result<Vec<Fate>, StoreError> {
    in_transaction(conn, async |conn| {
        plan_and_write(conn, group, recorded_at).await
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
    execute(conn, "BEGIN IMMEDIATE").await?;
    let result = match work(conn).await {
        Ok(done) => execute(conn, "COMMIT").await.map(|()| done),
        Err(error) => Err(error),
    };
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
    let accepted: Vec<_> = group
        .iter()
        .zip(&fates)
        .filter_map(|(append, fate)| match fate {
            Fate::Accepted(committed) => Some((*append, *committed)),
            _ => None,
        })
        .collect();
    insert_accepted(conn, &accepted, recorded_at).await?;
    Ok(fates)
}

async fn read_known(
    conn: &mut SqliteConnection,
    group: &[&EncodedAppend],
) -> Result<Known, StoreError> {
    Ok(Known {
        versions: stream_versions(conn, group).await?,
        commands: known_commands(conn, group).await?,
        head: reader::head(conn).await?,
    })
}

async fn stream_versions(
    conn: &mut SqliteConnection,
    group: &[&EncodedAppend],
) -> Result<HashMap<StreamId, Version>, StoreError> {
    let streams: HashSet<&str> = group.iter().map(|a| a.stream.as_str()).collect();
    let streams = Value::from(Vec::from_iter(streams)).to_string();
    let rows: Vec<(String, Option<i64>)> = sqlx::query_as(STREAM_VERSIONS)
        .bind(streams)
        .fetch_all(conn)
        .await
        .map_err(corrupt_or_database)?;
    let existing = rows
        .into_iter()
        .filter_map(|(stream, version)| Some((stream, version?)));
    existing
        .map(|(stream, version)| {
            let version = u64::try_from(version).map_err(|_| bad_version(&stream, version))?;
            let stream =
                StreamId::parse(&stream).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok((stream, Version::new(version)))
        })
        .collect()
}

fn bad_version(stream: &str, version: i64) -> StoreError {
    StoreError::Corrupt(format!("{stream} is at version {version}"))
}

async fn known_commands(
    conn: &mut SqliteConnection,
    group: &[&EncodedAppend],
) -> Result<HashMap<CommandId, Committed>, StoreError> {
    let ids: Vec<&str> = group.iter().map(|a| a.command_text.as_str()).collect();
    let rows: Vec<CommandRow> = sqlx::query_as(KNOWN_COMMANDS)
        .bind(Value::from(ids).to_string())
        .fetch_all(conn)
        .await
        .map_err(corrupt_or_database)?;
    rows.into_iter().map(CommandRow::decode).collect()
}
