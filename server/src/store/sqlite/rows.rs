//! Writing a group's accepted appends, in one round trip to the connection's thread.
//!
//! The rows are bound, in statements of [`ROWS`] rows each: a multi-row `VALUES` whose
//! unused rows are NULL and skipped. A group's query is as many of them as its rows need,
//! commands first, then events, so the query's text depends only on those two counts, and
//! sqlx prepares each text once and keeps it. Why one round trip: sqlx runs each query on
//! the connection's worker thread, and under load each trip costs about 0.1 ms, as much as
//! SQLite takes to insert ten rows. Why bound rather than one JSON array per table, unpacked
//! by `json_each` as before: SQLite's JSON functions took about a fifth of the writer
//! thread's time, converting each row between text and its binary form once per column
//! (BENCHMARKS.md).

use super::sql_int;
use crate::store::StoreError;
use crate::store::group::{Accepted, EncodedEvent};
use sqlx::SqliteConnection;
use sqlx::query::Query;
use sqlx::sqlite::{Sqlite, SqliteArguments};
use std::sync::LazyLock;

/// Rows per statement: a group of up to this many one-event appends takes one statement
/// per table.
pub(super) const ROWS: usize = 128;

/// One statement's worth of command rows.
static COMMANDS: LazyLock<String> = LazyLock::new(|| {
    chunk(
        "commands (command_id, stream_id, first_position, last_position, first_version, \
        last_version)",
        6,
    )
});

/// One statement's worth of event rows.
static EVENTS: LazyLock<String> = LazyLock::new(|| {
    chunk(
        "events (position, stream_id, version, previous, event_type, schema_version, \
        payload, actor, command_id, recorded_at)",
        10,
    )
});

/// `INSERT INTO {table} SELECT * FROM (VALUES (?, …), …) WHERE column1 IS NOT NULL;`, with
/// [`ROWS`] rows of `columns` parameters. A row whose first column is NULL is padding: no
/// row of either table has a NULL there.
fn chunk(table: &str, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    let rows = vec![row.as_str(); ROWS].join(", ");
    format!("INSERT INTO {table} SELECT * FROM (VALUES {rows}) WHERE column1 IS NOT NULL;")
}

/// Whether the query that inserts also commits the transaction.
#[derive(Clone, Copy)]
pub(super) enum Then {
    StayInTransaction,
    Commit,
}

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
    let sql = query_text(commands.len(), events.len(), then);
    let mut query = sqlx::query(&sql);
    for row in padded(&commands) {
        query = bind_command(query, row);
    }
    for row in padded(&events) {
        query = bind_event(query, row, recorded_at);
    }
    query.execute(conn).await?;
    Ok(())
}

/// The statements for `commands` and `events` rows, then `COMMIT` if asked.
fn query_text(commands: usize, events: usize, then: Then) -> String {
    let mut sql = String::with_capacity(
        (commands.div_ceil(ROWS) * COMMANDS.len()) + (events.div_ceil(ROWS) * EVENTS.len()) + 8,
    );
    for _ in 0..commands.div_ceil(ROWS) {
        sql.push_str(&COMMANDS);
    }
    for _ in 0..events.div_ceil(ROWS) {
        sql.push_str(&EVENTS);
    }
    if let Then::Commit = then {
        sql.push_str("COMMIT;");
    }
    sql
}

/// The rows, then `None` up to the end of their last statement.
fn padded<T>(rows: &[T]) -> impl Iterator<Item = Option<&T>> {
    let padding = rows.len().next_multiple_of(ROWS) - rows.len();
    rows.iter()
        .map(Some)
        .chain(std::iter::repeat_n(None, padding))
}

type Bound<'q> = Query<'q, Sqlite, SqliteArguments<'q>>;

fn bind_command<'q>(query: Bound<'q>, row: Option<&CommandRow<'q>>) -> Bound<'q> {
    query
        .bind(row.map(|r| r.command))
        .bind(row.map(|r| r.stream))
        .bind(row.map(|r| r.first_position))
        .bind(row.map(|r| r.last_position))
        .bind(row.map(|r| r.first_version))
        .bind(row.map(|r| r.last_version))
}

fn bind_event<'q>(query: Bound<'q>, row: Option<&EventRow<'q>>, recorded_at: &'q str) -> Bound<'q> {
    query
        .bind(row.map(|r| r.position))
        .bind(row.map(|r| r.stream))
        .bind(row.map(|r| r.version))
        .bind(row.and_then(|r| r.previous))
        .bind(row.map(|r| r.event_type))
        .bind(row.map(|r| r.schema_version))
        .bind(row.map(|r| r.payload))
        .bind(row.map(|r| r.actor))
        .bind(row.map(|r| r.command))
        .bind(row.map(|_| recorded_at))
}

struct CommandRow<'a> {
    command: &'a str,
    stream: &'a str,
    first_position: i64,
    last_position: i64,
    first_version: i64,
    last_version: i64,
}

fn command_row<'a>((append, committed, _): &Accepted<'a>) -> CommandRow<'a> {
    CommandRow {
        command: &append.command_text,
        stream: append.stream.as_str(),
        first_position: sql_int(committed.first_position.get()),
        last_position: sql_int(committed.last_position.get()),
        first_version: sql_int(committed.first_version.get()),
        last_version: sql_int(committed.last_version.get()),
    }
}

struct EventRow<'a> {
    position: i64,
    stream: &'a str,
    version: i64,
    /// The position of the stream's event before this one; none for its first.
    previous: Option<i64>,
    event_type: &'a str,
    schema_version: u16,
    payload: &'a str,
    actor: &'a str,
    command: &'a str,
}

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
        .map(move |(offset, event): (u64, &'a EncodedEvent)| EventRow {
            position: sql_int(position + offset),
            stream: append.stream.as_str(),
            version: sql_int(version + offset),
            previous: match offset {
                0 => follows,
                _ => Some(sql_int(position + offset - 1)),
            },
            event_type: event.event_type.as_str(),
            schema_version: event.schema_version,
            payload: event.payload.as_str(),
            actor: append.actor_text.as_str(),
            command: append.command_text.as_str(),
        })
}
