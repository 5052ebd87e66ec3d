//! Reading the log, and turning its rows back into typed values. A row that does not parse
//! is reported as corrupt, never skipped or defaulted: a projection built over a silently
//! dropped event would be wrong for ever.
//!
//! Events are read as one JSON document per read ([`as_one_document`]), not one row per
//! event: sqlx hands each row from its SQLite thread to the caller's task on its own, and
//! those hand-offs, not SQLite, were most of what reading the log cost (a whole-log scan ran
//! at a fraction of the rate it does as one document per page). A rebuild's read of the whole
//! log does without the document, on the raw handle ([`whole_log`](super::whole_log)), and
//! decodes its rows here too ([`EventFields`]).

use super::sql_int;
use crate::store::{Committed, RecordedEvent, StoreError, StreamId};
use app::domain::{CommandId, Position, UserId, Version};
use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqlitePool};
use std::{fmt::Display, sync::LazyLock};

/// The events of stream `?1` after version `?2`, at most `?3` of them, in version order.
/// A stream's events link back to each other (`previous`), and every 64th version is a
/// mark in an index. The walk starts at the first mark at or past the last version wanted,
/// or at the stream's last event when there is none, and follows the links back to the
/// first version wanted: at most 63 events more than it returns. The walk carries only
/// each event's links; the rows returned are read once it is done. The marks index's own
/// condition, `version % 64 = 0`, is written out so that SQLite uses that index. Public
/// for the read bench (`server/benches/read_stream.rs`), which runs it beside the index
/// scan it replaced.
pub const READ_STREAM: &str = "WITH RECURSIVE \
    start (position) AS (SELECT COALESCE( \
        (SELECT position FROM events WHERE stream_id = ?1 AND version % 64 = 0 \
            AND version >= ?2 + ?3 ORDER BY version LIMIT 1), \
        (SELECT last_position FROM streams WHERE stream_id = ?1))), \
    walk (position, previous, version) AS ( \
        SELECT e.position, e.previous, e.version \
        FROM start CROSS JOIN events AS e ON e.position = start.position \
        UNION ALL \
        SELECT e.position, e.previous, e.version \
        FROM walk AS w CROSS JOIN events AS e ON e.position = w.previous \
        WHERE w.version > ?2 + 1) \
    SELECT e.position, e.stream_id, e.version, e.event_type, e.schema_version, e.payload, \
        e.actor, e.command_id, e.recorded_at \
    FROM walk AS w CROSS JOIN events AS e ON e.position = w.position \
    WHERE w.version > ?2 AND w.version <= ?2 + ?3 ORDER BY w.version";

/// Also the statement the whole log is read ahead with ([`whole_log`](super::whole_log)), row
/// by row on the raw handle: its columns are [`EventFields`]' in order.
pub(super) const READ_ALL_AFTER: &str = "SELECT position, stream_id, version, event_type, schema_version, \
    payload, actor, command_id, recorded_at FROM events \
    WHERE position > ?1 ORDER BY position LIMIT ?2";

/// `?1` is a JSON array of positions.
const READ_POSITIONS: &str = "SELECT position, stream_id, version, event_type, schema_version, \
    payload, actor, command_id, recorded_at FROM events \
    WHERE position IN (SELECT value FROM json_each(?1)) ORDER BY position";

/// A read of events (any of the above) as one row: a JSON array of the events, each an array
/// of [`EventRow`]'s fields with the payload embedded as JSON. [`decode_events`] puts them in
/// position order: SQLite hands the read's rows to the aggregate in their order but does not
/// promise to, and an `ORDER BY` inside the aggregate made it copy every event into a
/// temporary b-tree first. A stream's versions follow its positions, so position order is
/// also version order.
fn as_one_document(select: &str) -> String {
    format!(
        "SELECT json_group_array(json_array(position, stream_id, version, event_type, \
             schema_version, json(payload), actor, command_id, recorded_at)) \
         FROM ({select})"
    )
}

static READ_STREAM_DOCUMENT: LazyLock<String> = LazyLock::new(|| as_one_document(READ_STREAM));
static READ_ALL_AFTER_DOCUMENT: LazyLock<String> =
    LazyLock::new(|| as_one_document(READ_ALL_AFTER));
static READ_POSITIONS_DOCUMENT: LazyLock<String> =
    LazyLock::new(|| as_one_document(READ_POSITIONS));

const FIND_COMMAND: &str = "SELECT command_id, first_position, last_position, first_version, \
    last_version FROM commands WHERE command_id = ?1";

const HEAD: &str = "SELECT COALESCE(MAX(position), 0) FROM events";

pub(super) async fn read_stream(
    pool: &SqlitePool,
    stream: &StreamId,
    after: Version,
    limit: u32,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let document: String = sqlx::query_scalar(&READ_STREAM_DOCUMENT)
        .bind(stream.as_str())
        .bind(sql_int(after.get()))
        .bind(i64::from(limit))
        .fetch_one(pool)
        .await
        .map_err(corrupt_or_database)?;
    decode_events(&document)
}

pub(super) async fn read_all_after(
    pool: &SqlitePool,
    after: Position,
    limit: u32,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let document: String = sqlx::query_scalar(&READ_ALL_AFTER_DOCUMENT)
        .bind(sql_int(after.get()))
        .bind(i64::from(limit))
        .fetch_one(pool)
        .await
        .map_err(corrupt_or_database)?;
    decode_events(&document)
}

pub(super) async fn read_positions(
    pool: &SqlitePool,
    positions: &[Position],
) -> Result<Vec<RecordedEvent>, StoreError> {
    let list = serde_json::to_string(&positions.iter().map(|p| p.get()).collect::<Vec<_>>())
        .expect("a list of numbers is JSON");
    let document: String = sqlx::query_scalar(&READ_POSITIONS_DOCUMENT)
        .bind(list)
        .fetch_one(pool)
        .await
        .map_err(corrupt_or_database)?;
    decode_events(&document)
}

