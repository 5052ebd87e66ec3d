//! A rebuild's bulk load into PostgreSQL ([`BulkLoad`]): each page of the log in one
//! transaction whose commit does not wait for its WAL to reach the disk
//! (`synchronous_commit = off`, for that transaction alone), its inserts copied (`COPY`), and
//! the secondary indexes built once the tables are full. The rows become durable with the swap: its commit waits for the
//! WAL up to its own record, which covers every record before it.

use super::{schema, writes, writes::Inserts};
use crate::projection::{BulkLoad, ProjectionError, Tables, TodoRow, Update};
use app::domain::TodoId;
use async_trait::async_trait;
use sqlx::{Executor, PgPool};
use std::collections::HashMap;

pub(super) struct PgBulkLoad {
    pool: PgPool,
}

impl PgBulkLoad {
    pub(super) fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl BulkLoad for PgBulkLoad {
    async fn todos(
        &mut self,
        todos: &[TodoId],
    ) -> Result<HashMap<TodoId, TodoRow>, ProjectionError> {
        writes::load_todos(&mut *self.pool.acquire().await?, Tables::NEXT, todos).await
    }

    async fn write(&mut self, update: Update) -> Result<(), ProjectionError> {
        let mut tx = self.pool.begin().await?;
        tx.execute("SET LOCAL synchronous_commit = off").await?;
        writes::write(&mut tx, Tables::NEXT, &update, Inserts::Copy).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn finish(self: Box<Self>) -> Result<(), ProjectionError> {
        schema::create_indexes(&mut *self.pool.acquire().await?, Tables::NEXT).await?;
        Ok(())
    }
}
