//! The Todo aggregate: `decide` turns a command into events or a refusal, `apply` folds an
//! event into the state. Both are pure.

use super::{
    TodoAction, TodoCommand, TodoEvent, TodoNotesChanged, TodoStatus, TodoUpdated, refusal,
};
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
    /// The version of its last event that the whole team sees: what is shown to everyone
    /// but the author, since a private event (see [`TodoEvent::is_private`]) is not.
    pub shared_version: Version,
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
        TodoCommand::Activate => (TodoAction::Activate, Some(TodoEvent::Activated)),
        TodoCommand::Complete => (TodoAction::Complete, Some(TodoEvent::Completed)),
        TodoCommand::Reopen => (TodoAction::Reopen, Some(TodoEvent::Reopened)),
        TodoCommand::Archive => (TodoAction::Archive, Some(TodoEvent::Archived)),
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
            (TodoAction::Update, todo.edit(title, description, notes))
        }
        TodoCommand::Create(_) => unreachable!("handled above"),
    };
    if todo.status.after(kind).is_none() {
        return Err(TodoError::IllegalTransition {
            action: kind,
            from: todo.status,
        });
    }
    Ok(event.into_iter().collect())
}

impl Todo {
    /// The event an edit records: none if it changes nothing, a private one if it changes
    /// only the internal notes, and otherwise the whole edit, which the team sees (without
    /// the notes: those never travel).
    fn edit(
        &self,
        title: TodoTitle,
        description: Description,
        notes: InternalNotes,
    ) -> Option<TodoEvent> {
        if title != self.title || description != self.description {
            Some(TodoEvent::Updated(TodoUpdated {
                title,
                description,
                notes,
            }))
        } else if notes != self.notes {
            Some(TodoEvent::NotesChanged(TodoNotesChanged { notes }))
        } else {
            None
        }
    }

    /// Whether a command decided on this todo as it stood at version `seen` still applies:
    /// it is refused (stale) if the todo changed since in a way that it would overwrite or
    /// that its sender did not see. A command that sets the internal notes needs `seen` to
    /// be the current version; any other may have been decided before the private events
    /// since the last shared one, which it leaves alone. `Err` holds the version to tell
    /// the sender about.
    pub fn check_seen(&self, seen: Version, command: &TodoCommand) -> Result<(), Version> {
        if command.sets_notes() {
            return if seen == self.version {
                Ok(())
            } else {
                Err(self.version)
            };
        }
        if (self.shared_version..=self.version).contains(&seen) {
            Ok(())
        } else {
            Err(self.shared_version)
        }
    }

    /// The version `viewer` is shown: the author sees every event, the others the shared ones.
    pub fn version_for(&self, viewer: UserId) -> Version {
        if viewer == self.author {
            self.version
        } else {
            self.shared_version
        }
    }
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
            shared_version: Version::NONE.next(),
        }),
        (Some(mut todo), event) => {
            match event {
                TodoEvent::Updated(updated) => {
                    todo.title = updated.title.clone();
                    todo.description = updated.description.clone();
                    todo.notes = updated.notes.clone();
                }
                TodoEvent::NotesChanged(changed) => todo.notes = changed.notes.clone(),
                _ => {}
            }
            todo.status = event.status_after(todo.status);
            todo.version = todo.version.next();
            if !event.is_private() {
                todo.shared_version = todo.version;
            }
            Some(todo)
        }
        (None, _) => None,
    }
}

/// Replays a stream from its first event.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a TodoEvent>) -> Option<Todo> {
    events.into_iter().fold(None, apply)
}
