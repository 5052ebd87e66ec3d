//! What the database holds for one group: the head, each stream's version and each command
//! already committed, read in one statement that returns one row.
//!
//! The keys go in as JSON arrays, unpacked by `json_each`, so that one prepared statement
//! serves every group size. The answers come back as JSON too, aggregated by SQLite: sqlx's
//! SQLite driver hands rows over one at a time through a channel, which would cost more than
//! the lookups themselves.

use super::reader::{CommandRow, corrupt_or_database, position};
use crate::store::group::{EncodedAppend, Known, StreamHead};
use crate::store::{Committed, StoreError, StreamId};
use app::domain::{CommandId, Version};
use serde_json::Value;
use sqlx::SqliteConnection;
use std::collections::{HashMap, HashSet};
use std::fmt::Display;
use std::sync::LazyLock;

/// Each subquery reads one entry of a primary key per key: the stream's head from
/// `streams`, the command from `commands`.
const KNOWN: &str = "SELECT \
    (SELECT COALESCE(MAX(position), 0) FROM events), \
    (SELECT json_group_array(json_array(s.stream_id, s.version, s.last_position)) \
     FROM json_each(?1) AS j CROSS JOIN streams AS s ON s.stream_id = j.value), \
    (SELECT json_group_array(json_array(c.command_id, c.first_position, c.last_position, \
        c.first_version, c.last_version)) \
     FROM json_each(?2) AS j CROSS JOIN commands AS c ON c.command_id = j.value)";

/// The same, as the first statement of a write transaction, which it begins: one round trip
/// to the connection's worker thread instead of two.
static BEGIN_AND_KNOWN: LazyLock<String> = LazyLock::new(|| format!("BEGIN IMMEDIATE; {KNOWN}"));

/// Reads what the database holds for `group`, inside the transaction already open.
pub(super) async fn read_known(
    conn: &mut SqliteConnection,
    group: &[&EncodedAppend],
) -> Result<Known, StoreError> {
    read(conn, group, KNOWN).await
}

/// Begins a write transaction, and reads what the database holds for `group` inside it.
pub(super) async fn begin_and_read_known(
    conn: &mut SqliteConnection,
    group: &[&EncodedAppend],
) -> Result<Known, StoreError> {
    read(conn, group, &BEGIN_AND_KNOWN).await
}

async fn read(
    conn: &mut SqliteConnection,
    group: &[&EncodedAppend],
    sql: &'static str,
) -> Result<Known, StoreError> {
    let streams: HashSet<&str> = group.iter().map(|a| a.stream.as_str()).collect();
    let commands: Vec<&str> = group.iter().map(|a| a.command_text.as_str()).collect();
    let (head, streams, commands): (i64, String, String) = sqlx::query_as(sql)
        .bind(Value::from(Vec::from_iter(streams)).to_string())
        .bind(Value::from(commands).to_string())
        .fetch_one(conn)
        .await
        .map_err(corrupt_or_database)?;
    Ok(Known {
        streams: decode_streams(&streams)?,
        commands: decode_commands(&commands)?,
        head: position(head)?,
    })
}

/// `[["todo-…", 3, 812]]`: each stream's version and last position. A stream without
/// events has no row.
fn decode_streams(json: &str) -> Result<HashMap<StreamId, StreamHead>, StoreError> {
    let rows: Vec<(String, u64, i64)> = serde_json::from_str(json).map_err(corrupt)?;
    rows.into_iter()
        .map(|(stream, version, last_position)| {
            let stream = StreamId::parse(&stream).map_err(corrupt)?;
            let head = StreamHead {
                version: Version::new(version),
                last_position: position(last_position)?,
            };
            Ok((stream, head))
        })
        .collect()
}

fn decode_commands(json: &str) -> Result<HashMap<CommandId, Committed>, StoreError> {
    let rows: Vec<CommandRow> = serde_json::from_str(json).map_err(corrupt)?;
    rows.into_iter().map(CommandRow::decode).collect()
}

fn corrupt(error: impl Display) -> StoreError {
    StoreError::Corrupt(format!("the log's current state: {error}"))
}
