//! One group's transaction, driven directly so that the group's make-up is certain (through
//! the store, which appends land in one group depends on timing).

use super::commit::{commit_group, commit_one_by_one};
use super::lookup::begin_and_lock_head;
use crate::store::group::{EncodedAppend, Fate};
use crate::store::{Append, Committed, NewEvent, StoreError, StreamId};
use app::domain::{CommandId, Position, UserId, Version};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::postgres::PgListener;
use sqlx::{ConnectOptions, PgConnection, PgPool};
use test_postgres::TestDatabase;

struct Database {
    _db: TestDatabase,
    pool: PgPool,
    conn: PgConnection,
}

async fn database() -> Database {
    let db = TestDatabase::create().await;
    let pool = db.pool().await;
    let conn = db.connect_options().connect().await.unwrap();
    Database {
        _db: db,
        pool,
        conn,
    }
}

/// A group's fast path as the writer runs it: the head lock taken, then the group committed.
async fn locked_commit(
    conn: &mut PgConnection,
    group: &[&EncodedAppend],
) -> Result<Vec<Fate>, StoreError> {
    let head = begin_and_lock_head(conn).await?;
    commit_group(conn, group, head, at(), None).await
}

fn at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-01-31T09:15:02.123Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn append(stream: &str, expected: u64, count: usize) -> EncodedAppend {
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

/// PostgreSQL's `jsonb` cannot hold the character U+0000, which JSON may escape: a payload
/// that carries one is refused by the insert, whatever the plan decided.
fn poisoned(stream: &str) -> EncodedAppend {
    let mut append = new_append(stream, 0, 1);
    append.events[0].payload = json!({ "title": "\u{0}" });
    EncodedAppend::new(append)
}

fn accepted(positions: (u64, u64), versions: (u64, u64)) -> Fate {
    Fate::Accepted {
        committed: Committed {
            first_position: Position::new(positions.0),
            last_position: Position::new(positions.1),
            first_version: Version::new(versions.0),
            last_version: Version::new(versions.1),
        },
        follows: None,
    }
}

/// The plan's `follows` serves SQLite's chain of events; here only where the events go
/// matters.
fn without_follows(fate: Fate) -> Fate {
    match fate {
        Fate::Accepted { committed, .. } => Fate::Accepted {
            committed,
            follows: None,
        },
        other => other,
    }
}

fn conflict(actual: u64) -> Fate {
    Fate::Conflict {
        actual: Version::new(actual),
    }
}

async fn stored(pool: &PgPool) -> Vec<(i64, String, i64)> {
    sqlx::query_as("SELECT position, stream_id, version FROM events ORDER BY position")
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn head(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT position FROM log_head")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn one_group_commits_its_valid_appends_and_refuses_only_the_others() {
    let mut db = database().await;
    let earlier = new_append("todo-a", 0, 1);
    let first = locked_commit(&mut db.conn, &[&EncodedAppend::new(earlier.clone())])
        .await
        .unwrap();
    let group = [
        EncodedAppend::new(earlier),
        append("todo-a", 1, 1),
        append("todo-a", 1, 1),
        append("todo-b", 0, 2),
        append("todo-b", 5, 1),
    ];
    let fates = locked_commit(&mut db.conn, &group.each_ref())
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
        fates.into_iter().map(without_follows).collect::<Vec<_>>(),
        [
            Fate::Duplicate(earlier_outcome),
            accepted((2, 2), (2, 2)),
            conflict(2),
            accepted((3, 4), (1, 2)),
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
    assert_eq!(head(&db.pool).await, 4);
}

#[tokio::test]
async fn an_append_the_database_refuses_fails_alone_and_leaves_no_gap() {
    let mut db = database().await;
    let group = [
        append("todo-a", 0, 1),
        poisoned("todo-poison"),
        append("todo-b", 0, 2),
    ];
    let group = group.each_ref();

    assert!(locked_commit(&mut db.conn, &group).await.is_err());
    assert!(
        stored(&db.pool).await.is_empty(),
        "the failed group wrote nothing"
    );
    assert_eq!(head(&db.pool).await, 0, "nor moved the head");

    let results = commit_one_by_one(&mut db.conn, &group, at(), None)
        .await
        .unwrap();
    assert!(matches!(results[0], Ok(fate) if without_follows(fate) == accepted((1, 1), (1, 1))));
    assert!(matches!(results[1], Err(StoreError::Database(_))));
    assert!(matches!(results[2], Ok(fate) if without_follows(fate) == accepted((2, 3), (1, 2))));

    let next = append("todo-c", 0, 1);
    let fates = locked_commit(&mut db.conn, &[&next]).await.unwrap();
    assert_eq!(without_follows(fates[0]), accepted((4, 4), (1, 1)));
    let positions: Vec<i64> = stored(&db.pool).await.iter().map(|row| row.0).collect();
    assert_eq!(positions, [1, 2, 3, 4]);
    assert_eq!(head(&db.pool).await, 4);
}

/// 70,000 events, 17 columns bound each: far past the 65,535 parameters of one statement,
/// had the rows been bound one by one.
#[tokio::test]
async fn a_group_of_any_size_is_written_in_one_statement_with_consecutive_positions() {
    let mut db = database().await;
    let group: Vec<EncodedAppend> = (0..35_000)
        .map(|i| append(&format!("todo-{i}"), 0, 2))
        .collect();
    let group: Vec<&EncodedAppend> = group.iter().collect();
    let fates = locked_commit(&mut db.conn, &group).await.unwrap();
    assert_eq!(
        without_follows(fates[34_999]),
        accepted((69_999, 70_000), (1, 2))
    );
    let stored = stored(&db.pool).await;
    let positions: Vec<i64> = stored.iter().map(|row| row.0).collect();
    assert_eq!(positions, (1..=70_000).collect::<Vec<_>>());
    assert_eq!(stored[2], (3, "todo-1".to_owned(), 1));
    assert_eq!(stored[3], (4, "todo-1".to_owned(), 2));
}

/// A listener hears each committed group that wrote something once, with the head it
/// reached, and nothing of a group that wrote nothing or was rolled back.
#[tokio::test]
async fn each_committed_group_announces_its_head_once() {
    let mut db = database().await;
    let mut listener = PgListener::connect_with(&db.pool).await.unwrap();
    listener.listen(super::CHANNEL).await.unwrap();
    let group = [append("todo-a", 0, 2), append("todo-b", 0, 1)];
    locked_commit(&mut db.conn, &group.each_ref())
        .await
        .unwrap();
    let conflicting = append("todo-a", 0, 1);
    locked_commit(&mut db.conn, &[&conflicting]).await.unwrap();
    assert!(
        locked_commit(&mut db.conn, &[&poisoned("todo-c")])
            .await
            .is_err()
    );
    let group = [poisoned("todo-d"), append("todo-e", 0, 1)];
    commit_one_by_one(&mut db.conn, &group.each_ref(), at(), None)
        .await
        .unwrap();
    // Notifications arrive in commit order, so this one comes after every group's.
    sqlx::query("SELECT pg_notify($1, 'end')")
        .bind(super::CHANNEL)
        .execute(&db.pool)
        .await
        .unwrap();
    let mut heard = Vec::new();
    loop {
        let notification = listener.recv().await.unwrap();
        match notification.payload() {
            "end" => break,
            head => heard.push(head.to_owned()),
        }
    }
    assert_eq!(heard, ["3", "4"]);
}

#[tokio::test]
async fn the_tail_task_is_handed_out_once_and_ends_with_its_store() {
    let db = database().await;
    let store = super::PgEventStore::open(db.pool.clone()).await.unwrap();
    let task = store.take_tail_task().expect("the first take hands it out");
    assert!(store.take_tail_task().is_none(), "handed out twice");
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(!task.is_finished(), "the tail ended while its store lives");
    drop(store);
    tokio::time::timeout(std::time::Duration::from_secs(5), task)
        .await
        .expect("the tail ends once its store is dropped")
        .expect("without a panic");
}
