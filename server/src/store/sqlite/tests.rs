//! One group's transaction, driven directly so that the group's make-up is certain (through
//! the store, which appends land in one group depends on timing).

use super::commit::{commit_group, commit_one_by_one};
use super::rows::ROWS;
use crate::db;
use crate::store::group::{EncodedAppend, Fate};
use crate::store::{Append, Committed, NewEvent, StoreError, StreamId};
use app::domain::{CommandId, Position, UserId, Version};
use serde_json::json;
use sqlx::{SqliteConnection, SqlitePool};
use tempfile::TempDir;

pub(super) const AT: &str = "2025-01-31T09:15:02.123Z";

pub(super) struct Database {
    pub _dir: TempDir,
    pub pool: SqlitePool,
    pub conn: SqliteConnection,
}

pub(super) async fn database() -> Database {
    let dir = TempDir::new().unwrap();
    let pool = db::sqlite::open_sqlite(&dir.path().join("log.db"))
        .await
        .unwrap();
    let conn = db::sqlite::connect_dedicated(&pool).await.unwrap();
    Database {
        _dir: dir,
        pool,
        conn,
    }
}

pub(super) fn append(stream: &str, expected: u64, count: usize) -> EncodedAppend {
    EncodedAppend::new(new_append(stream, expected, count))
}

fn new_append(stream: &str, expected: u64, count: usize) -> Append {
    let events = (0..count).map(|n| NewEvent {
        event_type: "Noted".into(),
        schema_version: 1,
        payload: json!({ "n": n }),
    });
    Append {
        stream: StreamId::parse(stream).unwrap(),
        expected_version: Version::new(expected),
        command_id: CommandId::new(),
        actor: UserId::new(),
        events: events.collect(),
    }
}

fn accepted(positions: (u64, u64), versions: (u64, u64), follows: Option<u64>) -> Fate {
    Fate::Accepted {
        committed: Committed {
            first_position: Position::new(positions.0),
            last_position: Position::new(positions.1),
            first_version: Version::new(versions.0),
            last_version: Version::new(versions.1),
        },
        follows: follows.map(Position::new),
    }
}

fn conflict(actual: u64) -> Fate {
    Fate::Conflict {
        actual: Version::new(actual),
    }
}

