//! Reading the log through the pool, and turning its rows back into typed values. A row that
//! does not parse is reported as corrupt, never skipped or defaulted: a projection built
//! over a silently dropped event would be wrong for ever.

use super::sql_int;
use crate::store::{Committed, RecordedEvent, StoreError, StreamId};
use app::domain::{CommandId, Position, UserId, Version};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::fmt::Display;
use uuid::Uuid;

const COLUMNS: &str = "position, stream_id, version, event_type, schema_version, payload, \
    actor, command_id, recorded_at";

/// Through the `(stream_id, version)` index.
static READ_STREAM: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {COLUMNS} FROM events WHERE stream_id = $1 AND version > $2 \
         ORDER BY version LIMIT $3"
    )
});

/// One statement, so one snapshot: the positions it sees are exactly 1..head.
static READ_ALL_AFTER: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("SELECT {COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2")
});

static READ_POSITIONS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("SELECT {COLUMNS} FROM events WHERE position = ANY($1) ORDER BY position")
});

const FIND_COMMAND: &str = "SELECT command_id, first_position, last_position, first_version, \
    last_version FROM commands WHERE command_id = $1";

/// The head row, not `MAX(position)`: it is written by the same transaction as the events,
/// and reading it costs one row whatever the log's length.
const HEAD: &str = "SELECT position FROM log_head";

pub(super) async fn read_stream(
    pool: &PgPool,
    stream: &StreamId,
    after: Version,
    limit: u32,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows: Vec<EventRow> = sqlx::query_as(&READ_STREAM)
        .bind(stream.as_str())
        .bind(sql_int(after.get()))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(corrupt_or_database)?;
    rows.into_iter().map(EventRow::decode).collect()
}

/// Checks that the positions run on from `after` without a gap: the head lock promises it,
/// and a reader that moved its cursor past a gap would skip whatever fills it later. A gap
/// is reported, never skipped.
pub(super) async fn read_all_after(
    pool: &PgPool,
    after: Position,
    limit: u32,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows: Vec<EventRow> = sqlx::query_as(&READ_ALL_AFTER)
        .bind(sql_int(after.get()))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(corrupt_or_database)?;
    let events: Vec<RecordedEvent> = rows
        .into_iter()
        .map(EventRow::decode)
        .collect::<Result<_, _>>()?;
    let expected = (after.get() + 1..).map(Position::new);
    match events.iter().zip(expected).find(|(e, p)| e.position != *p) {
        Some((event, missing)) => Err(StoreError::Corrupt(format!(
            "a gap in the log: position {} follows {}",
            event.position,
            missing.get() - 1
        ))),
        None => Ok(events),
    }
}

pub(super) async fn read_positions(
    pool: &PgPool,
    positions: &[Position],
) -> Result<Vec<RecordedEvent>, StoreError> {
    let positions: Vec<i64> = positions.iter().map(|p| sql_int(p.get())).collect();
    let rows: Vec<EventRow> = sqlx::query_as(&READ_POSITIONS)
        .bind(&positions[..])
        .fetch_all(pool)
        .await
        .map_err(corrupt_or_database)?;
    rows.into_iter().map(EventRow::decode).collect()
}

pub(super) async fn find_command(
    pool: &PgPool,
    command_id: CommandId,
) -> Result<Option<Committed>, StoreError> {
    let row: Option<CommandRow> = sqlx::query_as(FIND_COMMAND)
        .bind(command_id.as_uuid())
        .fetch_optional(pool)
        .await
        .map_err(corrupt_or_database)?;
    row.map(|row| row.decode().map(|(_, committed)| committed))
        .transpose()
}

/// The last position committed, by any process.
pub(super) async fn head(pool: &PgPool) -> Result<Position, StoreError> {
    let head: i64 = sqlx::query_scalar(HEAD)
        .fetch_one(pool)
        .await
        .map_err(corrupt_or_database)?;
    position(head)
}

/// A position as PostgreSQL returns it, checked.
pub(super) fn position(value: i64) -> Result<Position, StoreError> {
    unsigned(value)
        .map(Position::new)
        .ok_or_else(|| corrupt("a position", value))
}

/// A version as PostgreSQL returns it, checked.
pub(super) fn version(value: i64) -> Result<Version, StoreError> {
    unsigned(value)
        .map(Version::new)
        .ok_or_else(|| corrupt("a version", value))
}

/// One row of `events`, as PostgreSQL types it.
#[derive(sqlx::FromRow)]
struct EventRow {
    position: i64,
    stream_id: String,
    version: i64,
    event_type: String,
    schema_version: i32,
    payload: serde_json::Value,
    actor: Uuid,
    command_id: Uuid,
    recorded_at: DateTime<Utc>,
}

impl EventRow {
    fn decode(self) -> Result<RecordedEvent, StoreError> {
        let at = self.position;
        let bad = |error: &dyn Display| corrupt(format_args!("the event at position {at}"), error);
        Ok(RecordedEvent {
            position: Position::new(unsigned(at).ok_or_else(|| bad(&"negative position"))?),
            stream: StreamId::parse(&self.stream_id).map_err(|e| bad(&e))?,
            version: Version::new(unsigned(self.version).ok_or_else(|| bad(&"negative version"))?),
            event_type: self.event_type,
            schema_version: u16::try_from(self.schema_version).map_err(|e| bad(&e))?,
            payload: self.payload,
            actor: UserId::try_from(self.actor).map_err(|e| bad(&e))?,
            command_id: CommandId::try_from(self.command_id).map_err(|e| bad(&e))?,
            recorded_at: self.recorded_at,
        })
    }
}

/// One row of `commands`: where a committed command's events landed.
#[derive(sqlx::FromRow)]
pub(super) struct CommandRow {
    command_id: Uuid,
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
        let id = CommandId::try_from(self.command_id).map_err(|e| bad(&e))?;
        Ok((id, committed))
    }
}

fn unsigned(value: i64) -> Option<u64> {
    u64::try_from(value).ok()
}

fn corrupt(what: impl Display, error: impl Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {error}"))
}

/// A column whose type is not the one the schema promises is a corrupt row, not a failing
/// database.
pub(super) fn corrupt_or_database(error: sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => corrupt("a row", error),
        error => StoreError::Database(error),
    }
}
