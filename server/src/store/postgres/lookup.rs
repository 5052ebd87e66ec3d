//! Taking the head lock, and reading what the database holds for a group: each stream's
//! last event and each command already committed.
//!
//! The lock is taken in a statement of its own, before the lookups: under READ COMMITTED a
//! statement sees the commits that preceded its start, and a statement that waited for the
//! lock started before the previous holder committed. The lookups that follow it see that
//! commit, and every earlier one.

use super::reader::{CommandRow, corrupt_or_database, position, version};
use crate::store::group::{EncodedAppend, Known, StreamHead};
use crate::store::{StoreError, StreamId};
use app::domain::Position;
use sqlx::{Executor, PgConnection, Row};
use std::collections::{HashMap, HashSet};

/// Begins the transaction and takes the head lock, in one round trip. Waiting for the lock
/// returns the row as its last holder committed it.
const BEGIN_AND_LOCK_HEAD: &str = "BEGIN; SELECT position FROM log_head FOR UPDATE";

/// Each stream's last event, found through the `(stream_id, version)` index.
const STREAM_HEADS: &str = "SELECT s.stream_id, last.version, last.position \
    FROM UNNEST($1::text[]) AS s (stream_id) \
    CROSS JOIN LATERAL (SELECT e.version, e.position FROM events AS e \
        WHERE e.stream_id = s.stream_id ORDER BY e.version DESC LIMIT 1) AS last";

const COMMANDS: &str = "SELECT command_id, first_position, last_position, first_version, \
    last_version FROM commands WHERE command_id = ANY($1::uuid[])";

/// Begins a transaction and takes the head lock, which it keeps until it ends. Returns the
/// head: the last position committed by anyone.
pub(super) async fn begin_and_lock_head(conn: &mut PgConnection) -> Result<Position, StoreError> {
    // Given to the connection as text: one simple query, two statements.
    let head: i64 = conn
        .fetch_one(BEGIN_AND_LOCK_HEAD)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(corrupt_or_database)?;
    position(head)
}

/// Reads what the database holds for `group`, with the head lock held at `head`.
pub(super) async fn read_known(
    conn: &mut PgConnection,
    group: &[&EncodedAppend],
    head: Position,
) -> Result<Known, StoreError> {
    let streams: HashSet<&str> = group.iter().map(|a| a.stream.as_str()).collect();
    let streams: Vec<&str> = streams.into_iter().collect();
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(STREAM_HEADS)
        .bind(&streams[..])
        .fetch_all(&mut *conn)
        .await
        .map_err(corrupt_or_database)?;
    let commands: Vec<&str> = group.iter().map(|a| a.command_text.as_str()).collect();
    let commands: Vec<CommandRow> = sqlx::query_as(COMMANDS)
        .bind(&commands[..])
        .fetch_all(&mut *conn)
        .await
        .map_err(corrupt_or_database)?;
    Ok(Known {
        streams: rows
            .into_iter()
            .map(stream_head)
            .collect::<Result<_, _>>()?,
        commands: commands
            .into_iter()
            .map(CommandRow::decode)
            .collect::<Result<HashMap<_, _>, _>>()?,
        head,
    })
}

fn stream_head(
    (stream, last_version, last_position): (String, i64, i64),
) -> Result<(StreamId, StreamHead), StoreError> {
    let stream = StreamId::parse(&stream)
        .map_err(|error| StoreError::Corrupt(format!("a stream's last event: {error}")))?;
    let head = StreamHead {
        version: version(last_version)?,
        last_position: position(last_position)?,
    };
    Ok((stream, head))
}
