//! Channel names: `private-team.{teamId}.todos`, `private-todo.{todoId}` and
//! `private-user.{userId}.todos`. Anything else is refused, whole.

use crate::domain::{TeamId, TodoId, UserId};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// Every todo event of a team; for its members.
    Team(TeamId),
    /// Every event of one todo; for the members of its team.
    Todo(TodoId),
    /// The events of every todo a user may see; for that user alone.
    User(UserId),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    #[error("a channel name is at most {max} characters", max = Channel::MAX_LEN)]
    TooLong,
    #[error("“{0}” is not a channel of this app")]
    Unknown(String),
}

impl Channel {
    pub const MAX_LEN: usize = 164;

    pub fn parse(name: &str) -> Result<Self, ChannelError> {
        if name.len() > Self::MAX_LEN {
            return Err(ChannelError::TooLong);
        }
        let unknown = || ChannelError::Unknown(name.to_owned());
        let id_between = |prefix: &str, suffix: &str| {
            name.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(suffix))
                .filter(|id| id.len() == 36)
        };
        if let Some(id) = id_between("private-team.", ".todos") {
            return TeamId::parse(id).map(Self::Team).map_err(|_| unknown());
        }
        if let Some(id) = id_between("private-todo.", "") {
            return TodoId::parse(id).map(Self::Todo).map_err(|_| unknown());
        }
        if let Some(id) = id_between("private-user.", ".todos") {
            return UserId::parse(id).map(Self::User).map_err(|_| unknown());
        }
        Err(unknown())
    }

    /// The kind, for metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Team(_) => "team",
            Self::Todo(_) => "todo",
            Self::User(_) => "user",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Team(id) => write!(f, "private-team.{id}.todos"),
            Self::Todo(id) => write!(f, "private-todo.{id}"),
            Self::User(id) => write!(f, "private-user.{id}.todos"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_name_parses_back_to_itself() {
        for channel in [
            Channel::Team(TeamId::new()),
            Channel::Todo(TodoId::new()),
            Channel::User(UserId::new()),
        ] {
            assert_eq!(Channel::parse(&channel.to_string()), Ok(channel));
        }
    }

    #[test]
    fn near_misses_are_refused() {
        let team = TeamId::new();
        for name in [
            format!("team.{team}.todos"),
            format!("presence-team.{team}.todos"),
            format!("private-team.{team}"),
            format!("private-team.{team}.todos.x"),
            format!("private-team.{team}:x.todos"),
            format!(" private-todo.{team}"),
            "private-todo.9b2f1c1e-3f5a-4d6b-9c1a-2b3c4d5e6f70".to_owned(),
            "private-todo.".to_owned(),
            String::new(),
        ] {
            assert!(Channel::parse(&name).is_err(), "{name:?} should be refused");
        }
    }

    #[test]
    fn an_overlong_name_is_refused_before_it_is_read() {
        assert_eq!(
            Channel::parse(&"x".repeat(Channel::MAX_LEN + 1)),
            Err(ChannelError::TooLong)
        );
    }
}
