//! The values that go into and come out of the log.

use app::domain::{CommandId, Position, TeamId, TodoId, UserId, Version};
use chrono::{DateTime, Utc};
use std::fmt;

/// Why a string is not a stream id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a stream id is 1 to {max} printable ASCII characters, not {0:?}", max = StreamId::MAX_LEN)]
pub struct StreamIdError(pub String);

/// The name of one aggregate's stream, such as `todo-0192…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamId(String);

impl StreamId {
    pub const MAX_LEN: usize = 100;
    pub const TODO_PREFIX: &'static str = "todo-";
    pub const TEAM_PREFIX: &'static str = "team-";

    pub fn parse(text: &str) -> Result<Self, StreamIdError> {
        let valid = !text.is_empty()
            && text.len() <= Self::MAX_LEN
            && text.bytes().all(|b| b.is_ascii_graphic());
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(StreamIdError(text.to_owned()))
        }
    }

    pub fn for_todo(id: TodoId) -> Self {
        Self(format!("{}{id}", Self::TODO_PREFIX))
    }

    pub fn for_team(id: TeamId) -> Self {
        Self(format!("{}{id}", Self::TEAM_PREFIX))
    }

    /// The todo whose stream this is, if it is a todo's.
    pub fn todo(&self) -> Option<TodoId> {
        self.0
            .strip_prefix(Self::TODO_PREFIX)
            .and_then(|id| TodoId::parse(id).ok())
    }

    /// The team whose stream this is, if it is a team's.
    pub fn team(&self) -> Option<TeamId> {
        self.0
            .strip_prefix(Self::TEAM_PREFIX)
            .and_then(|id| TeamId::parse(id).ok())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An event on its way into the log.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event_type: String,
    pub schema_version: u16,
    pub payload: serde_json::Value,
}

/// One command's events for one stream, with the version the command saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Append {
    pub stream: StreamId,
    pub expected_version: Version,
    pub command_id: CommandId,
    pub actor: UserId,
    pub events: Vec<NewEvent>,
}

/// Where a committed command's events landed. Positions and versions are inclusive ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Committed {
    pub first_position: Position,
    pub last_position: Position,
    pub first_version: Version,
    pub last_version: Version,
}

/// The answer to an append: where its events are, and whether this call wrote them or an
/// earlier call with the same command id did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendOutcome {
    pub committed: Committed,
    pub duplicate: bool,
}

/// An event as the log holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    pub position: Position,
    pub stream: StreamId,
    pub version: Version,
    pub event_type: String,
    pub schema_version: u16,
    pub payload: serde_json::Value,
    pub actor: UserId,
    pub command_id: CommandId,
    pub recorded_at: DateTime<Utc>,
}
