//! What server functions return: plain data, already sanitised for the viewer.

use crate::{
    domain::{
        CommandId, InvitationId, Position, TeamId, TodoId, UserId, Version, todo::TodoStatus,
    },
    live::LiveEvent,
};
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

impl TeamBoard {
    /// Applies a broadcast: the board then reflects its position. Events at or before the
    /// board's position are already in it and change nothing.
    pub fn apply(&mut self, event: &LiveEvent) {
        if event.position <= self.position || event.todo.team_id != self.team.id {
            return;
        }
        self.position = event.position;
        let summary = TodoSummary {
            id: event.todo.id,
            title: event.todo.title.clone(),
            status: event.todo.status,
            version: event.todo.version,
            updated_at: event.recorded_at,
        };
        match self.todos.iter_mut().find(|todo| todo.id == summary.id) {
            Some(todo) => *todo = summary,
            None => self.todos.push(summary),
        }
    }
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
/// with the same command id wrote them; `broadcast`, that a broadcast carries them (not so
/// for a command that wrote nothing, or only what its author alone sees: internal notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandReceipt {
    pub command_id: CommandId,
    pub todo_id: TodoId,
    pub position: Position,
    pub version: Version,
    pub duplicate: bool,
    pub broadcast: bool,
}

/// The signed-in person and their teams, as the top bar and the home page show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub teams: Vec<TeamSummary>,
}

/// One member of a team. `owner`: the longest-standing member, who may remove the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: UserId,
    pub display_name: String,
    pub joined_at: DateTime<Utc>,
    pub owner: bool,
}

/// Where an invite link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationStatus {
    Open,
    Used,
    Revoked,
    Expired,
}

impl InvitationStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Used => "used",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }
}

/// An invite link as members see it. The link itself is shown once, when it is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: InvitationId,
    pub single_use: bool,
    pub status: InvitationStatus,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A team's members and invite links as of `position` in the log, as `viewer` sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMembers {
    pub team: TeamSummary,
    pub viewer: UserId,
    pub members: Vec<MemberView>,
    pub invitations: Vec<InvitationView>,
    pub position: Position,
    /// The link this session just made with a form posted without JavaScript, shown once
    /// (the answer to such a post is a redirect, which cannot carry it).
    pub held_invitation: Option<NewInvitation>,
}

/// The answer to a team command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamReceipt {
    pub team_id: TeamId,
    pub position: Position,
    pub duplicate: bool,
}

/// A new invite link. `path` (`/join/<token>`) is shown this once: the server keeps only a
/// hash of the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInvitation {
    pub id: InvitationId,
    pub path: String,
    pub single_use: bool,
    pub expires_at: DateTime<Utc>,
}

/// What an invite link leads to, for the person about to join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitePreview {
    pub team: TeamSummary,
    pub already_member: bool,
    pub expires_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::LiveTodo;

    fn board() -> TeamBoard {
        TeamBoard {
            team: TeamSummary {
                id: TeamId::new(),
                name: "Crew".into(),
            },
            todos: Vec::new(),
            position: Position::new(10),
        }
    }

    fn event(board: &TeamBoard, position: u64, todo: TodoId, status: TodoStatus) -> LiveEvent {
        LiveEvent {
            event: "TodoCreated".into(),
            position: Position::new(position),
            command_id: String::new(),
            recorded_at: chrono::Utc::now(),
            todo: LiveTodo {
                id: todo,
                team_id: board.team.id,
                title: "Paint".into(),
                description: String::new(),
                status,
                version: Version::new(position),
            },
        }
    }

    #[test]
    fn a_later_event_adds_or_replaces_its_todo_and_moves_the_position() {
        let mut board = board();
        let todo = TodoId::new();
        board.apply(&event(&board, 11, todo, TodoStatus::Draft));
        board.apply(&event(&board, 12, todo, TodoStatus::Active));
        assert_eq!(board.todos.len(), 1);
        assert_eq!(board.todos[0].status, TodoStatus::Active);
        assert_eq!(board.position, Position::new(12));
    }

    #[test]
    fn an_event_the_board_already_reflects_changes_nothing() {
        let mut board = board();
        let before = board.clone();
        board.apply(&event(&board, 10, TodoId::new(), TodoStatus::Draft));
        assert_eq!(board, before);
    }
}
