//! The projector: keeps one generation of the read models caught up with the log, writing
//! each batch of rows and the checkpoint in one transaction.

use super::{ProjectionError, Tables, project};
use crate::store::EventStore;
use app::domain::Position;
use sqlx::{SqliteConnection, SqlitePool};
use std::{sync::Arc, time::Duration};
use tokio::{sync::watch, task::JoinHandle};

/// How many events one transaction projects.
const BATCH: u32 = 500;

/// What one batch did.
enum Step {
    /// There was nothing after the checkpoint.
    CaughtUp(Position),
    /// A batch was projected; there may be more.
    Projected,
    /// The checkpoint moved under us (a rebuild swapped tables); read again.
    Retry,
}

#[derive(Clone)]
pub struct Projector {
    pool: SqlitePool,
    store: Arc<dyn EventStore>,
    tables: Tables,
}

impl Projector {
    pub fn new(pool: SqlitePool, store: Arc<dyn EventStore>, tables: Tables) -> Self {
        Self {
            pool,
            store,
            tables,
        }
    }

    /// Projects every event committed so far; returns the checkpoint reached.
    pub async fn catch_up(&self) -> Result<Position, ProjectionError> {
        loop {
            if let Step::CaughtUp(position) = self.step().await? {
                return Ok(position);
            }
        }
    }

    /// Projects one batch. Events are read before the write transaction, so the store's
    /// writer is never kept waiting on the reads; the checkpoint is read again inside it, and
    /// if someone else moved it (a rebuild swapped tables), the batch is dropped and retried.
    async fn step(&self) -> Result<Step, ProjectionError> {
        let seen = checkpoint(&mut *self.pool.acquire().await?, self.tables).await?;
        let events = self.store.read_all_after(seen, BATCH).await?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if checkpoint(&mut tx, self.tables).await? != seen {
            return Ok(Step::Retry);
        }
        for event in &events {
            project(&mut tx, self.tables, event).await?;
        }
        let Some(last) = events.last() else {
            return Ok(Step::CaughtUp(seen));
        };
        set_checkpoint(&mut tx, self.tables, last.position).await?;
        tx.commit().await?;
        Ok(Step::Projected)
    }

    /// Runs until the store stops: catches up whenever the log's head moves, and publishes
    /// the checkpoint reached, so a command can wait until its events are on the page.
    pub fn spawn(self) -> (watch::Receiver<Position>, JoinHandle<()>) {
        let (reached_tx, reached_rx) = watch::channel(Position::ZERO);
        let mut head = self.store.watch_head();
        let task = tokio::spawn(async move {
            loop {
                match self.catch_up().await {
                    Ok(reached) => {
                        reached_tx.send_replace(reached);
                    }
                    Err(error) => {
                        tracing::error!(%error, "projection failed; retrying in a second");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
                if head.changed().await.is_err() {
                    return;
                }
            }
        });
        (reached_rx, task)
    }
}

pub async fn checkpoint(
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

async fn set_checkpoint(
    conn: &mut SqliteConnection,
    tables: Tables,
    position: Position,
) -> Result<(), ProjectionError> {
    sqlx::query("UPDATE projection_checkpoints SET position = ? WHERE name = ?")
        .bind(position.get() as i64)
        .bind(tables.checkpoint)
        .execute(conn)
        .await?;
    Ok(())
}
