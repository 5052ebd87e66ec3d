//! Deciding, without I/O, what becomes of each append of a group: given what the database
//! holds when the group's transaction starts, each append is a duplicate, a conflict, or
//! accepted at the next positions. Appends are decided in arrival order, each seeing the
//! ones accepted before it, exactly as if they had been committed one by one.

use super::encode::EncodedAppend;
use crate::store::{Committed, StreamId};
use app::domain::{CommandId, Position, Version};
use std::collections::HashMap;

/// What the database holds, for the streams and commands of one group.
#[derive(Debug, Default)]
pub(in crate::store) struct Known {
    /// Streams missing here do not exist yet.
    pub streams: HashMap<StreamId, StreamHead>,
    pub commands: HashMap<CommandId, Committed>,
    pub head: Position,
}

/// A stream's current version, and the position of its last event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::store) struct StreamHead {
    pub version: Version,
    pub last_position: Position,
}

/// What becomes of one append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::store) enum Fate {
    /// Its command id was committed before (in an earlier group or earlier in this one).
    Duplicate(Committed),
    /// Its stream is not at the version it expected.
    Conflict { actual: Version },
    /// It is written, here. Its first event links to `follows`, its stream's last event
    /// before it (none for a new stream), and each of its other events to the one before.
    Accepted {
        committed: Committed,
        follows: Option<Position>,
    },
}

/// Decides every append of `group`, in order.
pub(in crate::store) fn plan<'a>(
    group: impl IntoIterator<Item = &'a EncodedAppend>,
    known: Known,
) -> Vec<Fate> {
    let mut planner = Planner { known };
    group.into_iter().map(|a| planner.decide(a)).collect()
}

struct Planner {
    known: Known,
}

impl Planner {
    fn decide(&mut self, append: &EncodedAppend) -> Fate {
        if let Some(first) = self.known.commands.get(&append.command_id) {
            return Fate::Duplicate(*first);
        }
        let head = self.known.streams.get(&append.stream).copied();
        let actual = head.map_or(Version::NONE, |head| head.version);
        if actual != append.expected_version {
            return Fate::Conflict { actual };
        }
        Fate::Accepted {
            committed: self.accept(append),
            follows: head.map(|head| head.last_position),
        }
    }

    fn accept(&mut self, append: &EncodedAppend) -> Committed {
        let head = self.known.head.get();
        let expected = append.expected_version.get();
        let committed = Committed {
            first_position: Position::new(head + 1),
            last_position: Position::new(head + append.event_count()),
            first_version: Version::new(expected + 1),
            last_version: Version::new(expected + append.event_count()),
        };
        self.known.head = committed.last_position;
        let head = StreamHead {
            version: committed.last_version,
            last_position: committed.last_position,
        };
        self.known.streams.insert(append.stream.clone(), head);
        self.known.commands.insert(append.command_id, committed);
        committed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Append, NewEvent};
    use app::domain::UserId;

    fn append(stream: &str, expected: u64, events: usize) -> EncodedAppend {
        EncodedAppend::new(new_append(stream, expected, events))
    }

    fn new_append(stream: &str, expected: u64, events: usize) -> Append {
        let event = NewEvent {
            event_type: "Noted".into(),
            schema_version: 1,
            payload: serde_json::Value::Null,
        };
        Append {
            stream: StreamId::parse(stream).unwrap(),
            expected_version: Version::new(expected),
            command_id: CommandId::new(),
            actor: UserId::new(),
            events: vec![event; events],
        }
    }

    fn committed(positions: (u64, u64), versions: (u64, u64)) -> Committed {
        Committed {
            first_position: Position::new(positions.0),
            last_position: Position::new(positions.1),
            first_version: Version::new(versions.0),
            last_version: Version::new(versions.1),
        }
    }

    fn accepted(positions: (u64, u64), versions: (u64, u64), follows: Option<u64>) -> Fate {
        Fate::Accepted {
            committed: committed(positions, versions),
            follows: follows.map(Position::new),
        }
    }

    #[test]
    fn accepted_appends_take_consecutive_positions_after_the_head() {
        let known = Known {
            head: Position::new(10),
            ..Known::default()
        };
        let fates = plan(&[append("a", 0, 2), append("b", 0, 1)], known);
        assert_eq!(
            fates,
            [
                accepted((11, 12), (1, 2), None),
                accepted((13, 13), (1, 1), None),
            ]
        );
    }

    #[test]
    fn a_second_append_at_the_same_version_of_a_stream_conflicts() {
        let group = [append("a", 0, 1), append("a", 0, 1), append("a", 1, 1)];
        let fates = plan(&group, Known::default());
        assert_eq!(
            fates,
            [
                accepted((1, 1), (1, 1), None),
                Fate::Conflict {
                    actual: Version::new(1)
                },
                accepted((2, 2), (2, 2), Some(1)),
            ]
        );
    }

    #[test]
    fn a_known_command_is_a_duplicate_even_when_its_stream_moved_on() {
        let retried = append("a", 0, 1);
        let first = committed((1, 1), (1, 1));
        let known = Known {
            streams: HashMap::from([(retried.stream.clone(), head(5, 6))]),
            commands: HashMap::from([(retried.command_id, first)]),
            head: Position::new(7),
        };
        assert_eq!(plan([&retried], known), [Fate::Duplicate(first)]);
    }

    #[test]
    fn a_command_repeated_within_a_group_is_a_duplicate_of_its_first_copy() {
        let command = new_append("a", 0, 1);
        let (first, again) = (
            EncodedAppend::new(command.clone()),
            EncodedAppend::new(command),
        );
        assert_eq!(
            plan(&[first, again], Known::default()),
            [
                accepted((1, 1), (1, 1), None),
                Fate::Duplicate(committed((1, 1), (1, 1)))
            ]
        );
    }

    #[test]
    fn an_append_follows_its_streams_last_event_whether_known_or_accepted_before_it() {
        let known = Known {
            streams: HashMap::from([(StreamId::parse("a").unwrap(), head(3, 8))]),
            head: Position::new(9),
            ..Known::default()
        };
        let group = [append("a", 3, 2), append("b", 0, 1), append("a", 5, 1)];
        assert_eq!(
            plan(&group, known),
            [
                accepted((10, 11), (4, 5), Some(8)),
                accepted((12, 12), (1, 1), None),
                accepted((13, 13), (6, 6), Some(11)),
            ]
        );
    }

    fn head(version: u64, last_position: u64) -> StreamHead {
        StreamHead {
            version: Version::new(version),
            last_position: Position::new(last_position),
        }
    }
}
