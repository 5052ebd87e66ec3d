//! Each stream's chain of events: reading a stream by walking it back from a mark, the
//! database's guard that every event extends its stream, and the migration that chained a
//! log written before.

use super::commit::commit_group;
use super::reader::{READ_STREAM, read_stream};
use super::tests::{AT, Database, append, database, stored};
use crate::db;
use crate::store::StreamId;
use app::domain::Version;
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{SqlitePool, query_as, query_scalar};
use std::path::Path;
use tempfile::TempDir;

/// Appends `count` events to `stream`, one to five at a time. Each group also starts another
/// stream, so that the stream's events are not consecutive in the log.
async fn long_stream(db: &mut Database, stream: &str, count: u64) {
    let (mut version, mut round) = (0, 0);
    while version < count {
        let size = (1 + round % 5).min(count - version);
        let other = format!("todo-other-{round}");
        let group = [append(stream, version, size as usize), append(&other, 0, 1)];
        commit_group(&mut db.conn, &group.each_ref(), AT)
            .await
            .unwrap();
        version += size;
        round += 1;
    }
}

#[tokio::test]
async fn a_long_stream_reads_the_same_from_any_version_in_pages_of_any_size() {
    let mut db = database().await;
    long_stream(&mut db, "todo-long", 300).await;
    let stream = StreamId::parse("todo-long").unwrap();
    let log: Vec<(u64, u64)> = stored(&db.pool)
        .await
        .into_iter()
        .filter(|(_, s, _)| s == "todo-long")
        .map(|(position, _, version)| (position as u64, version as u64))
        .collect();
    assert_eq!(log.len(), 300);

    for after in [0, 1, 62, 63, 64, 65, 127, 128, 129, 200, 255, 299, 300, 301] {
        for limit in [1, 2, 7, 63, 64, 65, 1_000] {
            let read = read_stream(&db.pool, &stream, Version::new(after), limit)
                .await
                .unwrap();
            let read: Vec<(u64, u64)> = read
                .iter()
                .map(|event| (event.position.get(), event.version.get()))
                .collect();
            let expected: Vec<(u64, u64)> = log
                .iter()
                .filter(|(_, version)| *version > after)
                .take(limit as usize)
                .copied()
                .collect();
            assert_eq!(read, expected, "after version {after}, at most {limit}");
        }
    }
}

#[tokio::test]
async fn reading_a_stream_starts_at_a_mark_of_the_index_and_scans_no_table() {
    let db = database().await;
    let plan: Vec<(i64, i64, i64, String)> = query_as(&format!("EXPLAIN QUERY PLAN {READ_STREAM}"))
        .bind("todo-a")
        .bind(0)
        .bind(10)
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let steps: Vec<&str> = plan.iter().map(|row| row.3.as_str()).collect();
    assert!(
        steps
            .iter()
            .any(|s| s.contains("INDEX events_stream_marks")),
        "{steps:#?}"
    );
    let scans_a_table = |step: &&str| {
        let scanned = step.strip_prefix("SCAN ").and_then(|s| s.split(' ').next());
        matches!(scanned, Some("events" | "e" | "streams" | "s"))
    };
    assert!(!steps.iter().any(scans_a_table), "{steps:#?}");
}

/// `commands` first: each event names its command.
const INSERT_EVENT: &str = "INSERT OR IGNORE INTO commands VALUES ('c-raw', 'todo-a', 3, 3, 3, 3); \
    INSERT INTO events (position, stream_id, version, previous, event_type, schema_version, \
    payload, actor, command_id, recorded_at) \
    VALUES (?1, 'todo-a', ?2, ?3, 'Noted', 1, '{}', '01900000-0000-7000-8000-000000000000', \
    'c-raw', '2025-01-31T09:15:02.123Z')";

