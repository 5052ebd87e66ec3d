//! What server functions return: plain data, already sanitised for the viewer.

use crate::domain::{Position, TeamId, TodoId, Version, todo::TodoStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A team the viewer belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSummary {
    pub id: TeamId,
    pub name: String,
}

/// One line of a team's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoSummary {
    pub id: TodoId,
    pub title: String,
    pub status: TodoStatus,
    pub version: Version,
    pub updated_at: DateTime<Utc>,
}

/// A team's todos as of `position` in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamBoard {
    pub team: TeamSummary,
    pub todos: Vec<TodoSummary>,
    pub position: Position,
}

/// A todo as the viewer may see it. `notes` is `None` for anyone but the author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoView {
    pub id: TodoId,
    pub team: TeamSummary,
    pub title: String,
    pub description: String,
    pub notes: Option<String>,
    pub status: TodoStatus,
    pub version: Version,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One event of a todo's activity timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub position: Position,
    pub version: Version,
    pub event_type: String,
    pub actor_name: String,
    pub recorded_at: DateTime<Utc>,
    pub summary: String,
}

/// A todo and its timeline as of `position` in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoDetail {
    pub todo: TodoView,
    pub timeline: Vec<TimelineEntry>,
    pub position: Position,
}

/// The answer to a command: where its events landed. `duplicate` says that an earlier attempt
/// with the same command id wrote them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandReceipt {
    pub todo_id: TodoId,
    pub position: Position,
    pub version: Version,
    pub duplicate: bool,
}
