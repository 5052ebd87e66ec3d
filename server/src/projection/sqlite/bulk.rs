//! A rebuild's bulk load into SQLite ([`BulkLoad`]): the rebuilt tables filled on a
//! connection of their own whose commits are not synced.
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

use super::writes;
use crate::db::sqlite::connect_dedicated;
use crate::projection::{BulkLoad, ProjectionError, Tables, TodoRow, Update};
use app::domain::TodoId;
use async_trait::async_trait;
use sqlx::{Connection, Executor, SqliteConnection, SqlitePool};
use std::collections::HashMap;

pub(super) struct SqliteBulkLoad {
    conn: SqliteConnection,
}

impl SqliteBulkLoad {
    pub(super) async fn open(pool: &SqlitePool) -> Result<Self, ProjectionError> {
        let mut conn = connect_dedicated(pool).await?;
        conn.execute("PRAGMA synchronous = NORMAL").await?;
        Ok(Self { conn })
    }
}

#[async_trait]
impl BulkLoad for SqliteBulkLoad {
    async fn todos(
        &mut self,
        todos: &[TodoId],
    ) -> Result<HashMap<TodoId, TodoRow>, ProjectionError> {
        writes::load_todos(&mut self.conn, Tables::NEXT, todos).await
    }

    async fn write(&mut self, update: Update) -> Result<(), ProjectionError> {
        let mut tx = self.conn.begin_with("BEGIN IMMEDIATE").await?;
        writes::write(&mut tx, Tables::NEXT, &update).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The secondary indexes are built by the swap, under their live names.
    async fn finish(self: Box<Self>) -> Result<(), ProjectionError> {
        self.conn.close().await?;
        Ok(())
    }
}
