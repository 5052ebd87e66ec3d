//! Projections: the read models that pages show, kept from the log.
//!
//! - [`schema`]: the read models' tables, by generation (live, or being rebuilt).
//! - [`todos`]: how one event changes a todo's row and timeline.
//! - [`teams`]: how one event changes a team, its members and its invite links.
//! - [`team_log`]: the positions of each team's events, for replays of its channels.
//! - [`projector`]: the task that keeps a generation caught up, checkpoint and rows in one
//!   transaction.
//! - [`queries`]: what pages read, each in one read transaction with its position.
//! - [`rebuild`]: a new generation from the whole log, swapped in while the site runs.

mod projector;
pub mod queries;
mod rebuild;
mod schema;
mod team_log;
mod teams;
mod todos;

pub use projector::{Projector, checkpoint};
pub use rebuild::rebuild;
pub use schema::Tables;
pub use todos::todo_from_row;

use crate::store::{RecordedEvent, StoreError};
use sqlx::SqliteConnection;

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot project: {0}")]
    Corrupt(String),
}

/// Creates the live read models if they are missing. Read models of an older shape
/// ([`Tables::SHAPE`]) are dropped first, so that the projector fills them again from the
/// start of the log. Run at start-up, after migrations.
pub async fn prepare(pool: &sqlx::SqlitePool) -> Result<(), ProjectionError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let shape: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut *tx)
        .await?;
    if shape < Tables::SHAPE && live_tables_exist(&mut tx).await? {
        tracing::info!(
            from = shape,
            to = Tables::SHAPE,
            "the read models changed shape; projecting them again from the log"
        );
        Tables::LIVE.drop(&mut tx).await?;
    }
    Tables::LIVE.create(&mut tx).await?;
    Tables::create_live_indexes(&mut tx).await?;
    if shape != Tables::SHAPE {
        sqlx::query(&format!("PRAGMA user_version = {}", Tables::SHAPE))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whether the live read models were made before: a database new to this server has none.
async fn live_tables_exist(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = ?)")
        .bind(Tables::LIVE.todos)
        .fetch_one(conn)
        .await
}

/// Projects one recorded event into `tables`, by the kind of stream it belongs to.
pub async fn project(
    conn: &mut SqliteConnection,
    tables: Tables,
    event: &RecordedEvent,
) -> Result<(), ProjectionError> {
    let team = if event.stream.todo().is_some() {
        todos::project(conn, tables, event).await?
    } else if let Some(team) = event.stream.team() {
        teams::project(conn, tables, event).await?;
        team
    } else {
        return Ok(());
    };
    team_log::record(conn, tables, team, event.position).await
}

/// Times are stored as RFC 3339 text in UTC with milliseconds, like the log's, so they sort.
fn timestamp(event: &RecordedEvent) -> String {
    event
        .recorded_at
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
