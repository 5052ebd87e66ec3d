//! The statements that write an [`Update`](crate::projection::Update) into one generation of
//! the tables, each with the values it binds: one description of the rows, whichever way
//! `writes` runs them.

use crate::db::sqlite::values::Value;
use crate::projection::{Tables, TeamChange, TimelineRow, TodoRow};
use app::domain::{Position, TeamId};

/// An `INSERT` of rows of `T` with `N` columns: `{head} VALUES (?, …), (?, …), … {tail}`.
pub(super) struct Rows<T, const N: usize> {
    head: String,
    tail: &'static str,
    values: for<'r> fn(&'r T) -> [Value<'r>; N],
}

impl<T, const N: usize> Rows<T, N> {
    /// The statement for `rows` rows.
    pub(super) fn sql(&self, rows: usize) -> String {
        let row = format!("({})", vec!["?"; N].join(", "));
        let values = vec![row.as_str(); rows].join(", ");
        format!("{} VALUES {values} {}", self.head, self.tail)
    }

    /// A row's values, in the order of the statement's columns.
    pub(super) fn values<'r>(&self, row: &'r T) -> [Value<'r>; N] {
        (self.values)(row)
    }
}

impl Rows<TodoRow, 12> {
    /// Todo rows, inserted or, for a todo already there, updated.
    pub(super) fn todos(tables: Tables) -> Self {
        Self {
            head: format!(
                "INSERT INTO {} (todo_id, team_id, author, title, description, notes, status,
                                 version, shared_version, created_at, updated_at, last_position)",
                tables.todos
            ),
            tail: "ON CONFLICT (todo_id) DO UPDATE SET
                       title = excluded.title, description = excluded.description,
                       notes = excluded.notes, status = excluded.status,
                       version = excluded.version, shared_version = excluded.shared_version,
                       updated_at = excluded.updated_at, last_position = excluded.last_position",
            values: todo_values,
        }
    }
}

impl Rows<TimelineRow, 8> {
    pub(super) fn timeline(tables: Tables) -> Self {
        Self {
            head: format!(
                "INSERT INTO {} (position, todo_id, version, event_type, actor, recorded_at,
                                 summary, visible_to)",
                tables.timeline
            ),
            tail: "",
            values: line_values,
        }
    }
}

impl Rows<(TeamId, Position), 2> {
    pub(super) fn team_log(tables: Tables) -> Self {
        Self {
            head: format!("INSERT INTO {} (team_id, position)", tables.team_log),
            tail: "",
            values: team_position_values,
        }
    }
}

fn todo_values(row: &TodoRow) -> [Value<'_>; 12] {
    let todo = &row.todo;
    [
        Value::id(todo.id),
        Value::id(todo.team_id),
        Value::id(todo.author),
        Value::Text(todo.title.as_str()),
        Value::Text(todo.description.as_str()),
        Value::Text(todo.notes.as_str()),
        Value::Text(todo.status.as_str()),
        Value::int(todo.version.get()),
        Value::int(todo.shared_version.get()),
        Value::Time(row.created_at),
        Value::Time(row.updated_at),
        Value::int(row.last_position.get()),
    ]
}

fn line_values(line: &TimelineRow) -> [Value<'_>; 8] {
    [
        Value::int(line.position.get()),
        Value::id(line.todo),
        Value::int(line.version.get()),
        Value::Text(&line.event_type),
        Value::id(line.actor),
        Value::Time(line.recorded_at),
        Value::Text(&line.summary),
        Value::id_or_null(line.visible_to),
    ]
}

fn team_position_values((team, position): &(TeamId, Position)) -> [Value<'_>; 2] {
    [Value::id(*team), Value::int(position.get())]
}

/// The statement that makes `change`, and its values.
pub(super) fn team_change(tables: Tables, change: &TeamChange) -> (String, Vec<Value<'_>>) {
    match change {
        TeamChange::Created {
            team,
            name,
            created_by,
            created_at,
        } => (
            format!(
                "INSERT INTO {} (team_id, name, created_by, created_at) VALUES (?, ?, ?, ?)",
                tables.teams
            ),
            vec![
                Value::id(*team),
                Value::Text(name),
                Value::id(*created_by),
                Value::Time(*created_at),
            ],
        ),
        TeamChange::InvitationCreated {
            invitation,
            team,
            token_hash,
            single_use,
            created_by,
            created_at,
            expires_at,
        } => (
            format!(
                "INSERT INTO {} (invitation_id, team_id, token_hash, single_use, state,
                                 created_by, created_at, expires_at)
                 VALUES (?, ?, ?, ?, 'open', ?, ?, ?)",
                tables.invitations
            ),
            vec![
                Value::id(*invitation),
                Value::id(*team),
                Value::Text(token_hash),
                Value::Int(i64::from(*single_use)),
                Value::id(*created_by),
                Value::Time(*created_at),
                Value::Time(*expires_at),
            ],
        ),
        TeamChange::InvitationRevoked(invitation) => (
            format!(
                "UPDATE {} SET state = 'revoked' WHERE invitation_id = ?",
                tables.invitations
            ),
            vec![Value::id(*invitation)],
        ),
        TeamChange::InvitationUsed(invitation) => (
            format!(
                "UPDATE {} SET state = 'used' WHERE invitation_id = ? AND single_use",
                tables.invitations
            ),
            vec![Value::id(*invitation)],
        ),
        TeamChange::MemberJoined {
            team,
            user,
            joined_at,
            joined_position,
        } => (
            format!(
                "INSERT OR IGNORE INTO {} (team_id, user_id, joined_at, joined_position)
                 VALUES (?, ?, ?, ?)",
                tables.members
            ),
            vec![
                Value::id(*team),
                Value::id(*user),
                Value::Time(*joined_at),
                Value::int(joined_position.get()),
            ],
        ),
        TeamChange::MemberGone { team, user } => (
            format!(
                "DELETE FROM {} WHERE team_id = ? AND user_id = ?",
                tables.members
            ),
            vec![Value::id(*team), Value::id(*user)],
        ),
    }
}

/// The statement that moves the checkpoint of `tables` to `position`, and its values.
pub(super) fn checkpoint(
    tables: Tables,
    position: Position,
) -> (&'static str, [Value<'static>; 2]) {
    (
        "UPDATE projection_checkpoints SET position = ? WHERE name = ?",
        [Value::int(position.get()), Value::Text(tables.checkpoint)],
    )
}
