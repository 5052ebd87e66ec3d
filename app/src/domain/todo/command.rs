//! What a person may ask of a todo.

use crate::domain::{Description, InternalNotes, TeamId, TodoId, TodoTitle, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TodoCommand {
    /// Makes a draft.
    Create {
        todo_id: TodoId,
        team_id: TeamId,
        author: UserId,
        title: TodoTitle,
        description: Description,
        notes: InternalNotes,
    },
    Activate,
    /// Replaces the title, description and notes; refused once completed or archived.
    Update {
        title: TodoTitle,
        description: Description,
        notes: InternalNotes,
    },
    Complete,
    Reopen,
    Archive,
}
