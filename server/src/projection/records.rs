//! What the read models answer: teams, members, invite links and memberships. A todo's row
//! and its timeline lines are [`TodoRow`](super::TodoRow) and
//! [`TimelineRow`](super::TimelineRow), as the view update writes them.

use app::domain::{InvitationId, Position, TeamId, TodoId, UserId};
use chrono::{DateTime, Utc};

/// A team, by id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRecord {
    pub id: TeamId,
    pub name: String,
}

/// A member of a team; `owner`: the longest-standing one, who may remove the others
/// (`app::domain::team::Team::owner`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub user: UserId,
    pub joined_at: DateTime<Utc>,
    pub owner: bool,
}

/// An invite link's row. Expiry is left to the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    pub id: InvitationId,
    pub team: TeamId,
    pub single_use: bool,
    pub state: InvitationState,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Where an invite link stands, as its events left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Open,
    Used,
    Revoked,
}

impl InvitationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Used => "used",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Open, Self::Used, Self::Revoked]
            .into_iter()
            .find(|state| state.as_str() == text)
    }
}

/// Where a membership comes from: a team, or the team of a todo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamOf {
    Team(TeamId),
    Todo(TodoId),
}

/// Whether a user belongs to a team, and the position the answer reflects (rows and
/// checkpoint read from one snapshot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub team: TeamRecord,
    pub member: bool,
    pub as_of: Position,
}
