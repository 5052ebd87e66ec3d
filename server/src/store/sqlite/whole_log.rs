//! The whole log read ahead for a rebuild ([`EventStore::read_all_ahead`]): a blocking
//! thread of its own, on a connection of its own, steps one statement prepared on the raw
//! handle ([`raw`](crate::db::sqlite::raw)) through the log a page at a time, each row
//! straight into a [`RecordedEvent`], and hands each page on while it reads the next.
//!
//! Why not `read_all_after` through the pool: there, SQLite builds each page as one JSON
//! document (`json_group_array`, each payload re-parsed by `json()`), and the caller parses it
//! again, which was most of what reading the log cost a rebuild. Here the payload is parsed
//! once, from the text SQLite holds, and the other columns are read as they are typed.
//!
//! Each page is read in a read transaction of its own (the statement is reset after it), so
//! the read never holds a snapshot while the caller works, and checkpoints of the write-ahead
//! log are not held back by it. As with `read_all_after`, a page leaves out what is not yet on
//! disk ([`Durability::retain_visible`]). A row that does not parse ends the read with
//! [`StoreError::Corrupt`]: nothing is skipped.
//!
//! [`EventStore::read_all_ahead`]: crate::store::EventStore::read_all_ahead

use super::durable::Durability;
use super::reader::{EventFields, READ_ALL_AFTER, corrupt, corrupt_event};
use crate::db::sqlite::connect_dedicated;
use crate::db::sqlite::raw::{Db, Row};
use crate::db::sqlite::values::Value;
use crate::store::{LogPages, RecordedEvent, StoreError};
use app::domain::Position;
use sqlx::{SqliteConnection, SqlitePool};
use std::sync::Arc;
use tokio::runtime::Handle;
use tokio::sync::mpsc;

/// Events a page's vector is made for at first: a page asked for in full is about this
/// long, and a page asked for as "everything" is not made that large before it is read.
const PAGE_CAPACITY: u32 = 8_192;

type Sender = mpsc::Sender<Result<Vec<RecordedEvent>, StoreError>>;

/// The pages, in order, by a blocking thread that ends after the last page, at the first
/// error (which it sends on), or when the receiver is dropped.
pub(super) fn read_ahead(pool: SqlitePool, durability: Arc<Durability>, page: u32) -> LogPages {
    let (pages, receiver) = mpsc::channel(1);
    tokio::task::spawn_blocking(move || {
        if let Err(error) = read_all(&pool, &durability, page, &pages) {
            // The receiver may be gone; there is no one else to tell.
            let _ = pages.blocking_send(Err(error));
        }
    });
    receiver
}

/// Runs on the blocking thread. The connection is dropped at the end, which closes it.
fn read_all(
    pool: &SqlitePool,
    durability: &Durability,
    page: u32,
    pages: &Sender,
) -> Result<(), StoreError> {
    let runtime = Handle::current();
    let mut conn: SqliteConnection = runtime.block_on(connect_dedicated(pool))?;
    let mut locked = runtime.block_on(conn.lock_handle())?;
    let db = Db::new(&mut locked);
    let mut read = db.prepare(READ_ALL_AFTER)?;
    let mut after = Position::ZERO;
    loop {
        let mut events = Vec::with_capacity(page.min(PAGE_CAPACITY) as usize);
        read.each_row(&[Value::int(after.get()), Value::Int(page.into())], |row| {
            events.push(event(row)?);
            Ok::<_, StoreError>(())
        })?;
        durability.retain_visible(&mut events);
        let Some(last) = events.last().map(|event| event.position) else {
            return Ok(());
        };
        after = last;
        if pages.blocking_send(Ok(events)).is_err() {
            return Ok(());
        }
    }
}

/// A row of [`READ_ALL_AFTER`], decoded as every read of the log decodes its rows
/// ([`EventFields::decode`]). A column of another type than the table's is corrupt.
fn event(row: &Row<'_, '_>) -> Result<RecordedEvent, StoreError> {
    let position = row
        .int(0)?
        .ok_or_else(|| corrupt("a row of the log", "its position is not an integer"))?;
    let int = |column: usize, name: &str| {
        row.int(column)?
            .ok_or_else(|| corrupt_event(position, format_args!("its {name} is not an integer")))
    };
    let payload = serde_json::from_slice(text_bytes(row, position, 5, "payload")?)
        .map_err(|error| corrupt_event(position, format_args!("its payload: {error}")))?;
    EventFields {
        position,
        stream_id: text(row, position, 1, "stream id")?,
        version: int(2, "version")?,
        event_type: text(row, position, 3, "event type")?,
        schema_version: int(4, "schema version")?,
        payload,
        actor: text(row, position, 6, "actor")?,
        command_id: text(row, position, 7, "command id")?,
        recorded_at: text(row, position, 8, "time")?,
    }
    .decode()
}

