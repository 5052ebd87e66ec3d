//! Checkpointing the write-ahead log off the append path, and keeping it from growing
//! without bound.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses its threshold, so one
//! group in many waited for pages to be copied into the database file: the ack p99 doubled
//! (BENCHMARKS.md). The writer's connection turns it off, and this task checkpoints on a
//! pool connection instead, a moment after the log moves. `PASSIVE` never blocks the writer.
//!
//! But SQLite writes the log from its start again only when a write transaction begins with
//! every frame already copied, and under a steady stream of appends a checkpoint running
//! beside the writer never catches up with it: the log grew by 700 MB in a 4-second bench,
//! and would have grown until the disk was full. So once the log holds [`RESTART_FROM`]
//! frames (by default), this task asks the writer to copy the last few itself, between two
//! groups ([`Restart`]); the writer's next transaction then starts the log over.

use app::domain::Position;
use sqlx::SqlitePool;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::watch;

/// How long the checkpointer lets appends accumulate before it copies them.
const PAUSE: Duration = Duration::from_millis(200);

/// The log's length, in frames (pages), from which the writer is asked to let it start over:
/// 65,536 frames of 4 KB, 256 MB. The writer's checkpoint delays every append waiting for it
/// by a few milliseconds: from 16,384 frames, four times as often, it raised the update
/// bench's ack p99 by 3 to 4 ms; from 65,536, by nothing measurable (BENCHMARKS.md).
pub(super) const RESTART_FROM: u32 = 65536;

/// The checkpointer's request that the writer finish a checkpoint, so that the log starts over.
#[derive(Clone, Default)]
pub(super) struct Restart(Arc<AtomicBool>);

impl Restart {
    fn ask(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether a restart was asked for since the last call.
    pub fn asked(&self) -> bool {
        self.0.swap(false, Ordering::Relaxed)
    }
}

/// Runs until the store's head channel closes, that is until the store is gone.
/// `restart_from`: see [`RESTART_FROM`].
pub(super) async fn run(
    pool: SqlitePool,
    mut head: watch::Receiver<Position>,
    restart: Restart,
    restart_from: u32,
) {
    while head.changed().await.is_ok() {
        tokio::time::sleep(PAUSE).await;
        match passive(&pool).await {
            Ok(frames) if frames >= i64::from(restart_from) => restart.ask(),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "checkpointing the write-ahead log failed"),
        }
    }
}

/// Copies what it can of the log into the database file; returns the log's length in frames.
pub(super) async fn passive<'c>(conn: impl sqlx::SqliteExecutor<'c>) -> Result<i64, sqlx::Error> {
    let (_busy, frames, _copied): (i64, i64, i64) =
        sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(conn)
            .await?;
    Ok(frames)
}
