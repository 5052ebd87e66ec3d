//! Projections: the read models that pages show, kept from the log.
//!
//! - [`schema`]: the read models' tables, by generation (live, or being rebuilt).
//! - [`todos`]: how one event changes a todo's row and timeline.
//! - [`projector`]: the task that keeps a generation caught up, checkpoint and rows in one
//!   transaction.
//! - [`queries`]: what pages read, each in one read transaction with its position.
//! - [`rebuild`]: a new generation from the whole log, swapped in while the site runs.

mod projector;
pub mod queries;
mod rebuild;
mod schema;
mod todos;

pub use projector::{Projector, checkpoint};
pub use rebuild::rebuild;
pub use schema::Tables;
pub use todos::{project, todo_from_row, todo_of_stream};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot project: {0}")]
    Corrupt(String),
}

/// Creates the live read models if they are missing. Run at start-up, after migrations.
pub async fn prepare(pool: &sqlx::SqlitePool) -> Result<(), ProjectionError> {
    let mut conn = pool.acquire().await?;
    Tables::LIVE.create(&mut conn).await?;
    Tables::create_live_indexes(&mut conn).await?;
    Ok(())
}
