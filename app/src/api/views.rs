//! What server functions return: plain data, already sanitised for the viewer.

use crate::domain::{InvitationId, Position, TeamId, TodoId, UserId, Version, todo::TodoStatus};
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

/// The signed-in person and their teams, as the top bar and the home page show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub teams: Vec<TeamSummary>,
}

/// One member of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: UserId,
    pub display_name: String,
    pub joined_at: DateTime<Utc>,
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

/// A team's members and invite links as of `position` in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMembers {
    pub team: TeamSummary,
    pub members: Vec<MemberView>,
    pub invitations: Vec<InvitationView>,
    pub position: Position,
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
