//! The SQLite backend of the event store.
//!
//! - `encode`: an append turned into the text the log stores, in the caller's task.
//! - `writer`: the one task that writes, in groups.
//! - `commit`: one group's transaction, and the fallback for a failing group.
//! - `lookup`: what the database holds for a group, in one query.
//! - `rows`: writing accepted appends with multi-row INSERTs.
//! - `plan`: what becomes of each append of a group, decided without I/O.
//! - `reader`: reads through the pool, and rows decoded into typed values.
//! - `tests`: one group's transaction, with a group made up on purpose.

mod checkpoint;
mod commit;
mod encode;
mod lookup;
mod plan;
mod reader;
mod rows;
mod writer;

use super::{Append, AppendError, AppendOutcome, Committed, EventStore};
use super::{RecordedEvent, StoreError, StreamId};
use crate::db;
use app::domain::{CommandId, Position, Version};
use async_trait::async_trait;
use encode::EncodedAppend;
use sqlx::SqlitePool;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch};
use writer::{Request, Writer};

/// How the writer groups appends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// The most appends committed in one transaction. 1 commits each append on its own:
    /// the baseline that group commit is measured against.
    pub max_batch: usize,
    /// How many appends may wait for the writer before callers wait to enqueue: the
    /// back-pressure that keeps a burst from growing memory without bound.
    pub queue_depth: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_batch: 1024,
            queue_depth: 4096,
        }
    }
}

/// The log in one SQLite database. A cheap handle: clones share one `Shared`.
///
/// Why a background writer: SQLite takes one writer at a time, and each commit waits for an
/// fsync. Handlers therefore do not write themselves; they queue their append for one task
/// that owns the only write connection and commits everything queued in one transaction,
/// so one fsync acknowledges a whole group. Reads go through the pool and, under WAL, never
/// wait for the writer.
#[derive(Clone)]
pub struct SqliteEventStore {
    shared: Arc<Shared>,
}

/// Why an `Arc<Shared>`: the writer's queue has exactly one sender, here, so the writer
/// finishes its queue and stops when the last handle is dropped, with no shutdown signal.
struct Shared {
    pool: SqlitePool,
    requests: mpsc::Sender<Request>,
    head: Arc<watch::Sender<Position>>,
}

impl SqliteEventStore {
    /// Opens the store on a migrated pool (see [`db::open_sqlite`]), with default options.
    pub async fn open(pool: SqlitePool) -> Result<Self, StoreError> {
        Self::with_options(pool, StoreOptions::default()).await
    }

    /// Opens the store and starts its writer, on a connection of its own.
    pub async fn with_options(pool: SqlitePool, options: StoreOptions) -> Result<Self, StoreError> {
        let mut conn = db::connect_dedicated(&pool).await?;
        sqlx::query("PRAGMA wal_autocheckpoint = 0")
            .execute(&mut conn)
            .await?;
        let head = Arc::new(watch::Sender::new(reader::head(&mut conn).await?));
        tokio::spawn(checkpoint::run(pool.clone(), head.subscribe()));
        let (requests, queue) = mpsc::channel(options.queue_depth.max(1));
        let writer = Writer {
            conn,
            requests: queue,
            head: Arc::clone(&head),
            max_batch: options.max_batch.max(1),
        };
        tokio::spawn(writer.run());
        let shared = Shared {
            pool,
            requests,
            head,
        };
        Ok(Self {
            shared: Arc::new(shared),
        })
    }
}

#[async_trait]
impl EventStore for SqliteEventStore {
    /// If the caller stops waiting after the append was queued, the append may still
    /// commit; retrying with the same command id then returns its outcome.
    async fn append(&self, append: Append) -> Result<AppendOutcome, AppendError> {
        if append.events.is_empty() {
            return Err(AppendError::NoEvents);
        }
        let (reply, answer) = oneshot::channel();
        let request = Request {
            append: EncodedAppend::new(append),
            reply,
        };
        let stopped = AppendError::Store(StoreError::WriterStopped);
        if self.shared.requests.send(request).await.is_err() {
            return Err(stopped);
        }
        answer.await.unwrap_or(Err(stopped))
    }

    async fn read_stream(
        &self,
        stream: &StreamId,
        after_version: Version,
        limit: u32,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        reader::read_stream(&self.shared.pool, stream, after_version, limit).await
    }

    async fn read_all_after(
        &self,
        after: Position,
        limit: u32,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        reader::read_all_after(&self.shared.pool, after, limit).await
    }

    async fn find_command(&self, command_id: CommandId) -> Result<Option<Committed>, StoreError> {
        reader::find_command(&self.shared.pool, command_id).await
    }

    async fn head(&self) -> Result<Position, StoreError> {
        reader::head(&mut *self.shared.pool.acquire().await?).await
    }

    fn watch_head(&self) -> watch::Receiver<Position> {
        self.shared.head.subscribe()
    }
}

/// SQLite integers are signed. No position or version comes near 2^63; a larger bound (a
/// client's "after") saturates, which selects the same rows: none.
fn sql_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
