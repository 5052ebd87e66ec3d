//! A batch's [`Update`] written into one generation of the tables, inside the projector's
//! transaction. Times are stored as RFC 3339 text in UTC with milliseconds, like the log's,
//! so they sort.

use super::rows;
use crate::projection::{ProjectionError, Tables, TeamChange, TodoRow, Update};
use app::domain::{Position, TodoId};
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::SqliteConnection;
use std::collections::HashMap;

/// The rows of `todos` that exist, before the batch.
pub(super) async fn load_todos(
    conn: &mut SqliteConnection,
    tables: Tables,
    todos: &[TodoId],
) -> Result<HashMap<TodoId, TodoRow>, ProjectionError> {
    let mut loaded = HashMap::with_capacity(todos.len());
    for chunk in todos.chunks(500) {
        let placeholders = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT {} FROM {} WHERE todo_id IN ({placeholders})",
            rows::TODO_COLUMNS,
            tables.todos
        );
        let mut query = sqlx::query(&sql);
        for todo in chunk {
            query = query.bind(todo.to_string());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let row = rows::todo(&row)?;
            loaded.insert(row.todo.id, row);
        }
    }
    Ok(loaded)
}

/// Writes `update` and moves the checkpoint to the position it reached.
pub(super) async fn write(
    conn: &mut SqliteConnection,
    tables: Tables,
    update: &Update,
) -> Result<(), ProjectionError> {
    for row in update.todos.values() {
        upsert_todo(conn, tables, row).await?;
    }
    let timeline = format!(
        "INSERT INTO {} (position, todo_id, version, event_type, actor, recorded_at, summary,
                         visible_to)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        tables.timeline
    );
    for line in &update.timeline {
        sqlx::query(&timeline)
            .bind(int(line.position.get()))
            .bind(line.todo.to_string())
            .bind(int(line.version.get()))
            .bind(&line.event_type)
            .bind(line.actor.to_string())
            .bind(text(line.recorded_at))
            .bind(&line.summary)
            .bind(line.visible_to.map(|user| user.to_string()))
            .execute(&mut *conn)
            .await?;
    }
    for change in &update.teams {
        team_change(conn, tables, change).await?;
    }
    let team_log = format!(
        "INSERT INTO {} (team_id, position) VALUES (?, ?)",
        tables.team_log
    );
    for (team, position) in &update.team_log {
        sqlx::query(&team_log)
            .bind(team.to_string())
            .bind(int(position.get()))
            .execute(&mut *conn)
            .await?;
    }
    if let Some(reached) = update.reached {
        set_checkpoint(conn, tables, reached).await?;
    }
    Ok(())
}

async fn upsert_todo(
    conn: &mut SqliteConnection,
    tables: Tables,
    row: &TodoRow,
) -> Result<(), ProjectionError> {
    let sql = format!(
        "INSERT INTO {} (todo_id, team_id, author, title, description, notes, status, version,
                         shared_version, created_at, updated_at, last_position)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (todo_id) DO UPDATE SET
             title = excluded.title, description = excluded.description, notes = excluded.notes,
             status = excluded.status, version = excluded.version,
             shared_version = excluded.shared_version, updated_at = excluded.updated_at,
             last_position = excluded.last_position",
        tables.todos
    );
    let todo = &row.todo;
    sqlx::query(&sql)
        .bind(todo.id.to_string())
        .bind(todo.team_id.to_string())
        .bind(todo.author.to_string())
        .bind(todo.title.as_str())
        .bind(todo.description.as_str())
        .bind(todo.notes.as_str())
        .bind(todo.status.as_str())
        .bind(int(todo.version.get()))
        .bind(int(todo.shared_version.get()))
        .bind(text(row.created_at))
        .bind(text(row.updated_at))
        .bind(int(row.last_position.get()))
        .execute(conn)
        .await?;
    Ok(())
}

async fn team_change(
    conn: &mut SqliteConnection,
    tables: Tables,
    change: &TeamChange,
) -> Result<(), ProjectionError> {
    match change {
        TeamChange::Created {
            team,
            name,
            created_by,
            created_at,
        } => {
            let sql = format!(
                "INSERT INTO {} (team_id, name, created_by, created_at) VALUES (?, ?, ?, ?)",
                tables.teams
            );
            sqlx::query(&sql)
                .bind(team.to_string())
                .bind(name)
                .bind(created_by.to_string())
                .bind(text(*created_at))
                .execute(conn)
                .await?;
        }
        TeamChange::InvitationCreated {
            invitation,
            team,
            token_hash,
            single_use,
            created_by,
            created_at,
            expires_at,
        } => {
            let sql = format!(
                "INSERT INTO {} (invitation_id, team_id, token_hash, single_use, state,
                                 created_by, created_at, expires_at)
                 VALUES (?, ?, ?, ?, 'open', ?, ?, ?)",
                tables.invitations
            );
            sqlx::query(&sql)
                .bind(invitation.to_string())
                .bind(team.to_string())
                .bind(token_hash)
                .bind(single_use)
                .bind(created_by.to_string())
                .bind(text(*created_at))
                .bind(text(*expires_at))
                .execute(conn)
                .await?;
        }
        TeamChange::InvitationRevoked(invitation) => {
            let sql = format!(
                "UPDATE {} SET state = 'revoked' WHERE invitation_id = ?",
                tables.invitations
            );
            sqlx::query(&sql)
                .bind(invitation.to_string())
                .execute(conn)
                .await?;
        }
        TeamChange::InvitationUsed(invitation) => {
            let sql = format!(
                "UPDATE {} SET state = 'used' WHERE invitation_id = ? AND single_use",
                tables.invitations
            );
            sqlx::query(&sql)
                .bind(invitation.to_string())
                .execute(conn)
                .await?;
        }
        TeamChange::MemberJoined {
            team,
            user,
            joined_at,
            joined_position,
        } => {
            let sql = format!(
                "INSERT OR IGNORE INTO {} (team_id, user_id, joined_at, joined_position)
                 VALUES (?, ?, ?, ?)",
                tables.members
            );
            sqlx::query(&sql)
                .bind(team.to_string())
                .bind(user.to_string())
                .bind(text(*joined_at))
                .bind(int(joined_position.get()))
                .execute(conn)
                .await?;
        }
        TeamChange::MemberGone { team, user } => {
            let sql = format!(
                "DELETE FROM {} WHERE team_id = ? AND user_id = ?",
                tables.members
            );
            sqlx::query(&sql)
                .bind(team.to_string())
                .bind(user.to_string())
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

async fn set_checkpoint(
    conn: &mut SqliteConnection,
    tables: Tables,
    position: Position,
) -> Result<(), ProjectionError> {
    sqlx::query("UPDATE projection_checkpoints SET position = ? WHERE name = ?")
        .bind(int(position.get()))
        .bind(tables.checkpoint)
        .execute(conn)
        .await?;
    Ok(())
}

/// SQLite integers are signed; no position or version comes near 2^63.
fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
