//! Writing a group's accepted appends with multi-row INSERTs.
//!
//! A statement's row count is always a power of two, at most [`MAX_ROWS`]: a group of `n`
//! rows takes one statement per bit set in `n`, and no more than eleven distinct statements
//! per table are ever prepared, so all of them stay in the connection's statement cache.
//! 1,024 rows of 9 columns bind 9,216 variables, well under SQLite's limit of 32,766.

use super::encode::{EncodedAppend, EncodedEvent};
use super::sql_int;
use crate::store::{Committed, StoreError};
use sqlx::SqliteConnection;
use std::sync::LazyLock;

const MAX_ROWS: usize = 1024;

const INSERT_EVENTS: &str = "INSERT INTO events (position, stream_id, version, event_type, \
    schema_version, payload, actor, command_id, recorded_at) VALUES ";
const EVENT_COLUMNS: usize = 9;

const INSERT_COMMANDS: &str = "INSERT INTO commands (command_id, stream_id, first_position, \
    last_position, first_version, last_version) VALUES ";
const COMMAND_COLUMNS: usize = 6;

/// The statement for 2^k rows is at index k.
static EVENT_INSERTS: LazyLock<Vec<String>> =
    LazyLock::new(|| statements(INSERT_EVENTS, EVENT_COLUMNS));
static COMMAND_INSERTS: LazyLock<Vec<String>> =
    LazyLock::new(|| statements(INSERT_COMMANDS, COMMAND_COLUMNS));

/// An append that the plan accepted, and where it goes.
pub(super) type Accepted<'a> = (&'a EncodedAppend, Committed);

/// Writes the commands first, since each event refers to its command.
pub(super) async fn insert_accepted(
    conn: &mut SqliteConnection,
    accepted: &[Accepted<'_>],
    recorded_at: &str,
) -> Result<(), StoreError> {
    for chunk in power_of_two_chunks(accepted) {
        insert_commands(conn, chunk).await?;
    }
    let events: Vec<EventRow<'_>> = accepted.iter().flat_map(event_rows).collect();
    for chunk in power_of_two_chunks(&events) {
        insert_events(conn, chunk, recorded_at).await?;
    }
    Ok(())
}

/// One event's place: its position, its version, and what it belongs to.
struct EventRow<'a> {
    position: u64,
    version: u64,
    append: &'a EncodedAppend,
    event: &'a EncodedEvent,
}

fn event_rows<'a>((append, committed): &Accepted<'a>) -> impl Iterator<Item = EventRow<'a>> {
    let (position, version) = (
        committed.first_position.get(),
        committed.first_version.get(),
    );
    (0..)
        .zip(&append.events)
        .map(move |(offset, event)| EventRow {
            position: position + offset,
            version: version + offset,
            append,
            event,
        })
}

async fn insert_events(
    conn: &mut SqliteConnection,
    rows: &[EventRow<'_>],
    recorded_at: &str,
) -> Result<(), StoreError> {
    let mut query = sqlx::query(statement_for(&EVENT_INSERTS, rows.len()));
    for row in rows {
        query = query
            .bind(sql_int(row.position))
            .bind(row.append.stream.as_str())
            .bind(sql_int(row.version))
            .bind(row.event.event_type.as_str())
            .bind(i64::from(row.event.schema_version))
            .bind(row.event.payload.as_str())
            .bind(row.append.actor_text.as_str())
            .bind(row.append.command_text.as_str())
            .bind(recorded_at);
    }
    query.execute(conn).await?;
    Ok(())
}

async fn insert_commands(
    conn: &mut SqliteConnection,
    accepted: &[Accepted<'_>],
) -> Result<(), StoreError> {
    let mut query = sqlx::query(statement_for(&COMMAND_INSERTS, accepted.len()));
    for (append, committed) in accepted {
        query = query
            .bind(append.command_text.as_str())
            .bind(append.stream.as_str())
            .bind(sql_int(committed.first_position.get()))
            .bind(sql_int(committed.last_position.get()))
            .bind(sql_int(committed.first_version.get()))
            .bind(sql_int(committed.last_version.get()));
    }
    query.execute(conn).await?;
    Ok(())
}

/// `rows` is a power of two, as [`power_of_two_chunks`] makes them.
fn statement_for(statements: &[String], rows: usize) -> &str {
    &statements[rows.trailing_zeros() as usize]
}

fn statements(insert: &str, columns: usize) -> Vec<String> {
    let row = format!("({})", vec!["?"; columns].join(","));
    (0..=MAX_ROWS.trailing_zeros())
        .map(|k| format!("{insert}{}", vec![row.as_str(); 1 << k].join(",")))
        .collect()
}

/// Splits `items` into runs whose lengths are the powers of two of `items.len()`, largest
/// first: 133 rows become runs of 128, 4 and 1.
fn power_of_two_chunks<T>(mut items: &[T]) -> impl Iterator<Item = &[T]> {
    std::iter::from_fn(move || {
        if items.is_empty() {
            return None;
        }
        let size = MAX_ROWS.min(1 << items.len().ilog2());
        let (chunk, rest) = items.split_at(size);
        items = rest;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_the_powers_of_two_of_the_length() {
        let items: Vec<usize> = (0..2500).collect();
        let lengths = |n: usize| -> Vec<usize> {
            power_of_two_chunks(&items[..n])
                .map(<[usize]>::len)
                .collect()
        };
        assert_eq!(lengths(0), Vec::<usize>::new());
        assert_eq!(lengths(1), [1]);
        assert_eq!(lengths(133), [128, 4, 1]);
        assert_eq!(lengths(2500), [1024, 1024, 256, 128, 64, 4]);
        let all: Vec<usize> = power_of_two_chunks(&items).flatten().copied().collect();
        assert_eq!(all, items);
    }

    #[test]
    fn each_statement_has_as_many_rows_as_its_index_says() {
        let statements = statements(INSERT_COMMANDS, COMMAND_COLUMNS);
        assert_eq!(statements.len(), 11);
        for (k, statement) in statements.iter().enumerate() {
            assert_eq!(statement.matches('?').count(), COMMAND_COLUMNS << k);
        }
    }
}
