//! What a person may ask of a todo.

use super::TodoCreated;
use crate::domain::{Description, InternalNotes, TodoTitle};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TodoCommand {
    /// Makes a draft; the event it records is exactly what was asked.
    Create(TodoCreated),
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
