//! Checkpointing the write-ahead log off the append path.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses its threshold, so one
//! group in many waited for pages to be copied into the database file: the ack p99 doubled
//! (BENCHMARKS.md). The writer's connection turns it off, and this task checkpoints on a
//! pool connection instead, a moment after the log moves. `PASSIVE` never blocks the writer.

use app::domain::Position;
use sqlx::SqlitePool;
use std::time::Duration;
use tokio::sync::watch;

/// How long the checkpointer lets appends accumulate before it copies them.
const PAUSE: Duration = Duration::from_millis(200);

/// Runs until the store's head channel closes, that is until the store is gone.
pub(super) async fn run(pool: SqlitePool, mut head: watch::Receiver<Position>) {
    while head.changed().await.is_ok() {
        tokio::time::sleep(PAUSE).await;
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::warn!(%error, "checkpointing the write-ahead log failed");
        }
    }
}
