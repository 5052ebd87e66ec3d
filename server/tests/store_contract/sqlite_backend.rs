//! The SQLite backend under the contract: a fresh database file per test, plus the checks
//! that only make sense for SQLite (its pragmas, rows corrupted behind the store's back).

use super::contract::Harness;
use server::db::open_sqlite;
use server::store::sqlite::SqliteEventStore;
use server::store::{EventStore, StoreError, StreamId};
use app::domain::{CommandId, Position, Version};
use sqlx::SqlitePool;
use std::path::PathBuf;
use std::sync::Mutex;
use tempfile::TempDir;

/// A database in a folder that does not exist yet, so that every test also checks that
/// opening creates it.
pub struct SqliteHarness {
    dir: TempDir,
    pools: Mutex<Vec<SqlitePool>>,
}

impl SqliteHarness {
    pub fn new() -> Self {
        Self {
            dir: TempDir::new().expect("a temporary folder"),
            pools: Mutex::default(),
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
        SqliteEventStore::open(pool).await.expect("the store opens")
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
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&pool).await.unwrap();
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&pool).await.unwrap();
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&pool).await.unwrap();
    assert_eq!((journal.as_str(), synchronous, foreign_keys), ("wal", 2, 1));
}

#[tokio::test]
async fn a_row_with_a_malformed_actor_is_reported_as_corrupt() {
    assert_corrupt("actor", &"x".repeat(36), "2025-01-31T09:15:02.123Z").await;
}

#[tokio::test]
async fn a_row_with_a_malformed_time_is_reported_as_corrupt() {
    let actor = app::domain::UserId::new().to_string();
    assert_corrupt("recorded_at", &actor, "yesterday").await;
}

async fn assert_corrupt(what: &str, actor: &str, recorded_at: &str) {
    let harness = SqliteHarness::new();
    let store = harness.open().await;
    insert_behind_the_store(&harness.pool().await, actor, recorded_at).await;
    let todo = StreamId::parse("todo-x").unwrap();
    let read = store.read_stream(&todo, Version::NONE, 10).await;
    assert!(matches!(read, Err(StoreError::Corrupt(_))), "{what}: {read:?}");
    let read = store.read_all_after(Position::ZERO, 10).await;
    assert!(matches!(read, Err(StoreError::Corrupt(_))), "{what}: {read:?}");
}

async fn insert_behind_the_store(pool: &SqlitePool, actor: &str, recorded_at: &str) {
    let command_id = CommandId::new().to_string();
    sqlx::query("INSERT INTO commands VALUES (?1, 'todo-x', 1, 1, 1, 1)")
        .bind(&command_id)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO events (stream_id, version, event_type, schema_version, payload, actor, \
         command_id, recorded_at) VALUES ('todo-x', 1, 'Noted', 1, '{}', ?1, ?2, ?3)",
    )
    .bind(actor)
    .bind(&command_id)
    .bind(recorded_at)
    .execute(pool)
    .await
    .unwrap();
}
