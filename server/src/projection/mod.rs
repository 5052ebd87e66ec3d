//! Projections: the read models that pages show, kept from the log.
//!
//! The core holds what every backend shares: the pure view update ([`update`]), the
//! projector and the rebuild, and the two traits each backend implements with its own SQL —
//! [`ReadModels`], what pages and authorisation checks read, and [`ProjectionStore`], where
//! the projector writes.
//!
//! - [`records`]: what the read models answer.
//! - [`update`]: what a batch of events changes, decided without I/O.
//! - [`schema`]: the names of one generation of the read models (live, or being rebuilt).
//! - [`projector`]: the task that keeps a generation caught up.
//! - [`rebuild`]: a new generation from the whole log, swapped in while the site runs.
//! - [`sqlite`], [`postgres`]: the backends.

mod projector;
mod rebuild;
mod records;
mod schema;
mod update;

pub mod postgres;
pub mod sqlite;

pub use projector::Projector;
pub use rebuild::rebuild;
pub use records::{
    InvitationRecord, InvitationState, MemberRecord, Membership, TeamOf, TeamRecord,
};
pub use schema::Tables;
pub use update::{TeamChange, TimelineRow, TodoRow, Update, fold, todos_touched};

use crate::store::{EventStore, RecordedEvent, StoreError};
use app::domain::{Position, TeamId, TodoId, UserId, team::TokenHash};
use async_trait::async_trait;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("the read models' database failed")]
    Database(#[from] sqlx::Error),
    /// A call on SQLite's raw handle (the rebuild's bulk load) failed.
    #[error("the read models' database failed")]
    RawSqlite(#[from] crate::db::sqlite::raw::RawSqliteError),
    #[error("the log could not be read")]
    Store(#[from] StoreError),
    #[error("cannot project: {0}")]
    Corrupt(String),
}

/// What pages and authorisation checks read. Each answer that carries a position read its
/// rows and the checkpoint from one snapshot, so a page knows exactly which position of the
/// log it shows.
#[async_trait]
pub trait ReadModels: Send + Sync + 'static {
    /// The team, and whether `user` belongs to it; `None` when there is no such team (or
    /// todo).
    async fn membership(
        &self,
        of: TeamOf,
        user: UserId,
    ) -> Result<Option<Membership>, ProjectionError>;

    /// The teams `user` belongs to, by name.
    async fn teams_of(&self, user: UserId) -> Result<Vec<TeamRecord>, ProjectionError>;

    /// A team's members (in the order they joined) and invite links (newest first).
    async fn members_and_invitations(
        &self,
        team: TeamId,
    ) -> Result<(Vec<MemberRecord>, Vec<InvitationRecord>, Position), ProjectionError>;

    /// The invite link whose token has this hash, with its team's name.
    async fn invitation_by_hash(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<(InvitationRecord, String)>, ProjectionError>;

    /// A team's todos, oldest first.
    async fn team_todos(&self, team: TeamId) -> Result<(Vec<TodoRow>, Position), ProjectionError>;

    /// A todo with its timeline as `viewer` may read it (a line for the author alone is left
    /// out for anyone else); `None` if there is no such todo.
    async fn todo_with_timeline(
        &self,
        todo: TodoId,
        viewer: UserId,
    ) -> Result<Option<(TodoRow, Vec<TimelineRow>, Position)>, ProjectionError>;

    /// The positions of `team`'s events after `after`, at most `limit` of them, and the
    /// position the read models reflect: none after it is listed yet.
    async fn team_log(
        &self,
        team: TeamId,
        after: Position,
        limit: u32,
    ) -> Result<(Vec<Position>, Position), ProjectionError>;
}

/// Where the projector writes: one generation of the read models ([`Tables`]) and its
/// checkpoint, always in one transaction.
#[async_trait]
pub trait ProjectionStore: Send + Sync + 'static {
    /// Creates the live read models if they are missing. Read models of an older shape
    /// ([`Tables::SHAPE`]) are dropped first, so that the projector fills them again from
    /// the start of the log. Run at start-up, after migrations.
    async fn prepare(&self) -> Result<(), ProjectionError>;

    /// The position `tables` reflect.
    async fn checkpoint(&self, tables: Tables) -> Result<Position, ProjectionError>;

    /// In one transaction, if the checkpoint of `tables` is still `seen`: folds `events`
    /// (those after `seen`, in order) into the tables and moves the checkpoint to the last
    /// of them. The checkpoint is locked until the commit, so projectors take turns.
    /// Answers `false`, having written nothing, when the checkpoint had moved.
    async fn apply(
        &self,
        tables: Tables,
        seen: Position,
        events: &[RecordedEvent],
    ) -> Result<bool, ProjectionError>;

    /// Empty tables for a rebuild ([`Tables::NEXT`]), with their checkpoint at zero, and
    /// the session that bulk-loads them.
    async fn start_next(&self) -> Result<Box<dyn BulkLoad>, ProjectionError>;

    /// Catches the rebuilt tables up with `log` while no projector can write the live ones,
    /// and swaps them in; answers the position they reflect.
    async fn swap_next(&self, log: &dyn EventStore) -> Result<Position, ProjectionError>;
}

/// The rebuilt generation ([`Tables::NEXT`]) being filled from the whole log, before the
/// swap. Nothing reads these tables until then, and a rebuild that fails leaves them for the
/// next one to drop, so their writes take a faster path than the live projector's: many
/// more events per transaction, no sync at each commit (the swap's durable commit covers
/// them), and the secondary indexes built once at the end. The caller folds ([`fold`]);
/// the session only reads and writes rows.
#[async_trait]
pub trait BulkLoad: Send {
    /// The rows of `todos` that exist in the rebuilt tables.
    async fn todos(
        &mut self,
        todos: &[TodoId],
    ) -> Result<HashMap<TodoId, TodoRow>, ProjectionError>;

    /// Writes `update` and moves the rebuilt tables' checkpoint, in one transaction.
    async fn write(&mut self, update: Update) -> Result<(), ProjectionError>;

    /// Builds what the bulk load left out (the secondary indexes); the tables are then ready
    /// for [`ProjectionStore::swap_next`].
    async fn finish(self: Box<Self>) -> Result<(), ProjectionError>;
}
