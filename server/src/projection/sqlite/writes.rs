//! A batch's [`Update`] written into one generation of the tables, inside the caller's
//! transaction (the projector's, or a rebuild's bulk load's): todos, timeline lines and
//! team-log positions in multi-row statements, the rarer team changes one by one, in order.
//! Times are stored as RFC 3339 text in UTC with milliseconds, like the log's, so they sort.

use super::rows;
use crate::projection::{ProjectionError, Tables, TeamChange, TimelineRow, TodoRow, Update};
use app::domain::{Position, TeamId, TodoId};
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::SqliteConnection;
use sqlx::query::Query;
use sqlx::sqlite::{Sqlite, SqliteArguments};
use std::collections::HashMap;

/// Rows per `INSERT` statement, and todos per `SELECT`: each statement is one trip to the
/// connection's thread, and 2,048 rows of at most 12 columns stay under SQLite's 32,766
/// parameters.
const ROWS: usize = 2_048;

/// The rows of `todos` that exist, before the batch.
pub(super) async fn load_todos(
    conn: &mut SqliteConnection,
    tables: Tables,
    todos: &[TodoId],
) -> Result<HashMap<TodoId, TodoRow>, ProjectionError> {
    let mut loaded = HashMap::with_capacity(todos.len());
    for chunk in todos.chunks(ROWS) {
        let placeholders = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT {} FROM {} WHERE todo_id IN ({placeholders})",
            rows::TODO_COLUMNS,
            tables.todos
        );
        let mut query = sqlx::query(&sql).persistent(chunk.len() == ROWS);
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
    let todos: Vec<&TodoRow> = update.todos.values().collect();
    Rows::todos(tables).insert(conn, &todos, bind_todo).await?;
    Rows::timeline(tables)
        .insert(conn, &update.timeline, bind_line)
        .await?;
    for change in &update.teams {
        team_change(conn, tables, change).await?;
    }
    Rows::team_log(tables)
        .insert(conn, &update.team_log, bind_team_position)
        .await?;
    if let Some(reached) = update.reached {
        set_checkpoint(conn, tables, reached).await?;
    }
    Ok(())
}

type SqliteQuery<'q> = Query<'q, Sqlite, SqliteArguments<'q>>;

/// A multi-row `INSERT`: `{head} VALUES (?, …), (?, …), … {tail}`.
struct Rows {
    head: String,
    columns: usize,
    tail: &'static str,
}

impl Rows {
    /// Todo rows, inserted or, for a todo already there, updated.
    fn todos(tables: Tables) -> Self {
        Self {
            head: format!(
                "INSERT INTO {} (todo_id, team_id, author, title, description, notes, status,
                                 version, shared_version, created_at, updated_at, last_position)",
                tables.todos
            ),
            columns: 12,
            tail: "ON CONFLICT (todo_id) DO UPDATE SET
                       title = excluded.title, description = excluded.description,
                       notes = excluded.notes, status = excluded.status,
                       version = excluded.version, shared_version = excluded.shared_version,
                       updated_at = excluded.updated_at, last_position = excluded.last_position",
        }
    }

    fn timeline(tables: Tables) -> Self {
        Self {
            head: format!(
                "INSERT INTO {} (position, todo_id, version, event_type, actor, recorded_at,
                                 summary, visible_to)",
                tables.timeline
            ),
            columns: 8,
            tail: "",
        }
    }

    fn team_log(tables: Tables) -> Self {
        Self {
            head: format!("INSERT INTO {} (team_id, position)", tables.team_log),
            columns: 2,
            tail: "",
        }
    }

    /// Inserts `rows`, [`ROWS`] to a statement. The full statements' text is always the
    /// same, so sqlx prepares it once per connection and keeps it; the last, shorter one is
    /// prepared for the occasion.
    async fn insert<T>(
        &self,
        conn: &mut SqliteConnection,
        rows: &[T],
        bind: impl for<'q> Fn(SqliteQuery<'q>, &'q T) -> SqliteQuery<'q>,
    ) -> Result<(), ProjectionError> {
        let row = format!("({})", vec!["?"; self.columns].join(", "));
        for chunk in rows.chunks(ROWS) {
            let values = vec![row.as_str(); chunk.len()].join(", ");
            let sql = format!("{} VALUES {values} {}", self.head, self.tail);
            let mut query = sqlx::query(&sql).persistent(chunk.len() == ROWS);
            for row in chunk {
                query = bind(query, row);
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

fn bind_todo<'q>(query: SqliteQuery<'q>, row: &'q &TodoRow) -> SqliteQuery<'q> {
    let todo = &row.todo;
    query
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
}

fn bind_line<'q>(query: SqliteQuery<'q>, line: &'q TimelineRow) -> SqliteQuery<'q> {
    query
        .bind(int(line.position.get()))
        .bind(line.todo.to_string())
        .bind(int(line.version.get()))
        .bind(line.event_type.as_str())
        .bind(line.actor.to_string())
        .bind(text(line.recorded_at))
        .bind(line.summary.as_str())
        .bind(line.visible_to.map(|user| user.to_string()))
}

fn bind_team_position<'q>(query: SqliteQuery<'q>, row: &'q (TeamId, Position)) -> SqliteQuery<'q> {
    let (team, position) = row;
    query.bind(team.to_string()).bind(int(position.get()))
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
