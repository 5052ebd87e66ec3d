//! A rebuild's bulk load into SQLite ([`BulkLoad`]): the rebuilt tables filled on a
//! connection of their own whose commits are not synced, each page of rows written on the
//! raw handle in one blocking call ([`raw`]), off the runtime's threads.
//!
//! `synchronous = NORMAL` rather than `OFF`: in WAL mode both leave a commit unsynced, but
//! under `OFF` a checkpoint run by this connection would also copy other connections' commits
//! (acknowledged appends among them) into the database file without syncing it, and the WAL
//! could then be reused over them. Under `NORMAL` checkpoints stay synced. The rows become
//! durable with the swap, whose commit (on a pool connection, `synchronous = FULL`) syncs the
//! WAL and with it every frame before its own.
//!
//! Each write takes SQLite's one write lock (`BEGIN IMMEDIATE`), so appends wait while it
//! runs: the caller keeps a transaction to one page of the log.

use super::{schema, writes};
use crate::db::sqlite::connect_dedicated;
use crate::db::sqlite::raw;
use crate::projection::{BulkLoad, ProjectionError, Tables, TodoRow, Update};
use app::domain::TodoId;
use async_trait::async_trait;
use sqlx::{Connection, Executor, SqliteConnection, SqlitePool};
use std::collections::HashMap;

pub(super) struct SqliteBulkLoad {
    /// `None` only while a write has it on a blocking thread.
    conn: Option<SqliteConnection>,
}

impl SqliteBulkLoad {
    /// Opens the load's connection and empties the rebuilt tables on it: what an earlier
    /// rebuild left is dropped and the tables are made anew, in commits that are not synced
    /// either. On a pool connection each of those commits waited for a sync of the log (the
    /// start took 20 to 80 ms in timed runs, against about 10 ms here).
    pub(super) async fn start(pool: &SqlitePool) -> Result<Self, ProjectionError> {
        let mut conn = connect_dedicated(pool).await?;
        conn.execute("PRAGMA synchronous = NORMAL").await?;
        schema::drop(&mut conn, Tables::NEXT).await?;
        schema::create(&mut conn, Tables::NEXT).await?;
        Ok(Self { conn: Some(conn) })
    }
}

/// A write cancelled on its blocking thread never gives the connection back; the whole load
/// is cancelled with it.
const CANCELLED: &str = "a write was cancelled before it gave the connection back";

#[async_trait]
impl BulkLoad for SqliteBulkLoad {
    async fn todos(
        &mut self,
        todos: &[TodoId],
    ) -> Result<HashMap<TodoId, TodoRow>, ProjectionError> {
        let conn = self.conn.as_mut().expect(CANCELLED);
        writes::load_todos(conn, Tables::NEXT, todos).await
    }

    /// The connection goes to a blocking thread with the page, and comes back with it.
    async fn write(&mut self, update: Update) -> Result<(), ProjectionError> {
        let mut conn = self.conn.take().expect(CANCELLED);
        let (conn, written) = tokio::task::spawn_blocking(move || {
            let written = write_page(&mut conn, &update);
            (conn, written)
        })
        .await
        .unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()));
        self.conn = Some(conn);
        written
    }

    /// Builds the secondary indexes, before the swap and outside it.
    async fn finish(mut self: Box<Self>) -> Result<(), ProjectionError> {
        let mut conn = self.conn.take().expect(CANCELLED);
        schema::create_indexes(&mut conn, Tables::NEXT).await?;
        conn.close().await?;
        Ok(())
    }
}

/// Writes `update` in one transaction, holding sqlx's lock on the handle meanwhile. Runs on
/// a blocking thread.
fn write_page(conn: &mut SqliteConnection, update: &Update) -> Result<(), ProjectionError> {
    let mut locked = tokio::runtime::Handle::current().block_on(conn.lock_handle())?;
    let db = raw::Db::new(&mut locked);
    db.in_transaction(|db| Ok(writes::write_on(db, Tables::NEXT, update)?))
}
