//! The aggregates the command path runs: each names its stream, decides, folds and encodes
//! with the domain's own pure functions.

use crate::store::{NewEvent, RecordedEvent, StreamId};
use app::{
    api::AppError,
    domain::{
        TeamId, TodoId, Version,
        team::{self, Team, TeamCommand, TeamEvent},
        todo::{self, DecodeError, Todo, TodoCommand, TodoEvent},
    },
};

/// What the command path needs to know of an aggregate.
pub trait Aggregate {
    type Id: Copy;
    type State;
    type Command: Clone;
    type Event;

    fn stream(id: Self::Id) -> StreamId;
    /// The aggregate a stream belongs to, if it is one of this kind.
    fn id_of(stream: &StreamId) -> Option<Self::Id>;
    fn version(state: &Self::State) -> Version;
    /// Whether a command decided on the stream as it stood at `seen` still applies; `Err`
    /// holds the version to tell its sender about.
    fn check_seen(
        state: Option<&Self::State>,
        seen: Version,
        command: &Self::Command,
    ) -> Result<(), Version>;
    /// Whether the whole team sees `event` (a todo's private events are its author's alone).
    fn is_shared(event: &Self::Event) -> bool;
    fn decide(
        state: Option<&Self::State>,
        command: Self::Command,
    ) -> Result<Vec<Self::Event>, AppError>;
    fn apply(state: Option<Self::State>, event: &Self::Event) -> Option<Self::State>;
    fn encode(event: &Self::Event) -> NewEvent;
    fn decode(recorded: &RecordedEvent) -> Result<Self::Event, DecodeError>;
}

pub struct TodoStream;

impl Aggregate for TodoStream {
    type Id = TodoId;
    type State = Todo;
    type Command = TodoCommand;
    type Event = TodoEvent;

    fn stream(id: TodoId) -> StreamId {
        StreamId::for_todo(id)
    }

    fn id_of(stream: &StreamId) -> Option<TodoId> {
        stream.todo()
    }

    fn version(state: &Todo) -> Version {
        state.version
    }

    fn check_seen(
        state: Option<&Todo>,
        seen: Version,
        command: &TodoCommand,
    ) -> Result<(), Version> {
        match state {
            Some(todo) => todo.check_seen(seen, command),
            None => exactly(Version::NONE, seen),
        }
    }

    fn is_shared(event: &TodoEvent) -> bool {
        !event.is_private()
    }

    fn decide(state: Option<&Todo>, command: TodoCommand) -> Result<Vec<TodoEvent>, AppError> {
        Ok(todo::decide(state, command)?)
    }

    fn apply(state: Option<Todo>, event: &TodoEvent) -> Option<Todo> {
        todo::apply(state, event)
    }

    fn encode(event: &TodoEvent) -> NewEvent {
        NewEvent {
            event_type: event.event_type().to_owned(),
            schema_version: TodoEvent::SCHEMA_VERSION,
            payload: event.payload(),
        }
    }

    fn decode(recorded: &RecordedEvent) -> Result<TodoEvent, DecodeError> {
        TodoEvent::decode(
            &recorded.event_type,
            recorded.schema_version,
            &recorded.payload,
        )
    }
}

pub struct TeamStream;

impl Aggregate for TeamStream {
    type Id = TeamId;
    type State = Team;
    type Command = TeamCommand;
    type Event = TeamEvent;

    fn stream(id: TeamId) -> StreamId {
        StreamId::for_team(id)
    }

    fn id_of(stream: &StreamId) -> Option<TeamId> {
        stream.team()
    }

    fn version(state: &Team) -> Version {
        state.version
    }

    fn check_seen(
        state: Option<&Team>,
        seen: Version,
        _command: &TeamCommand,
    ) -> Result<(), Version> {
        exactly(state.map_or(Version::NONE, |team| team.version), seen)
    }

    fn is_shared(_event: &TeamEvent) -> bool {
        true
    }

    fn decide(state: Option<&Team>, command: TeamCommand) -> Result<Vec<TeamEvent>, AppError> {
        Ok(team::decide(state, command)?)
    }

    fn apply(state: Option<Team>, event: &TeamEvent) -> Option<Team> {
        team::apply(state, event)
    }

    fn encode(event: &TeamEvent) -> NewEvent {
        NewEvent {
            event_type: event.event_type().to_owned(),
            schema_version: TeamEvent::SCHEMA_VERSION,
            payload: event.payload(),
        }
    }

    /// Older events leave out what the actor tells (see [`TeamEvent::recorded_by`]).
    fn decode(recorded: &RecordedEvent) -> Result<TeamEvent, DecodeError> {
        TeamEvent::decode(
            &recorded.event_type,
            recorded.schema_version,
            &recorded.payload,
        )
        .map(|event| event.recorded_by(recorded.actor))
    }
}

/// A stream that must be at exactly the version its sender saw.
fn exactly(current: Version, seen: Version) -> Result<(), Version> {
    if seen == current {
        Ok(())
    } else {
        Err(current)
    }
}