/// A text column of the event at `position`, checked to be UTF-8.
fn text<'r>(
    row: &'r Row<'_, '_>,
    position: i64,
    column: usize,
    name: &str,
) -> Result<&'r str, StoreError> {
    std::str::from_utf8(text_bytes(row, position, column, name)?)
        .map_err(|error| corrupt_event(position, format_args!("its {name}: {error}")))
}

/// A text column of the event at `position`, as SQLite holds it.
fn text_bytes<'r>(
    row: &'r Row<'_, '_>,
    position: i64,
    column: usize,
    name: &str,
) -> Result<&'r [u8], StoreError> {
    row.text(column)?
        .ok_or_else(|| corrupt_event(position, format_args!("its {name} is not a text")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    /// The columns of an event as the store writes them, but for those `changed` replaces
    /// (by index); decoded as the read ahead decodes a row of the log.
    async fn decode(changed: &[(usize, &'static str)]) -> Result<RecordedEvent, StoreError> {
        let mut columns = [
            "7",
            "'todo-x'",
            "2",
            "'Noted'",
            "1",
            r#"'{"n": 1}'"#,
            "'0192e4b8-5a6e-7c1c-9c3a-4b5d6e7f8091'",
            "'0192e4b8-5a6e-7c1c-9c3a-4b5d6e7f8092'",
            "'2025-01-31T09:15:02.123Z'",
        ];
        for &(index, column) in changed {
            columns[index] = column;
        }
        let select = format!("SELECT {}", columns.join(", "));
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        tokio::task::spawn_blocking(move || {
            let mut locked = Handle::current().block_on(conn.lock_handle()).unwrap();
            let db = Db::new(&mut locked);
            let mut decoded = Vec::new();
            db.prepare(&select)
                .unwrap()
                .each_row(&[], |row| {
                    decoded.push(event(row));
                    Ok::<_, StoreError>(())
                })
                .unwrap();
            decoded.pop().expect("the select answers a row")
        })
        .await
        .unwrap()
    }

    fn assert_corrupt(decoded: Result<RecordedEvent, StoreError>, what: &str) {
        match decoded {
            Err(StoreError::Corrupt(message)) => assert!(message.contains(what), "{message}"),
            other => panic!("{what}: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_row_as_the_store_writes_it_is_decoded_column_by_column() {
        let event = decode(&[]).await.unwrap();
        assert_eq!(event.position, Position::new(7));
        assert_eq!(event.stream.as_str(), "todo-x");
        assert_eq!(event.version.get(), 2);
        assert_eq!(event.event_type, "Noted");
        assert_eq!(event.schema_version, 1);
        assert_eq!(event.payload, serde_json::json!({ "n": 1 }));
        assert_eq!(
            event.actor.to_string(),
            "0192e4b8-5a6e-7c1c-9c3a-4b5d6e7f8091"
        );
        assert_eq!(
            event.command_id.to_string(),
            "0192e4b8-5a6e-7c1c-9c3a-4b5d6e7f8092"
        );
        assert_eq!(
            event.recorded_at.to_rfc3339(),
            "2025-01-31T09:15:02.123+00:00"
        );
    }

    #[tokio::test]
    async fn a_payload_that_is_not_json_is_reported_as_corrupt() {
        assert_corrupt(decode(&[(5, r#"'{"n": 1'"#)]).await, "payload");
    }

    #[tokio::test]
    async fn a_number_held_as_text_is_reported_as_corrupt_not_converted() {
        assert_corrupt(decode(&[(2, "'2'")]).await, "version");
        assert_corrupt(decode(&[(0, "'7'")]).await, "position");
    }

    #[tokio::test]
    async fn a_missing_text_is_reported_as_corrupt() {
        assert_corrupt(decode(&[(6, "NULL")]).await, "actor");
        assert_corrupt(decode(&[(1, "42")]).await, "stream id");
    }

    #[tokio::test]
    async fn text_that_is_not_utf8_is_reported_as_corrupt() {
        assert_corrupt(decode(&[(3, "CAST(x'ff' AS TEXT)")]).await, "event type");
    }

    #[tokio::test]
    async fn a_malformed_id_or_time_is_reported_as_corrupt_at_its_position() {
        assert_corrupt(decode(&[(7, "'x'")]).await, "position 7");
        assert_corrupt(decode(&[(8, "'yesterday'")]).await, "position 7");
    }
}
