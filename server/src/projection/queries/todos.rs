//! Reading the todo read models. Each query runs in one read transaction and returns the
//! checkpoint it saw, so a page knows exactly which position of the log it shows.

use crate::projection::{ProjectionError, Tables, checkpoint, todo_from_row};
use app::domain::{Position, TeamId, TodoId, UserId, Version, todo::Todo};
use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool, sqlite::SqliteRow};

/// A todo as its row holds it, with its times.
#[derive(Debug, Clone, PartialEq)]
pub struct TodoRecord {
    pub todo: Todo,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One line of a todo's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRecord {
    pub position: Position,
    pub version: Version,
    pub event_type: String,
    pub actor: UserId,
    pub recorded_at: DateTime<Utc>,
    pub summary: String,
}

const TODO_COLUMNS: &str = "todo_id, team_id, author, title, description, notes, status, version,
                            shared_version, created_at, updated_at";

/// A team's todos, oldest first, and the position they reflect.
pub async fn team_todos(
    pool: &SqlitePool,
    team: TeamId,
) -> Result<(Vec<TodoRecord>, Position), ProjectionError> {
    let mut tx = pool.begin().await?;
    let position = checkpoint(&mut tx, Tables::LIVE).await?;
    let sql = format!(
        "SELECT {TODO_COLUMNS} FROM todo_rows WHERE team_id = ? ORDER BY created_at, todo_id"
    );
    let rows = sqlx::query(&sql)
        .bind(team.to_string())
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    let todos = rows.iter().map(record).collect::<Result<_, _>>()?;
    Ok((todos, position))
}

/// A todo with its timeline as `viewer` may read it (a line for the author alone is left out
/// for anyone else), and the position they reflect; `None` if there is no such todo.
pub async fn todo_with_timeline(
    pool: &SqlitePool,
    todo: TodoId,
    viewer: UserId,
) -> Result<Option<(TodoRecord, Vec<TimelineRecord>, Position)>, ProjectionError> {
    let mut tx = pool.begin().await?;
    let position = checkpoint(&mut tx, Tables::LIVE).await?;
    let sql = format!("SELECT {TODO_COLUMNS} FROM todo_rows WHERE todo_id = ?");
    let Some(row) = sqlx::query(&sql)
        .bind(todo.to_string())
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Ok(None);
    };
    let timeline = sqlx::query(
        "SELECT position, version, event_type, actor, recorded_at, summary
         FROM todo_timeline
         WHERE todo_id = ? AND (visible_to IS NULL OR visible_to = ?)
         ORDER BY position",
    )
    .bind(todo.to_string())
    .bind(viewer.to_string())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let timeline = timeline
        .iter()
        .map(timeline_record)
        .collect::<Result<_, _>>()?;
    Ok(Some((record(&row)?, timeline, position)))
}

/// The team a todo belongs to, if the todo exists.
pub async fn team_of_todo(
    pool: &SqlitePool,
    todo: TodoId,
) -> Result<Option<TeamId>, ProjectionError> {
    let team: Option<String> =
        sqlx::query_scalar("SELECT team_id FROM todo_rows WHERE todo_id = ?")
            .bind(todo.to_string())
            .fetch_optional(pool)
            .await?;
    team.map(|team| {
        TeamId::parse(&team)
            .map_err(|_| ProjectionError::Corrupt(format!("todo row: bad team_id {team:?}")))
    })
    .transpose()
}

fn record(row: &SqliteRow) -> Result<TodoRecord, ProjectionError> {
    Ok(TodoRecord {
        todo: todo_from_row(row)?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn timeline_record(row: &SqliteRow) -> Result<TimelineRecord, ProjectionError> {
    let actor: String = row.try_get("actor")?;
    Ok(TimelineRecord {
        position: Position::new(row.try_get::<i64, _>("position")? as u64),
        version: Version::new(row.try_get::<i64, _>("version")? as u64),
        event_type: row.try_get("event_type")?,
        actor: UserId::parse(&actor)
            .map_err(|_| ProjectionError::Corrupt(format!("timeline: bad actor {actor:?}")))?,
        recorded_at: row.try_get("recorded_at")?,
        summary: row.try_get("summary")?,
    })
}
