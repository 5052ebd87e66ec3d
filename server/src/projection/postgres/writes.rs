//! A batch's [`Update`] written into one generation of the tables, inside the caller's
//! transaction (the projector's, or a rebuild's bulk load's): todos, timeline lines and
//! team-log positions each in one statement, their columns bound as arrays (`UNNEST`) or,
//! for a rebuild, copied (`copy`); the rarer team changes one by one, in order.

use super::{copy, rows};
use crate::projection::{ProjectionError, Tables, TeamChange, TodoRow, Update};
use app::domain::{Position, TodoId};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// The rows of `todos` that exist, before the batch.
pub(super) async fn load_todos(
    conn: &mut PgConnection,
    tables: Tables,
    todos: &[TodoId],
) -> Result<HashMap<TodoId, TodoRow>, ProjectionError> {
    if todos.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<Uuid> = todos.iter().map(TodoId::as_uuid).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE todo_id = ANY($1)",
        rows::TODO_COLUMNS,
        tables.todos
    );
    let found = sqlx::query(&sql).bind(ids).fetch_all(conn).await?;
    found
        .iter()
        .map(|row| rows::todo(row).map(|row| (row.todo.id, row)))
        .collect()
}

/// How the rows that are only ever inserted (timeline lines, team-log positions) are sent.
#[derive(Clone, Copy)]
pub(super) enum Inserts {
    /// `INSERT … SELECT * FROM UNNEST(…)`: the projector's small batches.
    Unnest,
    /// `COPY … FROM STDIN`: a rebuild's large pages.
    Copy,
}

/// Writes `update` and moves the checkpoint to the position it reached.
pub(super) async fn write(
    conn: &mut PgConnection,
    tables: Tables,
    update: &Update,
    inserts: Inserts,
) -> Result<(), ProjectionError> {
    upsert_todos(conn, tables, update.todos.values()).await?;
    match inserts {
        Inserts::Unnest => insert_timeline(conn, tables, update).await?,
        Inserts::Copy => copy::timeline(conn, tables, &update.timeline).await?,
    }
    for change in &update.teams {
        team_change(conn, tables, change).await?;
    }
    match inserts {
        Inserts::Unnest => insert_team_log(conn, tables, update).await?,
        Inserts::Copy => copy::team_log(conn, tables, &update.team_log).await?,
    }
    if let Some(reached) = update.reached {
        sqlx::query("UPDATE projection_checkpoints SET position = $1 WHERE name = $2")
            .bind(int(reached))
            .bind(tables.checkpoint)
            .execute(conn)
            .await?;
    }
    Ok(())
}

async fn upsert_todos(
    conn: &mut PgConnection,
    tables: Tables,
    todos: impl ExactSizeIterator<Item = &TodoRow>,
) -> Result<(), ProjectionError> {
    if todos.len() == 0 {
        return Ok(());
    }
    let mut columns = TodoColumns::default();
    for row in todos {
        columns.push(row);
    }
    let sql = format!(
        "INSERT INTO {} (todo_id, team_id, author, title, description, notes, status, version,
                         shared_version, created_at, updated_at, last_position)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[],
                              $6::text[], $7::text[], $8::int8[], $9::int8[],
                              $10::timestamptz[], $11::timestamptz[], $12::int8[])
         ON CONFLICT (todo_id) DO UPDATE SET
             title = excluded.title, description = excluded.description, notes = excluded.notes,
             status = excluded.status, version = excluded.version,
             shared_version = excluded.shared_version, updated_at = excluded.updated_at,
             last_position = excluded.last_position",
        tables.todos
    );
    let c = columns;
    sqlx::query(&sql)
        .bind(c.id)
        .bind(c.team)
        .bind(c.author)
        .bind(c.title)
        .bind(c.description)
        .bind(c.notes)
        .bind(c.status)
        .bind(c.version)
        .bind(c.shared_version)
        .bind(c.created_at)
        .bind(c.updated_at)
        .bind(c.last_position)
        .execute(conn)
        .await?;
    Ok(())
}

/// A batch of todo rows, column by column.
#[derive(Default)]
struct TodoColumns {
    id: Vec<Uuid>,
    team: Vec<Uuid>,
    author: Vec<Uuid>,
    title: Vec<String>,
    description: Vec<String>,
    notes: Vec<String>,
    status: Vec<&'static str>,
    version: Vec<i64>,
    shared_version: Vec<i64>,
    created_at: Vec<DateTime<Utc>>,
    updated_at: Vec<DateTime<Utc>>,
    last_position: Vec<i64>,
}

