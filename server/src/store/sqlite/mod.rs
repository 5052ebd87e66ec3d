//! The SQLite backend of the event store.
//!
//! - `writer`: the one task that writes, in groups.
//! - `durable`: answering a group once it is on disk, and keeping readers inside what is.
//! - `commit`: one group's transaction, and the fallback for a failing group.
//! - `lookup`: what the database holds for a group, in one query.
//! - `rows`: writing accepted appends as bound rows, in one round trip, each event linked to
//!   the one before it in its stream.
//! - what becomes of each append, and its encoding in the caller's task, are shared with the
//!   PostgreSQL backend: [`group`](super::group).
//! - `reader`: reads through the pool (a stream by walking its chain), and rows decoded
//!   into typed values.
//! - `whole_log`: the whole log read ahead for a rebuild, on a connection's raw handle.
//! - `tests`: one group's transaction, with a group made up on purpose.
//! - `chain_tests`: each stream's chain of events, its guard and its migration.

mod checkpoint;
mod commit;
mod durable;
mod lookup;
mod reader;
mod rows;
mod whole_log;
mod writer;

use super::group::EncodedAppend;
use super::{Append, AppendError, AppendOutcome, Committed, EventStore, LogPages};
use super::{RecordedEvent, StoreError, StreamId};
use crate::db;
use app::domain::{CommandId, Position, Version};
use async_trait::async_trait;
use durable::{Durability, Syncer};
use sqlx::SqlitePool;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch};
use writer::{Request, Writer};

pub use reader::READ_STREAM;

/// How the writer groups appends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// The most appends committed in one transaction. 1 commits each append on its own:
    /// the baseline that group commit is measured against.
    pub max_batch: usize,
    /// How many appends may wait for the writer before callers wait to enqueue: the
    /// back-pressure that keeps a burst from growing memory without bound.
    pub queue_depth: usize,
    /// The smallest group committed while the fsync of the previous one is in flight; a
    /// smaller one waits for it, then syncs in its own commit ([`writer::PIPELINE_FROM`], 64,
    /// by default). `usize::MAX` syncs every group in its own commit: the writer then waits
    /// for each fsync.
    pub pipeline_from: usize,
    /// The write-ahead log's length, in frames, from which the writer copies what the
    /// checkpointer could not, so that the log starts over ([`checkpoint::RESTART_FROM`],
    /// 65,536, by default).
    pub restart_log_from: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_batch: 1024,
            queue_depth: 4096,
            pipeline_from: writer::PIPELINE_FROM,
            restart_log_from: checkpoint::RESTART_FROM,
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
    durability: Arc<Durability>,
}

impl SqliteEventStore {
    /// Opens the store on a migrated pool (see [`db::sqlite::open_sqlite`]), with default options.
    pub async fn open(pool: SqlitePool) -> Result<Self, StoreError> {
        Self::with_options(pool, StoreOptions::default()).await
    }

    /// Opens the store and starts its writer, on a connection of its own.
    pub async fn with_options(pool: SqlitePool, options: StoreOptions) -> Result<Self, StoreError> {
        let wal = db::sqlite::wal_path(&pool);
        Self::start(pool, options, wal).await
    }

    /// `wal` is the file the syncer makes durable: the pool's own, but for a test that
    /// makes the sync fail.
    async fn start(
        pool: SqlitePool,
        options: StoreOptions,
        wal: std::path::PathBuf,
    ) -> Result<Self, StoreError> {
        let mut conn = db::sqlite::connect_dedicated(&pool).await?;
        sqlx::query("PRAGMA wal_autocheckpoint = 0")
            .execute(&mut conn)
            .await?;
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&mut conn)
            .await?;
        // A group's inserts are multi-row statements that a constraint may stop halfway, so
        // SQLite keeps each changed page's first image in a statement journal. With temporary
        // files on disk, that journal spills to a file after 64 KB, and writing it was a fifth
        // of the writer's time in the update bench (BENCHMARKS.md). In memory, a group's
        // costs about 4 KB per page it changes, freed at its commit.
        sqlx::query("PRAGMA temp_store = MEMORY")
            .execute(&mut conn)
            .await?;
        let durability = Arc::new(Durability::new(reader::head(&mut conn).await?));
        let restart = checkpoint::Restart::default();
        let checkpointer = checkpoint::run(
            pool.clone(),
            durability.head.subscribe(),
            restart.clone(),
            options.restart_log_from,
        );
        tokio::spawn(checkpointer);
        let syncer = Syncer::start(Arc::clone(&durability), wal);
        let (requests, queue) = mpsc::channel(options.queue_depth.max(1));
        let writer = Writer {
            conn,
            requests: queue,
            durability: Arc::clone(&durability),
            syncer,
            max_batch: options.max_batch.max(1),
            syncs_in_commit: false,
            pipeline_from: options.pipeline_from,
            restart,
        };
        tokio::spawn(writer.run());
        let shared = Shared {
            pool,
            requests,
            durability,
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
        let mut events = reader::read_all_after(&self.shared.pool, after, limit).await?;
        self.shared.durability.retain_visible(&mut events);
        Ok(events)
    }

    /// Only what is on disk: a position past the durable head is left out.
    async fn read_positions(
        &self,
        positions: &[Position],
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut events = reader::read_positions(&self.shared.pool, positions).await?;
        self.shared.durability.retain_visible(&mut events);
        Ok(events)
    }

    /// On a connection of its own, by a blocking thread that steps one prepared statement
    /// through the pages ([`whole_log`]).
    fn read_all_ahead(self: Arc<Self>, page: u32) -> LogPages {
        whole_log::read_ahead(
            self.shared.pool.clone(),
            Arc::clone(&self.shared.durability),
            page,
        )
    }

    /// A command found but not yet on disk is answered once it is.
    async fn find_command(&self, command_id: CommandId) -> Result<Option<Committed>, StoreError> {
        let found = reader::find_command(&self.shared.pool, command_id).await?;
        if let Some(committed) = found
            && self.shared.durability.visible_limit().is_some()
        {
            self.shared
                .durability
                .reached(committed.last_position)
                .await?;
        }
        Ok(found)
    }

    async fn head(&self) -> Result<Position, StoreError> {
        let head = reader::head(&mut *self.shared.pool.acquire().await?).await?;
        Ok(match self.shared.durability.visible_limit() {
            Some(limit) => head.min(limit),
            None => head,
        })
    }

    fn watch_head(&self) -> watch::Receiver<Position> {
        self.shared.durability.head.subscribe()
    }
}

/// SQLite integers are signed. No position or version comes near 2^63; a larger bound (a
/// client's "after") saturates, which selects the same rows: none.
fn sql_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod chain_tests;
#[cfg(test)]
mod tests;
