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
        // An id only in its canonical spelling, lower-case and hyphenated: ids parse trimmed
        // and in either case, but a channel has one name, the one it prints.
        let canonical = |id: &&str| {
            id.len() == 36
                && id
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f' | b'-'))
        };
        let id_between = |prefix: &str, suffix: &str| {
            name.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(suffix))
                .filter(canonical)
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
    fn a_channel_is_refused_in_any_spelling_but_its_own() {
        let team: TeamId = "0190f5a4-7c3e-7b8a-9d2e-1f3a5b7c9d0e".parse().unwrap();
        assert_eq!(
            Channel::parse(&format!("private-team.{team}.todos")),
            Ok(Channel::Team(team))
        );
        for name in [
            "private-team.0190F5A4-7C3E-7B8A-9D2E-1F3A5B7C9D0E.todos",
            "private-team.  0190f5a47c3e7b8a9d2e1f3a5b7c9d0e  .todos",
            "private-todo.0190f5a4-7c3e-7b8a-9d2e-1F3A5B7C9D0E",
        ] {
            assert_eq!(
                Channel::parse(name),
                Err(ChannelError::Unknown(name.to_owned())),
                "{name:?} should be refused"
            );
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