impl TodoColumns {
    fn push(&mut self, row: &TodoRow) {
        let todo = &row.todo;
        self.id.push(todo.id.as_uuid());
        self.team.push(todo.team_id.as_uuid());
        self.author.push(todo.author.as_uuid());
        self.title.push(todo.title.as_str().to_owned());
        self.description.push(todo.description.as_str().to_owned());
        self.notes.push(todo.notes.as_str().to_owned());
        self.status.push(todo.status.as_str());
        self.version.push(todo.version.get() as i64);
        self.shared_version.push(todo.shared_version.get() as i64);
        self.created_at.push(row.created_at);
        self.updated_at.push(row.updated_at);
        self.last_position.push(int(row.last_position));
    }
}

async fn insert_timeline(
    conn: &mut PgConnection,
    tables: Tables,
    update: &Update,
) -> Result<(), ProjectionError> {
    let lines = &update.timeline;
    if lines.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO {} (position, todo_id, version, event_type, actor, recorded_at, summary,
                         visible_to)
         SELECT * FROM UNNEST($1::int8[], $2::uuid[], $3::int8[], $4::text[], $5::uuid[],
                              $6::timestamptz[], $7::text[], $8::uuid[])",
        tables.timeline
    );
    sqlx::query(&sql)
        .bind(lines.iter().map(|l| int(l.position)).collect::<Vec<_>>())
        .bind(lines.iter().map(|l| l.todo.as_uuid()).collect::<Vec<_>>())
        .bind(
            lines
                .iter()
                .map(|l| l.version.get() as i64)
                .collect::<Vec<_>>(),
        )
        .bind(
            lines
                .iter()
                .map(|l| l.event_type.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(lines.iter().map(|l| l.actor.as_uuid()).collect::<Vec<_>>())
        .bind(lines.iter().map(|l| l.recorded_at).collect::<Vec<_>>())
        .bind(lines.iter().map(|l| l.summary.as_str()).collect::<Vec<_>>())
        .bind(
            lines
                .iter()
                .map(|l| l.visible_to.map(|user| user.as_uuid()))
                .collect::<Vec<_>>(),
        )
        .execute(conn)
        .await?;
    Ok(())
}

async fn insert_team_log(
    conn: &mut PgConnection,
    tables: Tables,
    update: &Update,
) -> Result<(), ProjectionError> {
    if update.team_log.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO {} (team_id, position) SELECT * FROM UNNEST($1::uuid[], $2::int8[])",
        tables.team_log
    );
    let (teams, positions): (Vec<Uuid>, Vec<i64>) = update
        .team_log
        .iter()
        .map(|(team, position)| (team.as_uuid(), int(*position)))
        .unzip();
    sqlx::query(&sql)
        .bind(teams)
        .bind(positions)
        .execute(conn)
        .await?;
    Ok(())
}

async fn team_change(
    conn: &mut PgConnection,
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
                "INSERT INTO {} (team_id, name, created_by, created_at) VALUES ($1, $2, $3, $4)",
                tables.teams
            );
            sqlx::query(&sql)
                .bind(team.as_uuid())
                .bind(name)
                .bind(created_by.as_uuid())
                .bind(created_at)
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
                 VALUES ($1, $2, $3, $4, 'open', $5, $6, $7)",
                tables.invitations
            );
            sqlx::query(&sql)
                .bind(invitation.as_uuid())
                .bind(team.as_uuid())
                .bind(token_hash)
                .bind(single_use)
                .bind(created_by.as_uuid())
                .bind(created_at)
                .bind(expires_at)
                .execute(conn)
                .await?;
        }
        TeamChange::InvitationRevoked(invitation) => {
            let sql = format!(
                "UPDATE {} SET state = 'revoked' WHERE invitation_id = $1",
                tables.invitations
            );
            sqlx::query(&sql)
                .bind(invitation.as_uuid())
                .execute(conn)
                .await?;
        }
        TeamChange::InvitationUsed(invitation) => {
            let sql = format!(
                "UPDATE {} SET state = 'used' WHERE invitation_id = $1 AND single_use",
                tables.invitations
            );
            sqlx::query(&sql)
                .bind(invitation.as_uuid())
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
                "INSERT INTO {} (team_id, user_id, joined_at, joined_position)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (team_id, user_id) DO NOTHING",
                tables.members
            );
            sqlx::query(&sql)
                .bind(team.as_uuid())
                .bind(user.as_uuid())
                .bind(joined_at)
                .bind(int(*joined_position))
                .execute(conn)
                .await?;
        }
        TeamChange::MemberGone { team, user } => {
            let sql = format!(
                "DELETE FROM {} WHERE team_id = $1 AND user_id = $2",
                tables.members
            );
            sqlx::query(&sql)
                .bind(team.as_uuid())
                .bind(user.as_uuid())
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

/// PostgreSQL's integers are signed; no position comes near 2^63.
fn int(position: Position) -> i64 {
    i64::try_from(position.get()).unwrap_or(i64::MAX)
}
