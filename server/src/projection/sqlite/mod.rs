//! The read models in SQLite: [`SqliteReadModels`] answers pages ([`ReadModels`]) and takes
//! the projector's batches ([`ProjectionStore`]).
//!
//! - `schema`: the tables' DDL, by generation.
//! - `queries`: what pages read, each in one read transaction with the checkpoint.
//! - `writes`: a batch's [`Update`](crate::projection::Update) written as rows, through sqlx
//!   or on the raw handle.
//! - `statements`: the statements that write an update, each with the values it binds
//!   ([`values`](crate::db::sqlite::values)).
//! - `bulk`: a rebuild's bulk load, on a connection of its own.
//! - `rows`: rows decoded into typed values.

mod bulk;
mod queries;
mod rows;
mod schema;
mod statements;
mod writes;

use super::{BulkLoad, ProjectionError, ProjectionStore, Tables, fold, todos_touched};
use crate::store::{EventStore, RecordedEvent};
use app::domain::Position;
use async_trait::async_trait;
use sqlx::{Executor, SqliteConnection, SqlitePool};

/// The read models in one SQLite database: a cheap handle over its pool.
#[derive(Clone)]
pub struct SqliteReadModels {
    pool: SqlitePool,
}

impl SqliteReadModels {
    /// The read models in the database `pool` opened (see [`crate::db::sqlite`]).
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl ProjectionStore for SqliteReadModels {
    async fn prepare(&self) -> Result<(), ProjectionError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        schema::prepare(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn checkpoint(&self, tables: Tables) -> Result<Position, ProjectionError> {
        checkpoint(&mut *self.pool.acquire().await?, tables).await
    }

    /// SQLite has one writer at a time: `BEGIN IMMEDIATE` takes the write lock, which is the
    /// checkpoint's lock too.
    async fn apply(
        &self,
        tables: Tables,
        seen: Position,
        events: &[RecordedEvent],
    ) -> Result<bool, ProjectionError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if checkpoint(&mut tx, tables).await? != seen {
            return Ok(false);
        }
        let loaded = writes::load_todos(&mut tx, tables, &todos_touched(events)).await?;
        let update = fold(events, loaded)?;
        writes::write(&mut tx, tables, &update).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn start_next(&self) -> Result<Box<dyn BulkLoad>, ProjectionError> {
        Ok(Box::new(bulk::SqliteBulkLoad::start(&self.pool).await?))
    }

    /// Holding the write lock, no event can commit and no projector write: what the new
    /// tables lack is the few events committed since their catch-up, and once they are in,
    /// the new tables are exactly as current as the live ones. Their secondary indexes were
    /// built with the bulk load (`bulk`), so the lock is held for renames, not index builds.
    async fn swap_next(&self, log: &dyn EventStore) -> Result<Position, ProjectionError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let next = Tables::NEXT;
        let mut reached = checkpoint(&mut tx, next).await?;
        loop {
            let events = log.read_all_after(reached, super::projector::BATCH).await?;
            let Some(last) = events.last().map(|event| event.position) else {
                break;
            };
            let loaded = writes::load_todos(&mut tx, next, &todos_touched(&events)).await?;
            writes::write(&mut tx, next, &fold(&events, loaded)?).await?;
            reached = last;
        }
        schema::drop(&mut tx, Tables::LIVE).await?;
        for (from, to) in next.renames() {
            tx.execute(format!("ALTER TABLE {from} RENAME TO {to}").as_str())
                .await?;
        }
        sqlx::query("UPDATE projection_checkpoints SET name = ?, position = ? WHERE name = ?")
            .bind(Tables::LIVE.checkpoint)
            .bind(reached.get() as i64)
            .bind(next.checkpoint)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(reached)
    }
}

async fn checkpoint(
    conn: &mut SqliteConnection,
    tables: Tables,
) -> Result<Position, ProjectionError> {
    let position: Option<i64> =
        sqlx::query_scalar("SELECT position FROM projection_checkpoints WHERE name = ?")
            .bind(tables.checkpoint)
            .fetch_optional(conn)
            .await?;
    let position = position.ok_or_else(|| {
        ProjectionError::Corrupt(format!("no checkpoint named {}", tables.checkpoint))
    })?;
    Ok(Position::new(position as u64))
}
