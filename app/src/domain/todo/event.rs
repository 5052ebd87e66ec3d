//! The Todo's events, and how each is named and encoded in the log.

use super::TodoStatus;
use crate::domain::{Description, InternalNotes, TeamId, TodoId, TodoTitle, UserId};
use serde::{Deserialize, Serialize};

/// The first event of every todo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoCreated {
    pub todo_id: TodoId,
    pub team_id: TeamId,
    pub author: UserId,
    pub title: TodoTitle,
    pub description: Description,
    pub notes: InternalNotes,
}

/// An edit: the new title, description and internal notes, each in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoUpdated {
    pub title: TodoTitle,
    pub description: Description,
    pub notes: InternalNotes,
}

/// An edit of the internal notes alone, which only the todo's author sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoNotesChanged {
    pub notes: InternalNotes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TodoEvent {
    Created(TodoCreated),
    Activated,
    Updated(TodoUpdated),
    NotesChanged(TodoNotesChanged),
    Completed,
    Reopened,
    Archived,
}

/// Why a stored event could not be read back as a `TodoEvent`.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown event type {0:?}")]
    UnknownType(String),
    #[error("{event_type} has no schema version {schema_version}")]
    UnknownSchema {
        event_type: String,
        schema_version: u16,
    },
    #[error("malformed {event_type} payload: {source}")]
    Payload {
        event_type: String,
        source: serde_json::Error,
    },
}

impl TodoEvent {
    /// Every todo event is at schema version 1; an upcaster goes into `decode` when one changes.
    pub const SCHEMA_VERSION: u16 = 1;

    pub const TYPES: [&'static str; 7] = [
        "TodoCreated",
        "TodoActivated",
        "TodoUpdated",
        "TodoNotesChanged",
        "TodoCompleted",
        "TodoReopened",
        "TodoArchived",
    ];

    /// The name in the log and on the wire.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::Created(_) => "TodoCreated",
            Self::Activated => "TodoActivated",
            Self::Updated(_) => "TodoUpdated",
            Self::NotesChanged(_) => "TodoNotesChanged",
            Self::Completed => "TodoCompleted",
            Self::Reopened => "TodoReopened",
            Self::Archived => "TodoArchived",
        }
    }

    pub fn payload(&self) -> serde_json::Value {
        let encoded = match self {
            Self::Created(created) => serde_json::to_value(created),
            Self::Updated(updated) => serde_json::to_value(updated),
            Self::NotesChanged(changed) => serde_json::to_value(changed),
            _ => Ok(serde_json::json!({})),
        };
        encoded.expect("todo events are plain data and always encode")
    }

    /// Whether only the todo's author sees this event: it is never broadcast, and it is in
    /// no one else's timeline. Every other event is shared with the whole team.
    pub fn is_private(&self) -> bool {
        matches!(self, Self::NotesChanged(_))
    }

    /// The status a todo has after this event.
    pub fn status_after(&self, before: TodoStatus) -> TodoStatus {
        match self {
            Self::Created(_) => TodoStatus::Draft,
            Self::Activated | Self::Reopened => TodoStatus::Active,
            Self::Updated(_) | Self::NotesChanged(_) => before,
            Self::Completed => TodoStatus::Completed,
            Self::Archived => TodoStatus::Archived,
        }
    }

    pub fn decode(
        event_type: &str,
        schema_version: u16,
        payload: &serde_json::Value,
    ) -> Result<Self, DecodeError> {
        if !Self::TYPES.contains(&event_type) {
            return Err(DecodeError::UnknownType(event_type.to_owned()));
        }
        if schema_version != Self::SCHEMA_VERSION {
            return Err(DecodeError::UnknownSchema {
                event_type: event_type.to_owned(),
                schema_version,
            });
        }
        let payload_error = |source| DecodeError::Payload {
            event_type: event_type.to_owned(),
            source,
        };
        Ok(match event_type {
            "TodoCreated" => {
                Self::Created(Deserialize::deserialize(payload).map_err(payload_error)?)
            }
            "TodoUpdated" => {
                Self::Updated(Deserialize::deserialize(payload).map_err(payload_error)?)
            }
            "TodoNotesChanged" => {
                Self::NotesChanged(Deserialize::deserialize(payload).map_err(payload_error)?)
            }
            "TodoActivated" => Self::Activated,
            "TodoCompleted" => Self::Completed,
            "TodoReopened" => Self::Reopened,
            "TodoArchived" => Self::Archived,
            other => return Err(DecodeError::UnknownType(other.to_owned())),
        })
    }
}
