//! The writer: the one task per process that appends to the log. It takes every request
//! waiting in its queue as one group, commits the group in one transaction under the head
//! lock, publishes the new head, and answers the group: with `synchronous_commit = on`, the
//! commit has returned once the group is on disk.
//!
//! A connection that breaks fails the group in flight, as a whole and retry-safe; the next
//! group opens a new one. The writer stops only when every store handle is gone.

use super::commit::{commit_group, commit_one_by_one};
use super::hold::BeforeCommit;
use super::link::Link;
use crate::store::group::{EncodedAppend, Fate, answer, new_head};
use crate::store::{AppendError, AppendOutcome, StoreError};
use app::domain::Position;
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch};

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
    /// Runs until every store handle is dropped and the queue is empty, then closes the
    /// connection.
    pub async fn run(mut self) {
        let mut group = Vec::with_capacity(self.max_batch);
        // `recv_many` waits for one request, then takes whatever else is already queued.
        loop {
            let taken = self.requests.recv_many(&mut group, self.max_batch).await;
            if taken == 0 {
                break;
            }
            let appends: Vec<&EncodedAppend> = group.iter().map(|r| &r.append).collect();
            let results = self.commit(&appends).await;
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
            // After a crowded group, the callers just answered are runnable now. Letting
            // them run first lets those with another append queue it in time for the next
            // group, instead of the next group being the one or two that were quickest.
            if taken > 1 {
                tokio::task::yield_now().await;
            }
        }
        self.link.close().await;
    }

    /// Every append's fate, or the error that kept it from being decided. A group that
    /// fails as a whole leaves the connection in doubt, so it is dropped.
    async fn commit(&mut self, appends: &[&EncodedAppend]) -> Vec<Result<Fate, StoreError>> {
        let recorded_at = Utc::now();
        let before_commit = self.before_commit.as_ref();
        let conn = match self.link.connection().await {
            Ok(conn) => conn,
            Err(error) => {
                tracing::warn!(%error, "the event store's writer cannot reach the database");
                let error = Arc::new(error);
                return all_failed(appends, || StoreError::Unreachable(Arc::clone(&error)));
            }
        };
        let error = match commit_group(conn, appends, recorded_at, before_commit).await {
            Ok(fates) => return fates.into_iter().map(Ok).collect(),
            Err(error) => error,
        };
        tracing::warn!(%error, appends = appends.len(), "group commit failed; retrying one by one");
        match commit_one_by_one(conn, appends, recorded_at, before_commit).await {
            Ok(results) => results,
            Err(error) => {
                tracing::warn!(%error, "the group failed as a whole; the writer reconnects");
                self.link.discard();
                let error = Arc::new(error);
                all_failed(appends, || StoreError::CommitFailed(Arc::clone(&error)))
            }
        }
    }
}

/// The one error of a group that failed as a whole, for each of its appends.
fn all_failed(
    appends: &[&EncodedAppend],
    error: impl Fn() -> StoreError,
) -> Vec<Result<Fate, StoreError>> {
    appends.iter().map(|_| Err(error())).collect()
}
