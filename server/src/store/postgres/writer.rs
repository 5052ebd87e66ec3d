//! The writer: the one task per store (so per process) that appends to the log, on a
//! thread of its own. It takes every request waiting in its queue as one group, takes the
//! head lock, adds what queued while it waited for the lock, commits the group in one
//! transaction, publishes the new head, and answers the group: with
//! `synchronous_commit = on`, the commit has returned once the group is on disk.
//!
//! A connection that breaks fails the group in flight, as a whole and retry-safe; the next
//! group opens a new one. The writer stops only when every store handle is gone.
//!
//! Why a thread of its own: a group takes five round trips to the database, and on the
//! server's runtime the writer woke from each behind every handler that was runnable. Just
//! after a group was answered, that was all of its callers, queueing their next appends:
//! at 256 writers, milliseconds of each group's cycle went to waiting for a turn, with the
//! head lock held. On its own thread, with a runtime of its own (its connection belongs to
//! that runtime's reactor), the writer answers the database as soon as the OS lets it.

use super::commit::{commit_group, commit_one_by_one, roll_back};
use super::hold::BeforeCommit;
use super::link::Link;
use super::lookup::begin_and_lock_head;
use crate::store::group::{EncodedAppend, Fate, answer, new_head};
use crate::store::{AppendError, AppendOutcome, StoreError};
use app::domain::Position;
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch};

/// The longest the writer waits for the callers of its last group to come back (tokio's
/// timers tick by the millisecond).
const GATHER: std::time::Duration = std::time::Duration::from_millis(1);

/// One append waiting for the writer, and where its answer goes.
pub(super) struct Request {
    pub append: EncodedAppend,
    pub reply: oneshot::Sender<Result<AppendOutcome, AppendError>>,
}

pub(super) struct Writer {
    pub link: Link,
    pub requests: mpsc::Receiver<Request>,
    /// The head after this writer's last commit.
    pub head: Arc<watch::Sender<Position>>,
    pub max_batch: usize,
    pub before_commit: Option<BeforeCommit>,
}

impl Writer {
    /// Opens the connection and starts the writer on a thread of its own; fails if the
    /// connection cannot be opened.
    pub async fn start(self) -> Result<(), StoreError> {
        let (started, connected) = oneshot::channel();
        std::thread::Builder::new()
            .name("tidings-log-writer".into())
            .spawn(move || self.run_on_this_thread(started))
            .map_err(StoreError::WriterThread)?;
        connected.await.unwrap_or(Err(StoreError::WriterStopped))
    }

    /// Says whether the connection opened (to a caller that may have stopped waiting), and
    /// if it did, runs.
    fn run_on_this_thread(mut self, started: oneshot::Sender<Result<(), StoreError>>) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        let runtime = match runtime {
            Ok(runtime) => runtime,
            Err(error) => {
                let _ = started.send(Err(StoreError::WriterThread(error)));
                return;
            }
        };
        runtime.block_on(async move {
            match self.link.connection().await {
                Ok(_) => {
                    let _ = started.send(Ok(()));
                    self.run().await;
                }
                Err(error) => {
                    let _ = started.send(Err(StoreError::Database(error)));
                }
            }
        });
    }

    /// Runs until every store handle is dropped and the queue is empty, then closes the
    /// connection.
    async fn run(mut self) {
        let mut group = Vec::with_capacity(self.max_batch);
        let mut last = 0;
        // `recv_many` waits for one request, then takes whatever else is already queued.
        loop {
            if self.requests.recv_many(&mut group, self.max_batch).await == 0 {
                break;
            }
            self.gather(&mut group, last).await;
            let results = self.commit(&mut group).await;
            last = group.len();
            if let Some(head) = new_head(&results) {
                self.head.send_if_modified(|current| {
                    let advanced = head > *current;
                    *current = (*current).max(head);
                    advanced
                });
            }
            for (request, result) in group.drain(..).zip(results) {
                // A caller that stopped waiting has nothing to tell: its append stands, and
                // a retry with the same command id will be answered with this outcome.
                let _ = request.reply.send(answer(&request.append, result));
            }
        }
        self.link.close().await;
    }

    /// Waits a moment for the callers of the last group to come back. On its own thread,
    /// the writer is ready for the next group before the callers it has just answered,
    /// woken all at once, have queued their next appends: without waiting, a steady load
    /// would alternate between a group of the quickest few and one of the rest, each
    /// paying for a commit. Waits for at most [`GATHER`], and not at all for a lone append.
    async fn gather(&mut self, group: &mut Vec<Request>, last: usize) {
        let wanted = last.min(self.max_batch);
        if group.len() >= wanted {
            return;
        }
        let deadline = tokio::time::Instant::now() + GATHER;
        while group.len() < wanted {
            match tokio::time::timeout_at(deadline, self.requests.recv()).await {
                Ok(Some(request)) => group.push(request),
                Ok(None) | Err(_) => return,
            }
        }
    }

    /// Every append's fate, or the error that kept it from being decided. Once the head
    /// lock is held, the group takes in what has queued meanwhile (while another process's
    /// group held the lock, say): that costs this commit nothing, and spares the next one.
    /// A group that fails as a whole leaves the connection in doubt, so it is dropped.
    async fn commit(&mut self, group: &mut Vec<Request>) -> Vec<Result<Fate, StoreError>> {
        let recorded_at = Utc::now();
        let before_commit = self.before_commit.as_ref();
        let conn = match self.link.connection().await {
            Ok(conn) => conn,
            Err(error) => {
                tracing::warn!(%error, "the event store's writer cannot reach the database");
                let error = Arc::new(error);
                return all_failed(group.len(), || StoreError::Unreachable(Arc::clone(&error)));
            }
        };
        let locked = begin_and_lock_head(conn).await;
        if locked.is_ok() {
            while group.len() < self.max_batch {
                match self.requests.try_recv() {
                    Ok(request) => group.push(request),
                    Err(_) => break,
                }
            }
        }
        let appends: Vec<&EncodedAppend> = group.iter().map(|r| &r.append).collect();
        let error = match locked {
            Ok(head) => {
                match commit_group(conn, &appends, head, recorded_at, before_commit).await {
                    Ok(fates) => return fates.into_iter().map(Ok).collect(),
                    Err(error) => error,
                }
            }
            Err(error) => {
                roll_back(conn).await;
                error
            }
        };
        tracing::warn!(%error, appends = appends.len(), "group commit failed; retrying one by one");
        match commit_one_by_one(conn, &appends, recorded_at, before_commit).await {
            Ok(results) => results,
            Err(error) => {
                tracing::warn!(%error, "the group failed as a whole; the writer reconnects");
                self.link.discard();
                let error = Arc::new(error);
                all_failed(appends.len(), || {
                    StoreError::CommitFailed(Arc::clone(&error))
                })
            }
        }
    }
}

/// The one error of a group that failed as a whole, for each of its appends.
fn all_failed(appends: usize, error: impl Fn() -> StoreError) -> Vec<Result<Fate, StoreError>> {
    (0..appends).map(|_| Err(error())).collect()
}
