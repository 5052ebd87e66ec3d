//! What a person may ask of a todo.

use super::TodoCreated;
use crate::domain::{Description, InternalNotes, TodoTitle, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TodoCommand {
    /// Makes a draft; the event it records is exactly what was asked.
    Create(TodoCreated),
    Activate,
    /// Replaces the title and description, and the internal notes when `notes` is given
    /// (only the author may give them; an empty text clears them). Refused once completed
    /// or archived.
    Update {
        by: UserId,
        title: TodoTitle,
        description: Description,
        notes: Option<InternalNotes>,
    },
    Complete,
    Reopen,
    Archive,
}

impl TodoCommand {
    /// Whether it sets the internal notes (an edit from the author's form, which has them).
    pub fn sets_notes(&self) -> bool {
        matches!(self, Self::Update { notes: Some(_), .. })
    }
}
