//! The SQLite backend under the contract: a fresh database file per test, plus the checks
//! that only make sense for SQLite (its pragmas, rows corrupted behind the store's back, a
//! failure that only the database can see).

use super::contract::Harness;
use app::domain::{CommandId, Position, UserId, Version};
use server::db::sqlite::open_sqlite;
use server::store::sqlite::{SqliteEventStore, StoreOptions};
use server::store::{Append, AppendError, EventStore, NewEvent, StoreError, StreamId};
use sqlx::{SqliteConnection, SqlitePool};
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tempfile::TempDir;

/// A database in a folder that does not exist yet, so that every test also checks that
/// opening creates it.
pub struct SqliteHarness {
    dir: TempDir,
    pools: Mutex<Vec<SqlitePool>>,
    options: StoreOptions,
}

impl SqliteHarness {
    /// The store as the server runs it.
    pub fn new() -> Self {
        Self::with(StoreOptions::default())
    }

    pub fn with(options: StoreOptions) -> Self {
        Self {
            dir: TempDir::new().expect("a temporary folder"),
            pools: Mutex::default(),
            options,
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("data").join("tidings.db")
    }

    /// A pool on the same file, to reach under the store.
    async fn pool(&self) -> SqlitePool {
        let pool = open_sqlite(&self.path()).await.expect("the database opens");
        self.pools.lock().expect("not poisoned").push(pool.clone());
        pool
    }
}

impl Harness for SqliteHarness {
    type Store = SqliteEventStore;

    async fn open(&self) -> SqliteEventStore {
        let pool = self.pool().await;
        SqliteEventStore::with_options(pool, self.options)
            .await
            .expect("the store opens")
    }

    async fn close(&self, store: SqliteEventStore) {
        drop(store);
        let pools = std::mem::take(&mut *self.pools.lock().expect("not poisoned"));
        for pool in pools {
            pool.close().await;
        }
    }
}

#[tokio::test]
async fn the_database_syncs_every_commit_of_its_write_ahead_log() {
    let harness = SqliteHarness::new();
    let pool = harness.pool().await;
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&pool)
        .await
        .unwrap();
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((journal.as_str(), synchronous, foreign_keys), ("wal", 2, 1));
}

#[tokio::test]
async fn a_row_with_a_malformed_actor_is_reported_as_corrupt() {
    let row = BehindTheStore {
        actor: "x".repeat(36),
        ..BehindTheStore::valid()
    };
    assert_corrupt("actor", row).await;
}

#[tokio::test]
async fn a_row_with_a_malformed_time_is_reported_as_corrupt() {
    let row = BehindTheStore {
        recorded_at: "yesterday",
        ..BehindTheStore::valid()
    };
    assert_corrupt("recorded_at", row).await;
}

#[tokio::test]
async fn a_row_whose_payload_is_not_json_is_reported_as_corrupt_by_the_read_ahead() {
    let harness = SqliteHarness::new();
    let store = harness.open().await;
    store
        .append(one_event("todo-y"))
        .await
        .expect("the append commits");
    let mut conn = harness.pool().await.acquire().await.unwrap();
    sqlx::query("PRAGMA ignore_check_constraints = ON")
        .execute(&mut *conn)
        .await
        .unwrap();
    let row = BehindTheStore {
        payload: "{\"n\": 1".to_owned(),
        ..BehindTheStore::valid()
    };
    insert_behind_the_store(&mut conn, &row).await;
    let pages = read_all_ahead(&store, 1).await;
    assert!(
        pages[0].is_ok(),
        "the page before the corrupt row: {pages:?}"
    );
    assert!(
        matches!(pages[1..], [Err(StoreError::Corrupt(ref what))] if what.contains("payload")),
        "{pages:?}"
    );
}

/// Each way the store reads the log finds the row corrupt: a stream, the log after a
/// position, and the whole log read ahead (after the good event before it).
async fn assert_corrupt(what: &str, row: BehindTheStore) {
    let harness = SqliteHarness::new();
    let store = harness.open().await;
    let mut conn = harness.pool().await.acquire().await.unwrap();
    insert_behind_the_store(&mut conn, &row).await;
    let todo = StreamId::parse("todo-x").unwrap();
    let read = store.read_stream(&todo, Version::NONE, 10).await;
    assert!(
        matches!(read, Err(StoreError::Corrupt(_))),
        "{what}: {read:?}"
    );
    let read = store.read_all_after(Position::ZERO, 10).await;
    assert!(
        matches!(read, Err(StoreError::Corrupt(_))),
        "{what}: {read:?}"
    );
    let pages = read_all_ahead(&store, 10).await;
    assert!(
        matches!(pages[..], [Err(StoreError::Corrupt(_))]),
        "{what}: {pages:?}"
    );
}

/// Every item the store's read ahead answers, until its pages end.
async fn read_all_ahead(
    store: &SqliteEventStore,
    page: u32,
) -> Vec<Result<Vec<server::store::RecordedEvent>, StoreError>> {
    let mut pages = Arc::new(store.clone()).read_all_ahead(page);
    let mut items = Vec::new();
    while let Some(item) = pages.recv().await {
        items.push(item);
    }
    items
}

/// An event of `todo-x`, the first of its stream, written behind the store's back, with
/// these columns as given.
struct BehindTheStore {
    payload: String,
    actor: String,
    recorded_at: &'static str,
}

impl BehindTheStore {
    fn valid() -> Self {
        Self {
            payload: "{}".to_owned(),
            actor: UserId::new().to_string(),
            recorded_at: "2025-01-31T09:15:02.123Z",
        }
    }
}

