//! The event store: the durable, append-only log that is Tidings' source of truth.
//!
//! [`EventStore`] is the one interface every caller uses; [`sqlite::SqliteEventStore`] is the
//! embedded backend and [`postgres::PgEventStore`] the shared one. Both commit in groups,
//! decided by the same pure planner (`group`). A rebuild reads the whole log ahead, page by
//! page, through `read_all_after` (`read_ahead`) unless a backend reads it its own way. The
//! contract suite in `server/tests/store_contract.rs` holds every backend to the same
//! behaviour.

mod error;
mod group;
pub mod postgres;
mod read_ahead;
pub mod sqlite;
mod types;

pub use error::{AppendError, StoreError};
pub use types::{
    Append, AppendOutcome, Committed, NewEvent, RecordedEvent, StreamId, StreamIdError,
};

use app::domain::{CommandId, Position};
use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// Pages of the log, in order, as [`EventStore::read_all_ahead`] reads them ahead.
pub type LogPages = mpsc::Receiver<Result<Vec<RecordedEvent>, StoreError>>;

/// The log. Appends are acknowledged only after a durable commit; reads see only committed
/// events, in position order. What `read_all_after`, `find_command` and `head` hand out is
/// on disk. `read_stream` may also see events whose commit is not yet: it serves deciding
/// the next command, whose append the log places after them and acknowledges only once
/// they are durable too.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Appends `append.events` to `append.stream` if its version is still
    /// `append.expected_version`. A command id seen before returns the first outcome and
    /// writes nothing.
    async fn append(&self, append: Append) -> Result<AppendOutcome, AppendError>;

    /// The stream's events with a version above `after_version`, at most `limit` of them.
    async fn read_stream(
        &self,
        stream: &StreamId,
        after_version: app::domain::Version,
        limit: u32,
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Every event with a position above `after`, in position order, at most `limit` of them.
    async fn read_all_after(
        &self,
        after: Position,
        limit: u32,
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Every event, in position order, in pages of at most `page` events, each read ahead
    /// (by a task or thread of the store's own) while the caller handles the one before: how
    /// a rebuild reads the whole log. Each page is what [`read_all_after`](Self::read_all_after)
    /// answers after the page before it; the pages end at the first empty read, or with an
    /// error, which is the last item. The reading stops when the receiver is dropped.
    fn read_all_ahead(self: Arc<Self>, page: u32) -> LogPages {
        read_ahead::through_read_all_after(self, page)
    }

    /// The events at `positions` (those that exist), in position order: how a reader that
    /// knows where its events are (a replay, from an index of a team's positions) reads
    /// only those.
    async fn read_positions(
        &self,
        positions: &[Position],
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// What a command wrote, if it was committed.
    async fn find_command(&self, command_id: CommandId) -> Result<Option<Committed>, StoreError>;

    /// The position of the last committed event that is on disk.
    async fn head(&self) -> Result<Position, StoreError>;

    /// Wakes a tailing reader after each commit: the value is the head after that commit,
    /// once it is on disk.
    fn watch_head(&self) -> watch::Receiver<Position>;
}
