//! Following the log: the state of each todo and each team's members as of a cursor,
//! loaded from the log on first sight and advanced event by event. A tracker keeps a
//! bounded number of them: past its capacity it forgets the least recently seen, and loads
//! it again from the
//! log when it next sees it. The reactor follows the
//! log live; a resuming subscription follows it from the position the client saw. Both turn
//! what they follow into messages with [`messages`], so a replayed message is byte for byte
//! the one that went out live.

use super::hub::Frame;
use crate::store::{EventStore, RecordedEvent, StoreError, StreamId};
use app::{
    domain::{
        Position, TeamId, TodoId, UserId, Version,
        team::{self, MemberRemoved, TeamEvent},
        todo::{self, DecodeError, Todo, TodoEvent},
    },
    live::{Channel, ServerMessage},
};
use lru::LruCache;
use serde_json::json;
use std::{collections::BTreeSet, num::NonZeroUsize, sync::Arc};

const PAGE: u32 = 500;

#[derive(Debug, thiserror::Error)]
pub enum TrackError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    ReadModel(#[from] crate::projection::ProjectionError),
    #[error("event {position}: {message}")]
    Corrupt { position: Position, message: String },
}

/// What one event changed, for broadcasting.
pub enum Change {
    /// A todo changed: here it is after the event, with its team's members at that moment.
    Todo {
        todo: Todo,
        members: BTreeSet<UserId>,
    },
    /// Someone left a team or was removed from it.
    MemberGone { team: TeamId, user: UserId },
    /// Nothing that is broadcast.
    Nothing,
}

pub struct Tracker {
    store: Arc<dyn EventStore>,
    cursor: Position,
    todos: LruCache<TodoId, Todo>,
    members: LruCache<TeamId, BTreeSet<UserId>>,
}

impl Tracker {
    /// A tracker that has seen everything up to `cursor`, and keeps up to `capacity` todos
    /// and as many teams in memory.
    pub fn new(store: Arc<dyn EventStore>, cursor: Position, capacity: NonZeroUsize) -> Self {
        Self {
            store,
            cursor,
            todos: LruCache::new(capacity),
            members: LruCache::new(capacity),
        }
    }

    /// The next page of events after the cursor.
    pub async fn next_page(&self) -> Result<Vec<RecordedEvent>, StoreError> {
        self.store.read_all_after(self.cursor, PAGE).await
    }

    /// Folds the next event (the one right after the cursor) in.
    pub async fn advance(&mut self, event: &RecordedEvent) -> Result<Change, TrackError> {
        let change = self.change(event).await?;
        self.cursor = event.position;
        Ok(change)
    }

    async fn change(&mut self, event: &RecordedEvent) -> Result<Change, TrackError> {
        let corrupt = |message: String| TrackError::Corrupt {
            position: event.position,
            message,
        };
        if let Some(id) = event.stream.todo() {
            let decoded = decode(event, TodoEvent::decode)?;
            let before = match self.todos.pop(&id) {
                Some(todo) => Some(todo),
                None => self.load_todo(&event.stream, event.version).await?,
            };
            let todo = todo::apply(before, &decoded)
                .ok_or_else(|| corrupt("a todo event before its creation".into()))?;
            self.todos.put(id, todo.clone());
            if decoded.is_private() {
                return Ok(Change::Nothing);
            }
            let team_stream = StreamId::for_team(todo.team_id);
            let members = self
                .members_of(todo.team_id, &team_stream, Version::new(u64::MAX))
                .await?;
            return Ok(Change::Todo { todo, members });
        }
        if let Some(team) = event.stream.team() {
            let decoded = decode(event, TeamEvent::decode)?;
            let mut members = self.members_of(team, &event.stream, event.version).await?;
            let change = match decoded {
                TeamEvent::MemberJoined(joined) => {
                    members.insert(joined.user_id);
                    Change::Nothing
                }
                TeamEvent::MemberLeft { user_id }
                | TeamEvent::MemberRemoved(MemberRemoved { user_id, .. }) => {
                    members.remove(&user_id);
                    Change::MemberGone {
                        team,
                        user: user_id,
                    }
                }
                _ => Change::Nothing,
            };
            self.members.put(team, members);
            return Ok(change);
        }
        Ok(Change::Nothing)
    }