pub(super) async fn stored(pool: &SqlitePool) -> Vec<(i64, String, i64)> {
    sqlx::query_as("SELECT position, stream_id, version FROM events ORDER BY position")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn one_group_commits_its_valid_appends_and_refuses_only_the_others() {
    let mut db = database().await;
    let earlier = new_append("todo-a", 0, 1);
    let first = commit_group(&mut db.conn, &[&EncodedAppend::new(earlier.clone())], AT)
        .await
        .unwrap();
    let group = [
        EncodedAppend::new(earlier),
        append("todo-a", 1, 1),
        append("todo-a", 1, 1),
        append("todo-b", 0, 2),
        append("todo-b", 5, 1),
    ];
    let fates = commit_group(&mut db.conn, &group.each_ref(), AT)
        .await
        .unwrap();
    let Fate::Accepted {
        committed: earlier_outcome,
        ..
    } = first[0]
    else {
        panic!("the first append commits: {first:?}");
    };
    assert_eq!(
        fates,
        [
            Fate::Duplicate(earlier_outcome),
            accepted((2, 2), (2, 2), Some(1)),
            conflict(2),
            accepted((3, 4), (1, 2), None),
            conflict(2),
        ]
    );
    let expected = [
        (1, "todo-a", 1),
        (2, "todo-a", 2),
        (3, "todo-b", 1),
        (4, "todo-b", 2),
    ];
    let expected = expected.map(|(p, s, v)| (p, s.to_owned(), v));
    assert_eq!(stored(&db.pool).await, expected);
}

/// A trigger stands in for any failure that the plan cannot foresee.
#[tokio::test]
async fn an_append_the_database_refuses_fails_alone_and_leaves_no_gap() {
    let mut db = database().await;
    sqlx::query(
        "CREATE TRIGGER refuse_poison BEFORE INSERT ON events \
         WHEN NEW.stream_id = 'todo-poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    let group = [
        append("todo-a", 0, 1),
        append("todo-poison", 0, 1),
        append("todo-b", 0, 2),
    ];
    let group = group.each_ref();

    assert!(commit_group(&mut db.conn, &group, AT).await.is_err());
    assert!(
        stored(&db.pool).await.is_empty(),
        "the failed group wrote nothing"
    );

    let results = commit_one_by_one(&mut db.conn, &group, AT).await.unwrap();
    assert!(matches!(results[0], Ok(fate) if fate == accepted((1, 1), (1, 1), None)));
    assert!(matches!(results[1], Err(StoreError::Database(_))));
    assert!(matches!(results[2], Ok(fate) if fate == accepted((2, 3), (1, 2), None)));

    let next = append("todo-c", 0, 1);
    let fates = commit_group(&mut db.conn, &[&next], AT).await.unwrap();
    assert_eq!(fates, [accepted((4, 4), (1, 1), None)]);
    let positions: Vec<i64> = stored(&db.pool).await.iter().map(|row| row.0).collect();
    assert_eq!(positions, [1, 2, 3, 4]);
}

#[tokio::test]
async fn a_group_of_any_size_is_written_with_consecutive_positions() {
    let mut db = database().await;
    let group: Vec<EncodedAppend> = (0..1100)
        .map(|i| append(&format!("todo-{i}"), 0, 1 + i % 3))
        .collect();
    let group: Vec<&EncodedAppend> = group.iter().collect();
    let fates = commit_group(&mut db.conn, &group, AT).await.unwrap();
    let events: u64 = group.iter().map(|a| a.event_count()).sum();
    assert_eq!(fates[1099], accepted((events - 1, events), (1, 2), None));
    let stored = stored(&db.pool).await;
    let positions: Vec<i64> = stored.iter().map(|row| row.0).collect();
    assert_eq!(positions, (1..=events as i64).collect::<Vec<_>>());
    assert_eq!(stored[1], (2, "todo-1".to_owned(), 1));
    assert_eq!(stored[2], (3, "todo-1".to_owned(), 2));
}

/// What the tables hold, every column, in position order.
type StoredEvent = (
    i64,
    String,
    i64,
    Option<i64>,
    String,
    i64,
    String,
    String,
    String,
    String,
);
type StoredCommand = (String, String, i64, i64, i64, i64);

/// What `group`, committed whole into an empty log, must leave in the tables.
fn expected_rows(group: &[EncodedAppend]) -> (Vec<StoredEvent>, Vec<StoredCommand>) {
    let (mut events, mut commands) = (Vec::new(), Vec::new());
    for append in group {
        let first = events.len() as i64 + 1;
        for (offset, event) in (0..).zip(&append.events) {
            events.push((
                first + offset,
                append.stream.as_str().to_owned(),
                offset + 1,
                (offset > 0).then(|| first + offset - 1),
                event.event_type.clone(),
                i64::from(event.schema_version),
                event.payload.clone(),
                append.actor_text.clone(),
                append.command_text.clone(),
                AT.to_owned(),
            ));
        }
        let last = events.len() as i64;
        let versions = last - first + 1;
        let command = append.command_text.clone();
        let stream = append.stream.as_str().to_owned();
        commands.push((command, stream, first, last, 1, versions));
    }
    commands.sort();
    (events, commands)
}

/// Rows go in by statements of [`ROWS`] rows, the last one padded: groups that fill a
/// statement exactly, spill one event into the next, or spill one command too, are written
/// whole, every column of every row in its place.
#[tokio::test]
async fn groups_that_fill_a_statement_or_spill_by_one_row_are_written_whole() {
    for (appends, events_of_the_last) in [(ROWS, 1), (ROWS, 2), (ROWS + 1, 1), (1, ROWS + 1)] {
        let mut db = database().await;
        let group: Vec<EncodedAppend> = (0..appends)
            .map(|i| {
                let events = if i + 1 == appends {
                    events_of_the_last
                } else {
                    1
                };
                append(&format!("todo-{i}"), 0, events)
            })
            .collect();
        let fates = commit_group(&mut db.conn, &group.iter().collect::<Vec<_>>(), AT)
            .await
            .unwrap();
        assert_eq!(fates.len(), appends);
        let events: Vec<StoredEvent> = sqlx::query_as(
            "SELECT position, stream_id, version, previous, event_type, schema_version, \
             payload, actor, command_id, recorded_at FROM events ORDER BY position",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap();
        let commands: Vec<StoredCommand> = sqlx::query_as(
            "SELECT command_id, stream_id, first_position, last_position, first_version, \
             last_version FROM commands ORDER BY command_id",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap();
        let (expected_events, expected_commands) = expected_rows(&group);
        assert_eq!(events, expected_events, "{appends} appends");
        assert_eq!(commands, expected_commands, "{appends} appends");
    }
}

/// The syncer's fsync is what makes a pipelined group durable. When it fails (here: the file
/// it is given does not exist), the append is answered with the failure, nothing that group
/// committed leaves the store, and the store takes no more appends. Every group is pipelined
/// here (`pipeline_from: 1`); by default a lone append syncs in its own commit.
#[tokio::test(flavor = "multi_thread")]
async fn when_the_log_cannot_be_synced_nothing_undurable_leaves_the_store() {
    use super::{SqliteEventStore, StoreOptions};
    use crate::store::{AppendError, EventStore};
    let db = database().await;
    let options = StoreOptions {
        pipeline_from: 1,
        ..StoreOptions::default()
    };
    let nowhere = db._dir.path().join("missing").join("log.db-wal");
    let store = SqliteEventStore::start(db.pool.clone(), options, nowhere)
        .await
        .unwrap();
    let first = new_append("todo-a", 0, 1);
    let command = first.command_id;
    let answer = store.append(first).await;
    assert!(
        matches!(&answer, Err(AppendError::Store(StoreError::CommitFailed(cause))) if matches!(**cause, StoreError::NotDurable(_))),
        "{answer:?}"
    );
    let in_the_file: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(in_the_file, 1, "committed, though not known to be on disk");
    assert!(
        store
            .read_all_after(Position::ZERO, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.head().await.unwrap(), Position::ZERO);
    assert_eq!(*store.watch_head().borrow(), Position::ZERO);
    assert!(matches!(
        store.find_command(command).await,
        Err(StoreError::WriterStopped)
    ));
    assert!(store.append(new_append("todo-b", 0, 1)).await.is_err());
}