async fn insert_behind_the_store(conn: &mut SqliteConnection, row: &BehindTheStore) {
    let command_id = CommandId::new().to_string();
    sqlx::query("INSERT INTO commands VALUES (?1, 'todo-x', 1, 1, 1, 1)")
        .bind(&command_id)
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO events (stream_id, version, event_type, schema_version, payload, actor, \
         command_id, recorded_at) VALUES ('todo-x', 1, 'Noted', 1, ?1, ?2, ?3, ?4)",
    )
    .bind(&row.payload)
    .bind(&row.actor)
    .bind(&command_id)
    .bind(row.recorded_at)
    .execute(conn)
    .await
    .unwrap();
}

/// A trigger stands in for any failure of one append that the writer cannot foresee: the
/// group it landed in is retried append by append, and only that append fails.
#[tokio::test(flavor = "multi_thread")]
async fn an_append_the_database_refuses_fails_alone() {
    let harness = SqliteHarness::new();
    let store = harness.open().await;
    sqlx::query(
        "CREATE TRIGGER refuse_poison BEFORE INSERT ON events \
         WHEN NEW.stream_id = 'todo-poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END",
    )
    .execute(&harness.pool().await)
    .await
    .unwrap();
    let names = ["todo-a", "todo-poison", "todo-b", "todo-c"];
    let tasks: Vec<_> = names
        .iter()
        .map(|name| {
            let store = store.clone();
            let append = one_event(name);
            tokio::spawn(async move { store.append(append).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    assert!(matches!(
        results[1],
        Err(AppendError::Store(StoreError::Database(_)))
    ));
    assert!(
        [&results[0], &results[2], &results[3]]
            .iter()
            .all(|r| r.is_ok())
    );
    let next = store.append(one_event("todo-d")).await.unwrap();
    assert_eq!(next.committed.first_position, Position::new(4), "no gap");
}

fn one_event(stream: &str) -> Append {
    Append {
        stream: StreamId::parse(stream).unwrap(),
        expected_version: Version::NONE,
        command_id: CommandId::new(),
        actor: UserId::new(),
        events: vec![NewEvent {
            event_type: "Noted".into(),
            schema_version: 1,
            payload: serde_json::json!({}),
        }],
    }
}

/// A task of the store's checkpoints off the append path (the writer only finishes a
/// checkpoint once the log has grown long: see the next test). Checkpointed pages leave the write-ahead log for the database file,
/// so the file grows soon after appends, while the store is still open.
#[tokio::test]
async fn the_write_ahead_log_is_checkpointed_into_the_database_file_off_the_append_path() {
    let harness = SqliteHarness::new();
    let store = harness.open().await;
    let size = || std::fs::metadata(harness.path()).expect("the file").len();
    let before = size();
    let stream = StreamId::parse("checkpointed").unwrap();
    for version in 0..300 {
        let append = Append {
            stream: stream.clone(),
            expected_version: Version::new(version),
            command_id: CommandId::new(),
            actor: UserId::new(),
            events: vec![NewEvent {
                event_type: "Grown".into(),
                schema_version: 1,
                payload: serde_json::json!({ "padding": "x".repeat(500) }),
            }],
        };
        store.append(append).await.unwrap();
    }
    let mut waited = 0;
    while size() <= before && waited < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    assert!(size() > before, "the database file is still {before} bytes");
}

/// Under a steady stream of appends, the checkpointer beside the writer never copies the
/// last frames before the next group adds more, so SQLite would never write the log from its
/// start again: it grew by 700 MB in a 4-second bench. Once the log is long enough (here one
/// frame), the writer copies the rest itself, and the log starts over. Each start-over
/// raises the checkpoint sequence number in the log's header (bytes 12 to 15).
#[tokio::test(flavor = "multi_thread")]
async fn under_a_steady_stream_of_appends_the_write_ahead_log_starts_over() {
    let harness = SqliteHarness::with(StoreOptions {
        restart_log_from: 1,
        ..StoreOptions::default()
    });
    let store = harness.open().await;
    let wal = harness.path().with_extension("db-wal");
    let restarts = || {
        let mut header = [0; 16];
        let mut file = std::fs::File::open(&wal).expect("the write-ahead log");
        file.read_exact(&mut header).expect("a 32-byte header");
        u32::from_be_bytes(header[12..16].try_into().expect("4 bytes"))
    };
    let appending = Arc::new(AtomicBool::new(true));
    let writers: Vec<_> = (0..8)
        .map(|writer| {
            let (store, appending) = (store.clone(), Arc::clone(&appending));
            tokio::spawn(async move {
                let stream = StreamId::parse(&format!("steady-{writer}")).unwrap();
                let mut version = 0;
                while appending.load(Ordering::Relaxed) {
                    store.append(noted(&stream, version)).await.unwrap();
                    version += 1;
                }
            })
        })
        .collect();
    let length = || std::fs::metadata(&wal).expect("the write-ahead log").len();
    let mut waited = 0;
    while restarts() < 3 && length() < LONG_LOG && waited < 200 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    let (seen, grown) = (restarts(), length());
    appending.store(false, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    assert!(
        seen >= 3,
        "the log started over {seen} times, and grew to {grown} bytes"
    );
}

/// Where the test above stops waiting: without the writer's checkpoint, the log reaches it
/// within a second; with it, it stays far below.
const LONG_LOG: u64 = 64 << 20;

fn noted(stream: &StreamId, version: u64) -> Append {
    Append {
        stream: stream.clone(),
        expected_version: Version::new(version),
        command_id: CommandId::new(),
        actor: UserId::new(),
        events: vec![NewEvent {
            event_type: "Noted".into(),
            schema_version: 1,
            payload: serde_json::json!({ "padding": "x".repeat(200) }),
        }],
    }
}
