//! The store's errors: a conflict a caller can act on, and failures it cannot.

use super::StreamId;
use app::domain::Version;

/// The database failed, or handed back something that is not a valid event.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A call on SQLite's raw handle (the read of the whole log for a rebuild) failed.
    #[error("database error: {0}")]
    RawSqlite(#[from] crate::db::sqlite::raw::RawSqliteError),
    #[error("corrupt row in the log: {0}")]
    Corrupt(String),
    #[error("the store's writer has stopped")]
    WriterStopped,
    /// The writer's thread, or its runtime, could not be started.
    #[error("the store's writer could not start: {0}")]
    WriterThread(#[source] std::io::Error),
    /// The transaction that carried this append failed as a whole, so every append of its
    /// group shares this one error. Retrying with the same command id is safe.
    #[error("the commit failed: {0}")]
    CommitFailed(#[source] std::sync::Arc<StoreError>),
    /// The writer could not open a connection to the database: nothing of this append was
    /// written. The writer tries again with its next group; retrying with the same command
    /// id is safe.
    #[error("the database cannot be reached: {0}")]
    Unreachable(#[source] std::sync::Arc<sqlx::Error>),
    /// The write-ahead log could not be synced: what was committed may not be on disk. The
    /// store takes no more appends; a restart reads what the disk kept.
    #[error("the log could not be made durable: {0}")]
    NotDurable(std::sync::Arc<std::io::Error>),
}

#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// Another command appended to the stream first: optimistic concurrency lost the race.
    #[error("{stream} is at version {actual}, not the expected {expected}")]
    Conflict {
        stream: StreamId,
        expected: Version,
        actual: Version,
    },
    #[error("an append must carry at least one event")]
    NoEvents,
    #[error(transparent)]
    Store(#[from] StoreError),
}