#[tokio::test]
async fn the_database_refuses_an_event_that_does_not_extend_its_stream() {
    let mut db = database().await;
    commit_group(&mut db.conn, &[&append("todo-a", 0, 2)], AT)
        .await
        .unwrap();

    let refused = [
        (2, Some(1), "a version the stream has"),
        (4, Some(2), "a version past the next"),
        (3, Some(1), "a link to an event before the last"),
        (3, None, "no link"),
    ];
    for (version, previous, case) in refused {
        let insert = sqlx::query(INSERT_EVENT)
            .bind(3)
            .bind(version)
            .bind(previous);
        let error = insert.execute(&db.pool).await.unwrap_err();
        assert!(
            error.to_string().contains("next version of its stream")
                || error.to_string().contains("CHECK constraint failed"),
            "{case}: {error}"
        );
    }
    assert_eq!(stored(&db.pool).await.len(), 2, "nothing was written");

    let insert = sqlx::query(INSERT_EVENT).bind(3).bind(3).bind(2);
    insert.execute(&db.pool).await.unwrap();
    let head: (i64, i64) =
        query_as("SELECT version, last_position FROM streams WHERE stream_id = 'todo-a'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(head, (3, 3));
}

/// A folder holding the migrations that came before streams were chained.
fn migrations_before_chains(dir: &Path) -> std::path::PathBuf {
    let all = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
    let old = dir.join("old-migrations");
    std::fs::create_dir(&old).unwrap();
    for name in [
        "0001_events.sql",
        "0002_projection_checkpoints.sql",
        "0003_users.sql",
    ] {
        std::fs::copy(all.join(name), old.join(name)).unwrap();
    }
    old
}

/// Two commands on `todo-a` around one on `todo-b`, as the store wrote them before.
const OLD_LOG: &str = "INSERT INTO commands VALUES \
    ('01900000-0000-7000-8000-0000000000c1', 'todo-a', 1, 2, 1, 2), \
    ('01900000-0000-7000-8000-0000000000c2', 'todo-b', 3, 3, 1, 1), \
    ('01900000-0000-7000-8000-0000000000c3', 'todo-a', 4, 4, 3, 3); \
    INSERT INTO events (position, stream_id, version, event_type, schema_version, payload, \
    actor, command_id, recorded_at) \
    SELECT value->>0, value->>1, value->>2, 'Noted', 1, '{}', \
    '01900000-0000-7000-8000-000000000000', '01900000-0000-7000-8000-0000000000' || \
    (value->>3), '2025-01-31T09:15:02.123Z' \
    FROM json_each('[[1, \"todo-a\", 1, \"c1\"], [2, \"todo-a\", 2, \"c1\"], \
        [3, \"todo-b\", 1, \"c2\"], [4, \"todo-a\", 3, \"c3\"]]')";

#[tokio::test]
async fn a_log_written_before_streams_were_chained_is_chained_when_opened() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("log.db");
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let old = SqlitePool::connect_with(options).await.unwrap();
    let migrator = Migrator::new(migrations_before_chains(dir.path()).as_path())
        .await
        .unwrap();
    migrator.run(&old).await.unwrap();
    sqlx::query(OLD_LOG).execute(&old).await.unwrap();
    old.close().await;

    let pool = db::sqlite::open_sqlite(&path).await.unwrap();
    let links: Vec<(i64, Option<i64>)> =
        query_as("SELECT position, previous FROM events ORDER BY position")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(links, [(1, None), (2, Some(1)), (3, None), (4, Some(2))]);
    let heads: Vec<(String, i64, i64)> = query_as("SELECT * FROM streams ORDER BY stream_id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(heads, [("todo-a".into(), 3, 4), ("todo-b".into(), 1, 3)]);
    let sequence: i64 = query_scalar("SELECT seq FROM sqlite_sequence WHERE name = 'events'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sequence, 4, "no position is handed out twice");

    let mut conn = db::sqlite::connect_dedicated(&pool).await.unwrap();
    commit_group(&mut conn, &[&append("todo-a", 3, 1)], AT)
        .await
        .unwrap();
    let stream = StreamId::parse("todo-a").unwrap();
    let read = read_stream(&pool, &stream, Version::NONE, 10)
        .await
        .unwrap();
    let positions: Vec<u64> = read.iter().map(|event| event.position.get()).collect();
    assert_eq!(positions, [1, 2, 4, 5]);
}
