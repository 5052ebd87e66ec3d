//! A todo's lifecycle, and the one table of which action is legal from which status.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a todo stands: draft -> active -> completed, with reopen and archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TodoStatus {
    Draft,
    Active,
    Completed,
    Archived,
}

/// A change of status, or an edit, that a person may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TodoAction {
    Activate,
    Update,
    Complete,
    Reopen,
    Archive,
}

impl TodoStatus {
    pub const ALL: [TodoStatus; 4] = [Self::Draft, Self::Active, Self::Completed, Self::Archived];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Completed => "completed",
            Self::Archived => "archived",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// The status that `action` leads to from here, or `None` when it is not allowed.
    pub fn after(self, action: TodoAction) -> Option<TodoStatus> {
        use TodoAction as A;
        use TodoStatus as S;
        match (self, action) {
            (S::Draft, A::Activate) => Some(S::Active),
            (S::Active, A::Complete) => Some(S::Completed),
            (S::Completed, A::Reopen) => Some(S::Active),
            (S::Draft | S::Active, A::Update) => Some(self),
            (S::Draft | S::Active | S::Completed, A::Archive) => Some(S::Archived),
            _ => None,
        }
    }

    /// The status changes offered from here, in the order the UI shows them.
    pub fn transitions(self) -> Vec<TodoAction> {
        [
            TodoAction::Activate,
            TodoAction::Complete,
            TodoAction::Reopen,
            TodoAction::Archive,
        ]
        .into_iter()
        .filter(|action| self.after(*action).is_some())
        .collect()
    }

    pub fn is_editable(self) -> bool {
        self.after(TodoAction::Update).is_some()
    }
}

impl fmt::Display for TodoStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TodoAction {
    pub const ALL: [TodoAction; 5] = [
        Self::Activate,
        Self::Update,
        Self::Complete,
        Self::Reopen,
        Self::Archive,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Activate => "activate",
            Self::Update => "update",
            Self::Complete => "complete",
            Self::Reopen => "reopen",
            Self::Archive => "archive",
        }
    }

    /// The button label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Activate => "Activate",
            Self::Update => "Save",
            Self::Complete => "Complete",
            Self::Reopen => "Reopen",
            Self::Archive => "Archive",
        }
    }
}

/// Why `action` is refused from `from`, in words a person can act on.
pub fn refusal(action: TodoAction, from: TodoStatus) -> String {
    use TodoAction as A;
    use TodoStatus as S;
    match (action, from) {
        (A::Activate, S::Active) => "This todo is already active.".into(),
        (A::Activate, S::Completed) => {
            "A completed todo cannot be activated; reopen it instead.".into()
        }
        (A::Complete, S::Draft) => "A draft cannot be completed; activate it first.".into(),
        (A::Complete, S::Completed) => "This todo is already completed.".into(),
        (A::Update, S::Completed) => "A completed todo cannot be edited; reopen it first.".into(),
        (A::Reopen, S::Draft | S::Active) => {
            format!("Only a completed todo can be reopened; this one is {from}.")
        }
        (A::Archive, S::Archived) => "This todo is already archived.".into(),
        (_, S::Archived) => format!("An archived todo cannot be {}d.", verb_stem(action)),
        _ => format!("A todo that is {from} cannot be {}d.", verb_stem(action)),
    }
}

fn verb_stem(action: TodoAction) -> &'static str {
    match action {
        TodoAction::Activate => "activate",
        TodoAction::Update => "update",
        TodoAction::Complete => "complete",
        TodoAction::Reopen => "reopene",
        TodoAction::Archive => "archive",
    }
}