    /// A todo as of the version before `version`, replayed from the log.
    async fn load_todo(
        &self,
        stream: &StreamId,
        version: Version,
    ) -> Result<Option<Todo>, TrackError> {
        let mut state = None;
        for recorded in self.read_before(stream, version).await? {
            state = todo::apply(state, &decode(&recorded, TodoEvent::decode)?);
        }
        Ok(state)
    }

    /// The members of `team` as of the cursor; on first sight, replayed from the team's
    /// events before `version` that the cursor has passed.
    async fn members_of(
        &mut self,
        team: TeamId,
        stream: &StreamId,
        version: Version,
    ) -> Result<BTreeSet<UserId>, TrackError> {
        if let Some(members) = self.members.get(&team) {
            return Ok(members.clone());
        }
        let mut state = None;
        for recorded in self.read_before(stream, version).await? {
            if recorded.position > self.cursor {
                break;
            }
            state = team::apply(state, &decode(&recorded, TeamEvent::decode)?);
        }
        let members: BTreeSet<UserId> = state
            .map(|team| team.members.into_keys().collect())
            .unwrap_or_default();
        self.members.put(team, members.clone());
        Ok(members)
    }

    /// A stream's events before `version`, in order.
    async fn read_before(
        &self,
        stream: &StreamId,
        version: Version,
    ) -> Result<Vec<RecordedEvent>, TrackError> {
        let mut events = Vec::new();
        let mut after = Version::NONE;
        loop {
            let page = self.store.read_stream(stream, after, PAGE).await?;
            let full = page.len() == PAGE as usize;
            for event in page {
                if event.version >= version {
                    return Ok(events);
                }
                after = event.version;
                events.push(event);
            }
            if !full {
                return Ok(events);
            }
        }
    }
}

/// Reads a recorded event back as a domain event with the domain's own `decode`.
fn decode<E>(
    event: &RecordedEvent,
    decode: fn(&str, u16, &serde_json::Value) -> Result<E, DecodeError>,
) -> Result<E, TrackError> {
    decode(&event.event_type, event.schema_version, &event.payload).map_err(|e| {
        TrackError::Corrupt {
            position: event.position,
            message: e.to_string(),
        }
    })
}

/// The messages of one todo event: on the team's channel, the todo's, and each member's
/// own. The data carries the event's position and command id, and the todo as it stands
/// after the event, without its internal notes. Each is serialised once.
pub fn messages(event: &RecordedEvent, todo: &Todo, members: &BTreeSet<UserId>) -> Vec<Frame> {
    let data = data(event, todo);
    channels(todo, members)
        .map(|channel| frame(channel, event, &data))
        .collect()
}

/// The one message of a todo event on `channel`, if the event goes there: what a replay of
/// that channel sends, byte for byte what went out live.
pub fn frame_for(
    channel: Channel,
    event: &RecordedEvent,
    todo: &Todo,
    members: &BTreeSet<UserId>,
) -> Option<Frame> {
    channels(todo, members)
        .any(|c| c == channel)
        .then(|| frame(channel, event, &data(event, todo)))
}

/// The channels a todo's events go to.
fn channels<'a>(todo: &Todo, members: &'a BTreeSet<UserId>) -> impl Iterator<Item = Channel> + 'a {
    [Channel::Team(todo.team_id), Channel::Todo(todo.id)]
        .into_iter()
        .chain(members.iter().copied().map(Channel::User))
}

fn data(event: &RecordedEvent, todo: &Todo) -> String {
    json!({
        "position": event.position.get(),
        "commandId": event.command_id.to_string(),
        "recordedAt": event.recorded_at,
        "todo": {
            "id": todo.id.to_string(),
            "teamId": todo.team_id.to_string(),
            "title": todo.title.as_str(),
            "description": todo.description.as_str(),
            "status": todo.status.as_str(),
            "version": todo.version.get(),
        },
    })
    .to_string()
}

fn frame(channel: Channel, event: &RecordedEvent, data: &str) -> Frame {
    let message = ServerMessage::Event {
        channel,
        event: event.event_type.clone(),
        data: data.to_owned(),
    };
    Frame {
        channel,
        position: event.position,
        text: message.to_json().into(),
    }
}
