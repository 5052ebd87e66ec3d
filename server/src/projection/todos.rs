//! The todo projection: folds one recorded event into a todo's row and its timeline, with the
//! domain's own `apply`, so the read model can never disagree with the aggregate.

use super::{ProjectionError, Tables, timestamp};
use crate::store::RecordedEvent;
use app::domain::{
    Description, InternalNotes, TeamId, TodoId, TodoTitle, UserId, Version,
    todo::{Todo, TodoEvent, TodoStatus, apply},
};
use sqlx::{Row, SqliteConnection, sqlite::SqliteRow};

/// Projects one event of a todo's stream into `tables`; answers the todo's team.
pub async fn project(
    conn: &mut SqliteConnection,
    tables: Tables,
    event: &RecordedEvent,
) -> Result<TeamId, ProjectionError> {
    let Some(todo_id) = event.stream.todo() else {
        return Err(ProjectionError::Corrupt(format!(
            "event {} is not a todo's",
            event.position
        )));
    };
    let decoded = TodoEvent::decode(
        &event.event_type,
        event.schema_version,
        event.payload.clone(),
    )
    .map_err(|error| ProjectionError::Corrupt(format!("event {}: {error}", event.position)))?;
    let before = load(conn, tables, todo_id).await?;
    let entry = summarise(before.as_ref(), &decoded);
    let after = apply(before, &decoded).ok_or_else(|| {
        ProjectionError::Corrupt(format!(
            "event {} precedes its todo's creation",
            event.position
        ))
    })?;
    upsert(conn, tables, &after, event, !decoded.is_private()).await?;
    let timeline = format!(
        "INSERT INTO {} (position, todo_id, version, event_type, actor, recorded_at, summary,
                         visible_to)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        tables.timeline
    );
    sqlx::query(&timeline)
        .bind(event.position.get() as i64)
        .bind(todo_id.to_string())
        .bind(event.version.get() as i64)
        .bind(&event.event_type)
        .bind(event.actor.to_string())
        .bind(timestamp(event))
        .bind(entry.summary)
        .bind(entry.author_only.then(|| after.author.to_string()))
        .execute(conn)
        .await?;
    Ok(after.team_id)
}

/// A line of the activity timeline.
struct Entry {
    summary: String,
    /// Whether only the todo's author may read it: it is about the internal notes alone.
    author_only: bool,
}

/// A line for the activity timeline. It names what changed, but never the internal notes'
/// content, which only the author may read; a change of the notes alone is the author's only.
fn summarise(before: Option<&Todo>, event: &TodoEvent) -> Entry {
    let shared = |summary: &str| Entry {
        summary: summary.to_owned(),
        author_only: false,
    };
    let notes_changed = Entry {
        summary: "Changed the internal notes".into(),
        author_only: true,
    };
    match (before, event) {
        (_, TodoEvent::Created(created)) => shared(&format!("Created “{}”", created.title)),
        (_, TodoEvent::Activated) => shared("Activated"),
        (_, TodoEvent::Completed) => shared("Completed"),
        (_, TodoEvent::Reopened) => shared("Reopened"),
        (_, TodoEvent::Archived) => shared("Archived"),
        (_, TodoEvent::NotesChanged(_)) => notes_changed,
        (Some(todo), TodoEvent::Updated(updated)) => {
            let mut changes = Vec::new();
            if updated.title != todo.title {
                changes.push(format!("renamed it to “{}”", updated.title));
            }
            if updated.description != todo.description {
                changes.push("edited the description".to_owned());
            }
            // Before notes edits had an event of their own, they were updates like this one.
            if changes.is_empty() {
                return notes_changed;
            }
            let text = changes.join(" and ");
            let mut chars = text.chars();
            shared(
                &chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default(),
            )
        }
        (None, TodoEvent::Updated(_)) => shared("Edited"),
    }
}

async fn load(
    conn: &mut SqliteConnection,
    tables: Tables,
    todo_id: TodoId,
) -> Result<Option<Todo>, ProjectionError> {
    let sql = format!(
        "SELECT todo_id, team_id, author, title, description, notes, status, version,
                shared_version
         FROM {} WHERE todo_id = ?",
        tables.todos
    );
    let row = sqlx::query(&sql)
        .bind(todo_id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|row| todo_from_row(&row)).transpose()
}

/// Reads the domain's `Todo` back from a row of the todos table.
pub fn todo_from_row(row: &SqliteRow) -> Result<Todo, ProjectionError> {
    let corrupt = |what: &str| ProjectionError::Corrupt(format!("todo row: bad {what}"));
    let text = |column: &str| row.try_get::<String, _>(column);
    Ok(Todo {
        id: TodoId::parse(&text("todo_id")?).map_err(|_| corrupt("todo_id"))?,
        team_id: TeamId::parse(&text("team_id")?).map_err(|_| corrupt("team_id"))?,
        author: UserId::parse(&text("author")?).map_err(|_| corrupt("author"))?,
        title: TodoTitle::parse(&text("title")?).map_err(|_| corrupt("title"))?,
        description: Description::parse(&text("description")?)
            .map_err(|_| corrupt("description"))?,
        notes: InternalNotes::parse(&text("notes")?).map_err(|_| corrupt("notes"))?,
        status: TodoStatus::parse(&text("status")?).ok_or_else(|| corrupt("status"))?,
        version: Version::new(row.try_get::<i64, _>("version")? as u64),
        shared_version: Version::new(row.try_get::<i64, _>("shared_version")? as u64),
    })
}

/// Writes the todo's row. `updated_at` is the time of its last shared event: a private one
/// leaves it, as it leaves the version that the team sees.
async fn upsert(
    conn: &mut SqliteConnection,
    tables: Tables,
    todo: &Todo,
    event: &RecordedEvent,
    shared: bool,
) -> Result<(), ProjectionError> {
    let sql = format!(
        "INSERT INTO {} (todo_id, team_id, author, title, description, notes, status, version,
                         shared_version, created_at, updated_at, last_position)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (todo_id) DO UPDATE SET
             title = excluded.title, description = excluded.description, notes = excluded.notes,
             status = excluded.status, version = excluded.version,
             shared_version = excluded.shared_version,
             updated_at = CASE WHEN ? THEN excluded.updated_at ELSE updated_at END,
             last_position = excluded.last_position",
        tables.todos
    );
    sqlx::query(&sql)
        .bind(todo.id.to_string())
        .bind(todo.team_id.to_string())
        .bind(todo.author.to_string())
        .bind(todo.title.as_str())
        .bind(todo.description.as_str())
        .bind(todo.notes.as_str())
        .bind(todo.status.as_str())
        .bind(todo.version.get() as i64)
        .bind(todo.shared_version.get() as i64)
        .bind(timestamp(event))
        .bind(timestamp(event))
        .bind(event.position.get() as i64)
        .bind(shared)
        .execute(conn)
        .await?;
    Ok(())
}
