//! Writing a group's accepted appends: one statement per table, whatever the group's size.
//!
//! The rows go in as one JSON array per table, unpacked by `json_each`, as the lookup's keys
//! do. Why not multi-row `VALUES`: sqlx runs each query on the connection's worker thread,
//! and under load each round trip to it costs about 0.1 ms, as much as SQLite takes to
//! insert ten rows. With one prepared statement per table, of any group's size, the fast
//! path sends both INSERTs and the `COMMIT` as one query: about 0.2 ms less per group than
//! the separate statements it replaced, and 1.27x the update bench's throughput
//! (BENCHMARKS.md).

use super::encode::{EncodedAppend, EncodedEvent};
use super::sql_int;
use crate::store::{Committed, StoreError};
use app::domain::Position;
use serde::Serialize;
use sqlx::SqliteConnection;
use std::sync::LazyLock;

/// Both tables in one query: the commands first, since each event refers to its command.
/// `?1` is the commands, `?2` the events, `?3` the time: numbered, since sqlx binds `?NNN`
/// by number in every statement of a query. `->>` gives each JSON value as its SQL value:
/// integers as INTEGER, strings as TEXT.
const INSERT: &str = "INSERT INTO commands (command_id, stream_id, first_position, \
    last_position, first_version, last_version) \
    SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5 \
    FROM json_each(?1); \
    INSERT INTO events (position, stream_id, version, previous, event_type, schema_version, \
    payload, actor, command_id, recorded_at) \
    SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, \
        value->>7, value->>8, ?3 \
    FROM json_each(?2)";

/// The same, then `COMMIT`: the end of a group's transaction in one round trip.
static INSERT_AND_COMMIT: LazyLock<String> = LazyLock::new(|| format!("{INSERT}; COMMIT"));

/// Whether the query that inserts also commits the transaction.
#[derive(Clone, Copy)]
pub(super) enum Then {
    StayInTransaction,
    Commit,
}

/// An append that the plan accepted, where it goes, and the event its first one follows.
pub(super) type Accepted<'a> = (&'a EncodedAppend, Committed, Option<Position>);

/// Writes the accepted appends in one round trip, then does what `then` says. If anything
/// fails, the transaction is still open.
pub(super) async fn insert_accepted(
    conn: &mut SqliteConnection,
    accepted: &[Accepted<'_>],
    recorded_at: &str,
    then: Then,
) -> Result<(), StoreError> {
    let commands: Vec<CommandRow<'_>> = accepted.iter().map(command_row).collect();
    let events: Vec<EventRow<'_>> = accepted.iter().flat_map(event_rows).collect();
    let sql = match then {
        Then::StayInTransaction => INSERT,
        Then::Commit => &INSERT_AND_COMMIT,
    };
    sqlx::query(sql)
        .bind(json(&commands)?)
        .bind(json(&events)?)
        .bind(recorded_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// `(command_id, stream_id, first_position, last_position, first_version, last_version)`
type CommandRow<'a> = (&'a str, &'a str, i64, i64, i64, i64);

fn command_row<'a>((append, committed, _): &Accepted<'a>) -> CommandRow<'a> {
    (
        &append.command_text,
        append.stream.as_str(),
        sql_int(committed.first_position.get()),
        sql_int(committed.last_position.get()),
        sql_int(committed.first_version.get()),
        sql_int(committed.last_version.get()),
    )
}

/// `(position, stream_id, version, previous, event_type, schema_version, payload, actor,
/// command_id)`
type EventRow<'a> = (
    i64,
    &'a str,
    i64,
    Option<i64>,
    &'a str,
    u16,
    &'a str,
    &'a str,
    &'a str,
);

/// An append's events are consecutive in the log, so each after the first follows the
/// position just before its own.
fn event_rows<'a>(
    (append, committed, follows): &Accepted<'a>,
) -> impl Iterator<Item = EventRow<'a>> {
    let (position, version) = (
        committed.first_position.get(),
        committed.first_version.get(),
    );
    let follows = follows.map(|follows| sql_int(follows.get()));
    (0..)
        .zip(&append.events)
        .map(move |(offset, event): (u64, &'a EncodedEvent)| {
            let previous = match offset {
                0 => follows,
                _ => Some(sql_int(position + offset - 1)),
            };
            (
                sql_int(position + offset),
                append.stream.as_str(),
                sql_int(version + offset),
                previous,
                event.event_type.as_str(),
                event.schema_version,
                event.payload.as_str(),
                append.actor_text.as_str(),
                append.command_text.as_str(),
            )
        })
}

/// The rows as one bound argument; failing to encode it is an encoding error of that argument.
fn json(rows: &impl Serialize) -> Result<String, StoreError> {
    serde_json::to_string(rows).map_err(|error| sqlx::Error::Encode(Box::new(error)).into())
}