pub(super) async fn find_command(
    pool: &SqlitePool,
    command_id: CommandId,
) -> Result<Option<Committed>, StoreError> {
    let row: Option<CommandRow> = sqlx::query_as(FIND_COMMAND)
        .bind(command_id.to_string())
        .fetch_optional(pool)
        .await
        .map_err(corrupt_or_database)?;
    row.map(|row| row.decode().map(|(_, committed)| committed))
        .transpose()
}

/// The last committed position as `conn` sees it: a pool connection, or the writer's inside
/// its transaction.
pub(super) async fn head(conn: &mut SqliteConnection) -> Result<Position, StoreError> {
    let head: i64 = sqlx::query_scalar(HEAD)
        .fetch_one(conn)
        .await
        .map_err(corrupt_or_database)?;
    position(head)
}

/// A position as SQLite returns it, checked.
pub(super) fn position(value: i64) -> Result<Position, StoreError> {
    unsigned(value)
        .map(Position::new)
        .ok_or_else(|| corrupt("a position", value))
}

/// A document of events ([`as_one_document`]), decoded.
fn decode_events(document: &str) -> Result<Vec<RecordedEvent>, StoreError> {
    let mut rows: Vec<EventRow> =
        serde_json::from_str(document).map_err(|error| corrupt("a page of events", error))?;
    // Already in order, as SQLite runs the read: a pass that finds them sorted.
    rows.sort_by_key(|row| row.position);
    rows.into_iter().map(EventRow::decode).collect()
}

/// One row of `events`, as SQLite types it, read from JSON (an array of its fields).
#[derive(serde::Deserialize)]
struct EventRow {
    position: i64,
    stream_id: String,
    version: i64,
    event_type: String,
    schema_version: i64,
    payload: serde_json::Value,
    actor: String,
    command_id: String,
    recorded_at: String,
}

impl EventRow {
    fn decode(self) -> Result<RecordedEvent, StoreError> {
        EventFields {
            position: self.position,
            stream_id: &self.stream_id,
            version: self.version,
            event_type: &self.event_type,
            schema_version: self.schema_version,
            payload: self.payload,
            actor: &self.actor,
            command_id: &self.command_id,
            recorded_at: &self.recorded_at,
        }
        .decode()
    }
}

/// One row of `events` as SQLite types it, its text borrowed from where it was read (a JSON
/// document, or SQLite's own row), its payload parsed: the one place a row of the log
/// becomes a [`RecordedEvent`], or is found corrupt.
pub(super) struct EventFields<'a> {
    pub position: i64,
    pub stream_id: &'a str,
    pub version: i64,
    pub event_type: &'a str,
    pub schema_version: i64,
    pub payload: serde_json::Value,
    pub actor: &'a str,
    pub command_id: &'a str,
    pub recorded_at: &'a str,
}

impl EventFields<'_> {
    pub(super) fn decode(self) -> Result<RecordedEvent, StoreError> {
        let at = self.position;
        let bad = |error: &dyn Display| corrupt_event(at, error);
        Ok(RecordedEvent {
            position: Position::new(unsigned(at).ok_or_else(|| bad(&"negative position"))?),
            stream: StreamId::parse(self.stream_id).map_err(|e| bad(&e))?,
            version: Version::new(unsigned(self.version).ok_or_else(|| bad(&"negative version"))?),
            event_type: self.event_type.to_owned(),
            schema_version: u16::try_from(self.schema_version).map_err(|e| bad(&e))?,
            payload: self.payload,
            actor: UserId::parse(self.actor).map_err(|e| bad(&e))?,
            command_id: CommandId::parse(self.command_id).map_err(|e| bad(&e))?,
            recorded_at: DateTime::parse_from_rfc3339(self.recorded_at)
                .map_err(|e| bad(&e))?
                .with_timezone(&Utc),
        })
    }
}

/// The event at `position` is corrupt: `error` says how.
pub(super) fn corrupt_event(position: i64, error: impl Display) -> StoreError {
    corrupt(format_args!("the event at position {position}"), error)
}

/// One row of `commands`: where a committed command's events landed. Also read from JSON
/// (an array of the five values), by [`lookup`](super::lookup).
#[derive(sqlx::FromRow, serde::Deserialize)]
pub(super) struct CommandRow {
    command_id: String,
    first_position: i64,
    last_position: i64,
    first_version: i64,
    last_version: i64,
}

impl CommandRow {
    pub(super) fn decode(self) -> Result<(CommandId, Committed), StoreError> {
        let bad =
            |error: &dyn Display| corrupt(format_args!("the command {}", self.command_id), error);
        let number = |value: i64| unsigned(value).ok_or_else(|| bad(&"negative number"));
        let committed = Committed {
            first_position: Position::new(number(self.first_position)?),
            last_position: Position::new(number(self.last_position)?),
            first_version: Version::new(number(self.first_version)?),
            last_version: Version::new(number(self.last_version)?),
        };
        let id = CommandId::parse(&self.command_id).map_err(|e| bad(&e))?;
        Ok((id, committed))
    }
}

fn unsigned(value: i64) -> Option<u64> {
    u64::try_from(value).ok()
}

pub(super) fn corrupt(what: impl Display, error: impl Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {error}"))
}

/// A column whose SQLite type is not the one the schema promises is a corrupt row, not a
/// failing database.
pub(super) fn corrupt_or_database(error: sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => corrupt("a row", error),
        error => StoreError::Database(error),
    }
}
