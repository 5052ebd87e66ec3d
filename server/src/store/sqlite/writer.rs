//! The writer: the one task that appends to the log. It takes every request waiting in its
//! queue as one group, commits the group in one transaction, and answers the group once it
//! is on disk: one fsync for all of its appends, inside the commit or by the [`Syncer`].

use super::checkpoint::{self, Restart};
use super::commit::{commit_group, commit_one_by_one};
use super::durable::{Answer, Committed, Durability, Reply, Syncer, WriterStops, answer_synced};
use crate::store::StoreError;
use crate::store::group::{EncodedAppend, Fate, answer, new_head};
use chrono::{SecondsFormat, Utc};
use sqlx::{Connection, SqliteConnection};
use std::sync::Arc;
use tokio::sync::mpsc;

/// The smallest group committed, by default, while the previous one is still being synced.
/// A smaller one waits for that fsync (and takes what arrives meanwhile): on a virtual disk,
/// the WAL writes of a commit stall while an fsync of the same file is in flight, which at
/// 16 concurrent writers tripled the ack p99 (BENCHMARKS.md). Under heavier load the groups
/// are larger, and committing one during the fsync is what adds capacity.
///
/// Since a smaller group has nothing to overlap with, its commit fsyncs by itself
/// (`synchronous = FULL`, on the connection's own thread) rather than handing the fsync to
/// the syncer: the hand-over cost 0.7x the throughput at 16 writers. With `usize::MAX`, every
/// group is synced in its own commit: the writer waits for each fsync.
pub(super) const PIPELINE_FROM: usize = 64;

/// One append waiting for the writer, and where its answer goes.
pub(super) struct Request {
    pub append: EncodedAppend,
    pub reply: Reply,
}

pub(super) struct Writer {
    pub conn: SqliteConnection,
    pub requests: mpsc::Receiver<Request>,
    pub durability: Arc<Durability>,
    pub syncer: Syncer,
    pub max_batch: usize,
    /// Whether the connection fsyncs inside each commit (`synchronous = FULL`) right now.
    pub syncs_in_commit: bool,
    /// See [`PIPELINE_FROM`].
    pub pipeline_from: usize,
    /// Set by the checkpointer when the log has grown long: see [`checkpoint`].
    pub restart: Restart,
}

impl Writer {
    /// Runs until every store handle is dropped and the queue is empty, then waits for the
    /// last sync and closes the connection.
    pub async fn run(mut self) {
        let mut group = Vec::with_capacity(self.max_batch);
        // `recv_many` waits for one request, then takes whatever else is already queued.
        loop {
            let taken = self.requests.recv_many(&mut group, self.max_batch).await;
            if taken == 0 {
                break;
            }
            let small = taken < self.pipeline_from;
            if small {
                self.durability.settled().await;
                while group.len() < self.max_batch
                    && let Ok(request) = self.requests.try_recv()
                {
                    group.push(request);
                }
            }
            self.sync_in_commit(small).await;
            // Only a group after which nothing waits for the syncer is durable by its own
            // commit; a large one that could not leave `FULL` is synced again, harmlessly.
            let synced = small && self.syncs_in_commit;
            if self.commit_and_answer(&mut group, synced).await.is_err() {
                break;
            }
            // After a crowded group, the callers just answered are runnable now. Letting
            // them run first lets those with another append queue it in time for the next
            // group, instead of the next group being the one or two that were quickest. A
            // lone append has no crowd to wait for, and is answered sooner without it.
            if taken > 1 {
                tokio::task::yield_now().await;
            }
            if self.restart.asked() {
                self.checkpoint().await;
            }
        }
        let Self { conn, syncer, .. } = self;
        syncer.finish().await;
        if let Err(error) = conn.close().await {
            tracing::warn!(%error, "closing the event store's writer connection failed");
        }
    }

    /// Copies into the database file what the checkpointer could not, since the writer kept
    /// appending meanwhile. Appending nothing while it runs, the writer lets it copy every
    /// frame that no reader still needs, so that its next transaction writes the log from
    /// its start again. A failure is logged: the log then grows until the next try.
    async fn checkpoint(&mut self) {
        if let Err(error) = checkpoint::passive(&mut self.conn).await {
            tracing::warn!(%error, "the writer's checkpoint failed");
        }
    }

    /// Switches the connection's `synchronous` setting when the next group wants the other
    /// one. A failed switch leaves the setting as it was (and is logged): a commit then syncs
    /// by itself, or leaves the fsync to the syncer, as before it.
    async fn sync_in_commit(&mut self, wanted: bool) {
        if wanted == self.syncs_in_commit {
            return;
        }
        let pragma = if wanted {
            "PRAGMA synchronous = FULL"
        } else {
            "PRAGMA synchronous = NORMAL"
        };
        match sqlx::query(pragma).execute(&mut self.conn).await {
            Ok(_) => self.syncs_in_commit = wanted,
            Err(error) => tracing::warn!(%error, pragma, "switching the writer's sync mode failed"),
        }
    }

    /// `synced`: the commit fsyncs the group itself, and nothing before it waits for the
    /// syncer. Fails when nothing more can be made durable: the writer then stops.
    async fn commit_and_answer(
        &mut self,
        group: &mut Vec<Request>,
        synced: bool,
    ) -> Result<(), WriterStops> {
        if self.syncer.stopped() {
            for request in group.drain(..) {
                let _ = request.reply.send(Err(StoreError::WriterStopped.into()));
            }
            return Err(WriterStops);
        }
        let appends: Vec<&EncodedAppend> = group.iter().map(|r| &r.append).collect();
        let commit = self.durability.commit_starting();
        let results = self.commit(&appends).await;
        let head = new_head(&results);
        let answers = group
            .drain(..)
            .zip(results)
            .map(|(request, result)| Answer {
                result: answer(&request.append, result),
                reply: request.reply,
            })
            .collect();
        let committed = Committed {
            commit,
            head,
            answers,
        };
        if synced {
            answer_synced(&self.durability, committed);
            Ok(())
        } else {
            self.syncer.hand_over(committed).await
        }
    }

    async fn commit(&mut self, appends: &[&EncodedAppend]) -> Vec<Result<Fate, StoreError>> {
        let recorded_at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let error = match commit_group(&mut self.conn, appends, &recorded_at).await {
            Ok(fates) => return fates.into_iter().map(Ok).collect(),
            Err(error) => error,
        };
        tracing::warn!(%error, appends = appends.len(), "group commit failed; retrying one by one");
        match commit_one_by_one(&mut self.conn, appends, &recorded_at).await {
            Ok(results) => results,
            Err(error) => {
                let error = Arc::new(error);
                let failed = || Err(StoreError::CommitFailed(Arc::clone(&error)));
                appends.iter().map(|_| failed()).collect()
            }
        }
    }
}
