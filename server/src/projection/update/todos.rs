//! How one event of a todo's stream changes its row and adds a line to its timeline.

use super::{TimelineRow, TodoRow, corrupt};
use crate::store::RecordedEvent;
use app::domain::{
    TodoId,
    todo::{Todo, TodoEvent, apply},
};

/// The todo's row after `event`, and the event's timeline line.
pub(super) fn fold(
    before: Option<TodoRow>,
    event: &RecordedEvent,
    todo: TodoId,
) -> Result<(TodoRow, TimelineRow), crate::projection::ProjectionError> {
    let decoded = TodoEvent::decode(&event.event_type, event.schema_version, &event.payload)
        .map_err(|error| corrupt(event, error))?;
    let entry = summarise(before.as_ref().map(|row| &row.todo), &decoded);
    let shared = !decoded.is_private();
    let (created_at, updated_before) = match &before {
        Some(row) => (row.created_at, row.updated_at),
        None => (event.recorded_at, event.recorded_at),
    };
    let after = apply(before.map(|row| row.todo), &decoded)
        .ok_or_else(|| corrupt(event, "it precedes its todo's creation"))?;
    let line = TimelineRow {
        position: event.position,
        todo,
        version: event.version,
        event_type: event.event_type.clone(),
        actor: event.actor,
        recorded_at: event.recorded_at,
        summary: entry.summary,
        visible_to: entry.author_only.then_some(after.author),
    };
    let row = TodoRow {
        todo: after,
        created_at,
        // A private event leaves the time the team sees, as it leaves the version.
        updated_at: if shared {
            event.recorded_at
        } else {
            updated_before
        },
        last_position: event.position,
    };
    Ok((row, line))
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
