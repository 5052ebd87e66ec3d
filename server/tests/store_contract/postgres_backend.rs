//! The PostgreSQL backend under the contract: a fresh database per test, copied from the
//! migrated template (`test-postgres`), plus the checks that only make sense for PostgreSQL
//! (rows corrupted behind the store's back, a payload only the database refuses).

use super::contract::Harness;
use app::domain::{CommandId, Position, UserId, Version};
use server::store::postgres::{PgEventStore, StoreOptions};
use server::store::{Append, AppendError, EventStore, NewEvent, StoreError, StreamId};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::sync::Mutex;
use test_postgres::TestDatabase;

pub struct PostgresHarness {
    database: TestDatabase,
    pools: Mutex<Vec<PgPool>>,
    options: StoreOptions,
}

impl PostgresHarness {
    /// The store as the server runs it.
    pub async fn new() -> Self {
        Self::with(StoreOptions::default()).await
    }

    pub async fn with(options: StoreOptions) -> Self {
        Self {
            database: TestDatabase::create().await,
            pools: Mutex::default(),
            options,
        }
    }

    /// A pool of the database, with enough connections for the contract's concurrent
    /// readers.
    async fn pool(&self) -> PgPool {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect_with(self.database.connect_options())
            .await
            .expect("the test database accepts connections");
        self.pools.lock().expect("not poisoned").push(pool.clone());
        pool
    }
}

impl Harness for PostgresHarness {
    type Store = PgEventStore;

    async fn open(&self) -> PgEventStore {
        let pool = self.pool().await;
        PgEventStore::with_options(pool, self.options.clone())
            .await
            .expect("the store opens")
    }

    async fn close(&self, store: PgEventStore) {
        drop(store);
        let pools = std::mem::take(&mut *self.pools.lock().expect("not poisoned"));
        for pool in pools {
            pool.close().await;
        }
    }
}

/// Ids are UUIDv7 in the domain; a column of type `uuid` holds any UUID.
#[tokio::test]
async fn a_row_with_an_actor_that_is_not_a_v7_id_is_reported_as_corrupt() {
    let harness = PostgresHarness::new().await;
    let store = harness.open().await;
    let pool = harness.pool().await;
    let command_id = CommandId::new().as_uuid();
    sqlx::query("INSERT INTO commands VALUES ($1, 'todo-x', 1, 1, 1, 1)")
        .bind(command_id)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO events (position, stream_id, version, event_type, schema_version, payload, \
         actor, command_id, recorded_at) \
         VALUES (1, 'todo-x', 1, 'Noted', 1, '{}', gen_random_uuid(), $1, now())",
    )
    .bind(command_id)
    .execute(&pool)
    .await
    .unwrap();
    let todo = StreamId::parse("todo-x").unwrap();
    let read = store.read_stream(&todo, Version::NONE, 10).await;
    assert!(matches!(read, Err(StoreError::Corrupt(_))), "{read:?}");
    let read = store.read_all_after(Position::ZERO, 10).await;
    assert!(matches!(read, Err(StoreError::Corrupt(_))), "{read:?}");
}

/// Positions are gap-free by construction; a gap (here, an event deleted behind the
/// store's back) is reported to a reader, never stepped over.
#[tokio::test]
async fn a_gap_in_the_log_is_reported_to_a_reader_rather_than_skipped() {
    let harness = PostgresHarness::new().await;
    let store = harness.open().await;
    for name in ["todo-a", "todo-b", "todo-c"] {
        store.append(one_event(name)).await.unwrap();
    }
    sqlx::query("DELETE FROM events WHERE position = 2")
        .execute(&harness.pool().await)
        .await
        .unwrap();
    let read = store.read_all_after(Position::ZERO, 10).await;
    assert!(matches!(read, Err(StoreError::Corrupt(_))), "{read:?}");
    let after_the_gap = store.read_all_after(Position::new(2), 10).await.unwrap();
    assert_eq!(after_the_gap.len(), 1);
}

/// PostgreSQL's `jsonb` cannot hold U+0000, which JSON may escape, so such a payload is
/// one failure the plan cannot foresee: the group it landed in is retried append by
/// append, and only that append fails.
#[tokio::test(flavor = "multi_thread")]
async fn an_append_the_database_refuses_fails_alone() {
    let harness = PostgresHarness::new().await;
    let store = harness.open().await;
    let mut poisoned = one_event("todo-poison");
    poisoned.events[0].payload = serde_json::json!({ "title": "\u{0}" });
    let appends = [
        one_event("todo-a"),
        poisoned,
        one_event("todo-b"),
        one_event("todo-c"),
    ];
    let tasks: Vec<_> = appends
        .into_iter()
        .map(|append| {
            let store = store.clone();
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
