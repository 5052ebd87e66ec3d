//! The PostgreSQL backend of the event store.
//!
//! Every group, from every process, takes the one `log_head` row `FOR UPDATE` before it
//! numbers its events, and keeps it until it commits. PostgreSQL makes a commit visible
//! before it releases the commit's locks, so the next group sees every earlier one: commit
//! order is position order, the positions visible in any snapshot are exactly 1..head, and a
//! reader that reads `position > cursor` never skips an event that commits late
//! (`migrations/postgres/0001_log.sql`; the reasoning in `shared/notes/postgres.md`).
//!
//! - `writer`: the one task per process that writes, in groups, on a thread of its own, and
//!   answers them.
//! - `link`: the writer's own connection, opened again when it breaks.
//! - `commit`: one group's transaction, and the fallback for a failing group.
//! - `lookup`: taking the head lock, and what the database holds for a group.
//! - `rows`: writing a group's accepted appends as arrays, in one statement.
//! - `reader`: reads through the pool, and rows decoded into typed values.
//! - `hold`: a test hook that holds a group between its insert and its commit.
//! - `tail`: other processes' commits, seen through `LISTEN` and a poll.
//!
//! What becomes of each append, and its encoding in the caller's task, are shared with the
//! SQLite backend: [`group`](super::group).

mod commit;
mod hold;
mod link;
mod lookup;
mod reader;
mod rows;
mod tail;
mod writer;

pub use hold::BeforeCommit;
pub use link::{IDLE_CHECK, WRITER_NAME};
pub use rows::CHANNEL;
pub use tail::{POLL, TailStatus};

use super::group::EncodedAppend;
use super::{Append, AppendError, AppendOutcome, Committed, EventStore};
use super::{RecordedEvent, StoreError, StreamId};
use app::domain::{CommandId, Position, Version};
use async_trait::async_trait;
use link::Link;
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use tokio::{
    sync::{mpsc, oneshot, watch},
    task::JoinHandle,
};
use writer::{Request, Writer};

/// How the writer groups appends.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// The most appends committed in one transaction. 1 commits each append on its own:
    /// the baseline that group commit is measured against.
    pub max_batch: usize,
    /// How many appends may wait for the writer before callers wait to enqueue: the
    /// back-pressure that keeps a burst from growing memory without bound.
    pub queue_depth: usize,
    /// For tests only: awaited by the writer after it has written each group and before it
    /// commits it. `None` in the server.
    pub before_commit: Option<BeforeCommit>,
    /// Whether other processes' commits are listened for (`LISTEN`), or only polled for.
    pub listen: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_batch: 1024,
            queue_depth: 4096,
            before_commit: None,
            listen: true,
        }
    }
}

/// The log in one PostgreSQL database, shared with any other process that opens it. A cheap
/// handle: clones share one `Shared`.
///
/// Why a background writer: every group holds the head lock from its first read to its
/// commit, and each commit waits for the WAL to reach the disk. Handlers therefore do not
/// write themselves; they queue their append for one task that commits everything queued
/// in one transaction, so one lock and one flush serve a whole group. Reads go through the
/// pool and never wait for the lock.
#[derive(Clone)]
pub struct PgEventStore {
    shared: Arc<Shared>,
}

/// Why an `Arc<Shared>`: the writer's queue has exactly one sender, here, so the writer
/// finishes its queue and stops when the last handle is dropped, with no shutdown signal;
/// the tail stops when `_stop_tail` is dropped with it.
struct Shared {
    pool: PgPool,
    requests: mpsc::Sender<Request>,
    head: Arc<watch::Sender<Position>>,
    tail: Arc<TailStatus>,
    /// The tail's task, until someone takes it to watch it (`take_tail_task`).
    tail_task: Mutex<Option<JoinHandle<()>>>,
    _stop_tail: oneshot::Sender<()>,
}

impl PgEventStore {
    /// Opens the store on a connected, migrated pool, with default options.
    pub async fn open(pool: PgPool) -> Result<Self, StoreError> {
        Self::with_options(pool, StoreOptions::default()).await
    }

    /// Opens the store and starts its writer, on a connection of its own that it opens now:
    /// a database that cannot be reached fails here rather than at the first append.
    pub async fn with_options(pool: PgPool, options: StoreOptions) -> Result<Self, StoreError> {
        let head = Arc::new(watch::Sender::new(reader::head(&pool).await?));
        let (requests, queue) = mpsc::channel(options.queue_depth.max(1));
        let writer = Writer {
            link: Link::new(&pool),
            requests: queue,
            head: Arc::clone(&head),
            max_batch: options.max_batch.max(1),
            before_commit: options.before_commit,
        };
        writer.start().await?;
        let tail = Arc::new(TailStatus::default());
        let (stop_tail, stop) = oneshot::channel();
        let tail_task = tail::spawn(
            pool.clone(),
            options.listen,
            head.clone(),
            tail.clone(),
            stop,
        );
        let shared = Shared {
            pool,
            requests,
            head,
            tail,
            tail_task: Mutex::new(Some(tail_task)),
            _stop_tail: stop_tail,
        };
        Ok(Self {
            shared: Arc::new(shared),
        })
    }

    /// How the tail of other processes' commits is doing.
    pub fn tail(&self) -> Arc<TailStatus> {
        self.shared.tail.clone()
    }

    /// The tail's task (it and its listener), for the server's supervisor: it ends only when
    /// this store is dropped, or by a panic. `None` once taken.
    pub fn take_tail_task(&self) -> Option<JoinHandle<()>> {
        self.shared
            .tail_task
            .lock()
            .expect("nothing panics while holding the tail task's lock")
            .take()
    }
}

#[async_trait]
impl EventStore for PgEventStore {
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

    async fn read_positions(
        &self,
        positions: &[Position],
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        reader::read_positions(&self.shared.pool, positions).await
    }

    async fn find_command(&self, command_id: CommandId) -> Result<Option<Committed>, StoreError> {
        reader::find_command(&self.shared.pool, command_id).await
    }

    /// The last position committed by any process: with `synchronous_commit = on`, what is
    /// visible is on disk.
    async fn head(&self) -> Result<Position, StoreError> {
        reader::head(&self.shared.pool).await
    }

    /// Moves after each commit of this process's writer, and when the tail sees another
    /// process's commits: on their notification, or within [`POLL`] without one.
    fn watch_head(&self) -> watch::Receiver<Position> {
        self.shared.head.subscribe()
    }
}

/// PostgreSQL integers are signed. No position or version comes near 2^63; a larger bound (a
/// client's "after") saturates, which selects the same rows: none.
fn sql_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
