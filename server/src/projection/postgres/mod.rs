//! The read models in PostgreSQL: [`PgReadModels`] answers pages ([`ReadModels`]) and takes
//! the projector's batches ([`ProjectionStore`]).
//!
//! Projectors on any number of processes take turns by the row lock on their checkpoint
//! (`SELECT … FOR UPDATE`), not by a database-wide lock; pages read rows and checkpoint in
//! one `REPEATABLE READ, READ ONLY` transaction, since under READ COMMITTED two statements
//! see two snapshots.
//!
//! - `schema`: the tables' DDL, by generation, and their shape.
//! - `queries`: what pages read.
//! - `writes`: a batch's [`Update`](crate::projection::Update) written as rows bound in
//!   arrays.
//! - `bulk`: a rebuild's bulk load.
//! - `copy`: rows sent with `COPY`, for the bulk load.
//! - `rows`: rows decoded into typed values.

mod bulk;
mod copy;
mod queries;
mod rows;
mod schema;
mod writes;

use super::{BulkLoad, ProjectionError, ProjectionStore, Tables, fold, todos_touched};
use crate::store::{EventStore, RecordedEvent};
use app::domain::Position;
use async_trait::async_trait;
use sqlx::{PgConnection, PgPool};
use writes::Inserts;

/// The read models in one PostgreSQL database: a cheap handle over its pool.
#[derive(Clone)]
pub struct PgReadModels {
    pool: PgPool,
}

impl PgReadModels {
    /// The read models in the database `pool` opened (see [`crate::db::postgres`]).
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

/// How a page's transaction begins: one snapshot for all its statements.
const SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

#[async_trait]
impl ProjectionStore for PgReadModels {
    async fn prepare(&self) -> Result<(), ProjectionError> {
        let mut tx = self.pool.begin().await?;
        schema::prepare(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn checkpoint(&self, tables: Tables) -> Result<Position, ProjectionError> {
        checkpoint(&mut *self.pool.acquire().await?, tables, Lock::None).await
    }

    async fn apply(
        &self,
        tables: Tables,
        seen: Position,
        events: &[RecordedEvent],
    ) -> Result<bool, ProjectionError> {
        let mut tx = self.pool.begin().await?;
        if checkpoint(&mut tx, tables, Lock::ForUpdate).await? != seen {
            return Ok(false);
        }
        let loaded = writes::load_todos(&mut tx, tables, &todos_touched(events)).await?;
        writes::write(&mut tx, tables, &fold(events, loaded)?, Inserts::Unnest).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn start_next(&self) -> Result<Box<dyn BulkLoad>, ProjectionError> {
        let mut tx = self.pool.begin().await?;
        schema::drop(&mut tx, Tables::NEXT).await?;
        schema::create(&mut tx, Tables::NEXT).await?;
        tx.commit().await?;
        Ok(Box::new(bulk::PgBulkLoad::new(self.pool.clone())))
    }

    /// Holding the live checkpoint's row lock, no projector writes the live tables: the
    /// rebuilt ones catch up with the log, then take their names. Commands keep committing
    /// meanwhile; the live projector, once the lock is released, goes on from the position
    /// the rebuilt tables reached.
    async fn swap_next(&self, log: &dyn EventStore) -> Result<Position, ProjectionError> {
        let mut tx = self.pool.begin().await?;
        checkpoint(&mut tx, Tables::LIVE, Lock::ForUpdate).await?;
        let next = Tables::NEXT;
        let mut reached = checkpoint(&mut tx, next, Lock::ForUpdate).await?;
        loop {
            let events = log.read_all_after(reached, super::projector::BATCH).await?;
            let Some(last) = events.last().map(|event| event.position) else {
                break;
            };
            let loaded = writes::load_todos(&mut tx, next, &todos_touched(&events)).await?;
            writes::write(&mut tx, next, &fold(&events, loaded)?, Inserts::Unnest).await?;
            reached = last;
        }
        schema::drop(&mut tx, Tables::LIVE).await?;
        schema::rename_to_live(&mut tx, next).await?;
        sqlx::query("UPDATE projection_checkpoints SET name = $1, position = $2 WHERE name = $3")
            .bind(Tables::LIVE.checkpoint)
            .bind(reached.get() as i64)
            .bind(next.checkpoint)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(reached)
    }
}

/// Whether reading a checkpoint locks its row until the transaction ends.
#[derive(Clone, Copy)]
enum Lock {
    None,
    ForUpdate,
}

async fn checkpoint(
    conn: &mut PgConnection,
    tables: Tables,
    lock: Lock,
) -> Result<Position, ProjectionError> {
    let sql = match lock {
        Lock::None => "SELECT position FROM projection_checkpoints WHERE name = $1",
        Lock::ForUpdate => "SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE",
    };
    let position: Option<i64> = sqlx::query_scalar(sql)
        .bind(tables.checkpoint)
        .fetch_optional(conn)
        .await?;
    let position = position.ok_or_else(|| {
        ProjectionError::Corrupt(format!("no checkpoint named {}", tables.checkpoint))
    })?;
    Ok(Position::new(position as u64))
}
