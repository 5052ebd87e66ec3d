//! The two designs under the harness: the store as it is (the head lock), and a plain
//! sequence (the hazard), both delaying some commits between insert and commit alike.

use super::harness::{Design, Log, Rng, Seen};
use app::domain::{CommandId, Position, Version};
use async_trait::async_trait;
use server::store::postgres::{BeforeCommit, PgEventStore, StoreOptions};
use server::store::{Append, AppendError, AppendOutcome, Committed, EventStore, StoreError};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use test_postgres::TestDatabase;
use uuid::Uuid;

/// Events per read.
const PAGE: u32 = 1000;

/// Which commits wait between their insert and their commit, and how long: a random 1 in 40,
/// up to 8 ms.
#[derive(Clone)]
pub struct Delays {
    rng: Arc<Mutex<Rng>>,
}

impl Default for Delays {
    fn default() -> Self {
        Self {
            rng: Arc::new(Mutex::new(Rng(0x6465_6c61_7973))),
        }
    }
}

impl Delays {
    fn next(&self) -> Option<Duration> {
        let mut rng = self.rng.lock().expect("not poisoned");
        (rng.below(40) == 0).then(|| Duration::from_micros(500 + rng.below(7_500)))
    }

    async fn wait(&self) {
        if let Some(delay) = self.next() {
            tokio::time::sleep(delay).await;
        }
    }
}

async fn pool(database: &TestDatabase, connections: u32) -> PgPool {
    PgPoolOptions::new()
        .max_connections(connections)
        .connect_with(database.connect_options())
        .await
        .expect("the test database accepts connections")
}

// ---- the store: one head lock held until commit -----------------------------------------

pub struct HeadLock {
    database: Arc<TestDatabase>,
    delays: Delays,
}

impl HeadLock {
    pub fn new(database: Arc<TestDatabase>, delays: Delays) -> Self {
        Self { database, delays }
    }
}

#[async_trait]
impl Design for HeadLock {
    async fn open(&self) -> Arc<dyn Log> {
        let pool = pool(&self.database, 4).await;
        let delays = self.delays.clone();
        let options = StoreOptions {
            before_commit: Some(BeforeCommit::new(move || {
                let delays = delays.clone();
                async move { delays.wait().await }
            })),
            ..StoreOptions::default()
        };
        let store = PgEventStore::with_options(pool.clone(), options)
            .await
            .expect("the store opens");
        Arc::new(HeadLockLog { store, pool })
    }
}

struct HeadLockLog {
    store: PgEventStore,
    pool: PgPool,
}

#[async_trait]
impl Log for HeadLockLog {
    async fn append(&self, append: Append) -> Result<AppendOutcome, AppendError> {
        self.store.append(append).await
    }

