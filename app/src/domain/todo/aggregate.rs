//! The Todo aggregate: `decide` turns a command into events or a refusal, `apply` folds an
//! event into the state. Both are pure.

use super::{TodoAction, TodoCommand, TodoEvent, TodoStatus, TodoUpdated, refusal};
use crate::domain::{Description, InternalNotes, TeamId, TodoId, TodoTitle, UserId, Version};
use serde::{Deserialize, Serialize};

/// A todo as its events left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Todo {
    pub id: TodoId,
    pub team_id: TeamId,
    pub author: UserId,
    pub title: TodoTitle,
    pub description: Description,
    pub notes: InternalNotes,
    pub status: TodoStatus,
    pub version: Version,
}

/// Why a command was refused. The message is meant for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TodoError {
    #[error("This todo already exists.")]
    AlreadyExists,
    #[error("There is no such todo.")]
    NotFound,
    #[error("Only the todo's author can see and edit its internal notes.")]
    NotesArePrivate,
    #[error("{}", refusal(*action, *from))]
    IllegalTransition {
        action: TodoAction,
        from: TodoStatus,
    },
}

/// Decides what `command` means for a todo in `state` (`None`: it does not exist yet).
pub fn decide(state: Option<&Todo>, command: TodoCommand) -> Result<Vec<TodoEvent>, TodoError> {
    let (todo, action) = match (state, command) {
        (None, TodoCommand::Create(created)) => return Ok(vec![TodoEvent::Created(created)]),
        (Some(_), TodoCommand::Create(_)) => return Err(TodoError::AlreadyExists),
        (None, _) => return Err(TodoError::NotFound),
        (Some(todo), command) => (todo, command),
    };
    let (kind, event) = match action {
        TodoCommand::Activate => (TodoAction::Activate, TodoEvent::Activated),
        TodoCommand::Complete => (TodoAction::Complete, TodoEvent::Completed),
        TodoCommand::Reopen => (TodoAction::Reopen, TodoEvent::Reopened),
        TodoCommand::Archive => (TodoAction::Archive, TodoEvent::Archived),
        TodoCommand::Update {
            by,
            title,
            description,
            notes,
        } => {
            if notes.is_some() && by != todo.author {
                return Err(TodoError::NotesArePrivate);
            }
            let notes = notes.unwrap_or_else(|| todo.notes.clone());
            (
                TodoAction::Update,
                TodoEvent::Updated(TodoUpdated {
                    title,
                    description,
                    notes,
                }),
            )
        }
        TodoCommand::Create(_) => unreachable!("handled above"),
    };
    if todo.status.after(kind).is_none() {
        return Err(TodoError::IllegalTransition {
            action: kind,
            from: todo.status,
        });
    }
    if let TodoEvent::Updated(update) = &event
        && update.title == todo.title
        && update.description == todo.description
        && update.notes == todo.notes
    {
        return Ok(Vec::new());
    }
    Ok(vec![event])
}

/// Folds one event into the state. Events come from the log, so they are trusted to be legal.
pub fn apply(state: Option<Todo>, event: &TodoEvent) -> Option<Todo> {
    match (state, event) {
        (None, TodoEvent::Created(created)) => Some(Todo {
            id: created.todo_id,
            team_id: created.team_id,
            author: created.author,
            title: created.title.clone(),
            description: created.description.clone(),
            notes: created.notes.clone(),
            status: TodoStatus::Draft,
            version: Version::NONE.next(),
        }),
        (Some(mut todo), event) => {
            if let TodoEvent::Updated(updated) = event {
                todo.title = updated.title.clone();
                todo.description = updated.description.clone();
                todo.notes = updated.notes.clone();
            }
            todo.status = event.status_after(todo.status);
            todo.version = todo.version.next();
            Some(todo)
        }
        (None, _) => None,
    }
}

/// Replays a stream from its first event.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a TodoEvent>) -> Option<Todo> {
    events.into_iter().fold(None, apply)
}
