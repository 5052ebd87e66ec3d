//! Rebuilding the read models from the log while the site runs: project everything into new
//! tables, then catch up the last events and swap the tables in one write transaction.

use super::{ProjectionError, Projector, Tables, checkpoint, project};
use crate::store::EventStore;
use app::domain::Position;
use sqlx::Executor;
use sqlx::{SqliteConnection, SqlitePool};
use std::sync::Arc;

/// Rebuilds the read models; returns the position they were swapped in at.
pub async fn rebuild(
    pool: &SqlitePool,
    store: Arc<dyn EventStore>,
) -> Result<Position, ProjectionError> {
    {
        let mut conn = pool.acquire().await?;
        let next = Tables::NEXT;
        next.drop(&mut conn).await?;
        next.create(&mut conn).await?;
    }
    Projector::new(pool.clone(), store.clone(), Tables::NEXT)
        .catch_up()
        .await?;
    swap(pool, store.as_ref()).await
}

/// Holding the write lock, no event can commit: what the new tables lack is the few events
/// committed since the catch-up, and once they are in, the new tables are exactly as current
/// as the live ones.
async fn swap(pool: &SqlitePool, store: &dyn EventStore) -> Result<Position, ProjectionError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let reached = catch_up_in(&mut tx, store).await?;
    let live = Tables::LIVE;
    live.drop(&mut tx).await?;
    tx.execute(
        "ALTER TABLE todo_rows_next RENAME TO todo_rows;
         ALTER TABLE todo_timeline_next RENAME TO todo_timeline;
         ALTER TABLE team_rows_next RENAME TO team_rows;
         ALTER TABLE team_members_next RENAME TO team_members;
         ALTER TABLE team_invitations_next RENAME TO team_invitations;
         ALTER TABLE team_log_next RENAME TO team_log;
         DELETE FROM projection_checkpoints WHERE name = 'todos_next';",
    )
    .await?;
    sqlx::query("INSERT INTO projection_checkpoints (name, position) VALUES ('todos', ?)")
        .bind(reached.get() as i64)
        .execute(&mut *tx)
        .await?;
    Tables::create_live_indexes(&mut tx).await?;
    tx.commit().await?;
    Ok(reached)
}

async fn catch_up_in(
    conn: &mut SqliteConnection,
    store: &dyn EventStore,
) -> Result<Position, ProjectionError> {
    let next = Tables::NEXT;
    let mut reached = checkpoint(&mut *conn, next).await?;
    loop {
        let events = store.read_all_after(reached, 500).await?;
        let Some(last) = events.last() else {
            return Ok(reached);
        };
        let last = last.position;
        for event in &events {
            project(&mut *conn, next, event).await?;
        }
        reached = last;
    }
}