    async fn read_after(&self, after: u64) -> Result<Vec<Seen>, String> {
        let events = self
            .store
            .read_all_after(Position::new(after), PAGE)
            .await
            .map_err(|error| error.to_string())?;
        Ok(events
            .iter()
            .map(|event| Seen {
                position: event.position.get(),
                command: event.command_id,
            })
            .collect())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

// ---- the control: a plain sequence, no lock ---------------------------------------------

/// Positions from a `bigserial`, taken at insert and visible at commit, one transaction per
/// append: what Marten, Eventuous and SQLStreamStore were caught out by.
pub struct PlainSequence {
    database: Arc<TestDatabase>,
    delays: Delays,
}

const PLAIN_TABLES: &str = "\
    CREATE TABLE plain_events ( \
        position   BIGSERIAL PRIMARY KEY, \
        stream_id  TEXT   NOT NULL, \
        version    BIGINT NOT NULL, \
        payload    JSONB  NOT NULL, \
        command_id UUID   NOT NULL, \
        UNIQUE (stream_id, version)); \
    CREATE TABLE plain_commands ( \
        command_id     UUID   PRIMARY KEY, \
        first_position BIGINT NOT NULL, \
        last_position  BIGINT NOT NULL, \
        first_version  BIGINT NOT NULL, \
        last_version   BIGINT NOT NULL)";

impl PlainSequence {
    pub async fn new(database: Arc<TestDatabase>, delays: Delays) -> Self {
        sqlx::raw_sql(PLAIN_TABLES)
            .execute(&database.pool().await)
            .await
            .expect("the control's tables are made");
        Self { database, delays }
    }
}

#[async_trait]
impl Design for PlainSequence {
    async fn open(&self) -> Arc<dyn Log> {
        let pool = pool(&self.database, 12).await;
        Arc::new(PlainSequenceLog {
            pool,
            delays: self.delays.clone(),
        })
    }
}

struct PlainSequenceLog {
    pool: PgPool,
    delays: Delays,
}

/// A unique violation: here, another append took the same stream version first.
const UNIQUE_VIOLATION: &str = "23505";

#[async_trait]
impl Log for PlainSequenceLog {
    async fn append(&self, append: Append) -> Result<AppendOutcome, AppendError> {
        let expected = append.expected_version;
        match self.try_append(&append).await {
            Err(sqlx::Error::Database(error))
                if error.code().as_deref() == Some(UNIQUE_VIOLATION) =>
            {
                Err(AppendError::Conflict {
                    stream: append.stream,
                    expected,
                    actual: Version::new(expected.get() + 1),
                })
            }
            Err(error) => Err(AppendError::Store(StoreError::Database(error))),
            Ok(Err(actual)) => Err(AppendError::Conflict {
                stream: append.stream,
                expected,
                actual,
            }),
            Ok(Ok(outcome)) => Ok(outcome),
        }
    }

    async fn read_after(&self, after: u64) -> Result<Vec<Seen>, String> {
        let rows: Vec<(i64, Uuid)> = sqlx::query_as(
            "SELECT position, command_id FROM plain_events WHERE position > $1 \
             ORDER BY position LIMIT $2",
        )
        .bind(after as i64)
        .bind(i64::from(PAGE))
        .fetch_all(&self.pool)
        .await
        .map_err(|error| error.to_string())?;
        rows.into_iter()
            .map(|(position, command)| {
                Ok(Seen {
                    position: position as u64,
                    command: CommandId::try_from(command).map_err(|e| e.to_string())?,
                })
            })
            .collect()
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

impl PlainSequenceLog {
    /// The inner `Err` is a conflict, with the stream's actual version.
    async fn try_append(
        &self,
        append: &Append,
    ) -> Result<Result<AppendOutcome, Version>, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let command = append.command_id.as_uuid();
        let first: Option<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT first_position, last_position, first_version, last_version \
             FROM plain_commands WHERE command_id = $1",
        )
        .bind(command)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(first) = first {
            return Ok(Ok(AppendOutcome {
                committed: committed(first),
                duplicate: true,
            }));
        }
        let actual: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM plain_events WHERE stream_id = $1",
        )
        .bind(append.stream.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if actual as u64 != append.expected_version.get() {
            return Ok(Err(Version::new(actual as u64)));
        }
        let first_version = append.expected_version.get() as i64 + 1;
        let versions: Vec<i64> = (first_version..).take(append.events.len()).collect();
        let payloads: Vec<String> = append
            .events
            .iter()
            .map(|e| e.payload.to_string())
            .collect();
        let positions: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO plain_events (stream_id, version, payload, command_id) \
             SELECT $1, v, p::jsonb, $2 FROM UNNEST($3::int8[], $4::text[]) AS u (v, p) \
             RETURNING position",
        )
        .bind(append.stream.as_str())
        .bind(command)
        .bind(&versions)
        .bind(&payloads)
        .fetch_all(&mut *tx)
        .await?;
        let row = (
            positions.iter().copied().min().unwrap_or_default(),
            positions.iter().copied().max().unwrap_or_default(),
            first_version,
            first_version + versions.len() as i64 - 1,
        );
        sqlx::query("INSERT INTO plain_commands VALUES ($1, $2, $3, $4, $5)")
            .bind(command)
            .bind(row.0)
            .bind(row.1)
            .bind(row.2)
            .bind(row.3)
            .execute(&mut *tx)
            .await?;
        self.delays.wait().await;
        tx.commit().await?;
        Ok(Ok(AppendOutcome {
            committed: committed(row),
            duplicate: false,
        }))
    }
}

fn committed(
    (first_position, last_position, first_version, last_version): (i64, i64, i64, i64),
) -> Committed {
    let number = |value: i64| value as u64;
    Committed {
        first_position: Position::new(number(first_position)),
        last_position: Position::new(number(last_position)),
        first_version: Version::new(number(first_version)),
        last_version: Version::new(number(last_version)),
    }
}
