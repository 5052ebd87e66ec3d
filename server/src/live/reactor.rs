//! The broadcast reactor: tails the log from its own cursor and fans each todo event out to
//! its channels: the team's, the todo's, and each member's own. It keeps, for every todo and
//! team it has seen, the state as of its cursor (loaded from the log on first sight), so each
//! message carries the todo exactly as it stands after that event, without internal notes.
//! It runs off the command path: a command never waits for it.

use super::hub::{Frame, Hub};
use crate::metrics::Metrics;
use crate::store::{EventStore, RecordedEvent, StoreError, StreamId};
use app::{
    domain::{
        Position, TeamId, TodoId, UserId, Version,
        team::{self, TeamEvent},
        todo::{self, Todo, TodoEvent},
    },
    live::{Channel, ServerMessage},
};
use serde_json::json;
use std::{
    collections::{BTreeSet, HashMap},
    sync::Arc,
    time::Duration,
};
use tokio::task::JoinHandle;

const BATCH: u32 = 500;

pub struct Reactor {
    store: Arc<dyn EventStore>,
    hub: Arc<Hub>,
    metrics: Arc<Metrics>,
    cursor: Position,
    todos: HashMap<TodoId, Todo>,
    members: HashMap<TeamId, BTreeSet<UserId>>,
}

#[derive(Debug, thiserror::Error)]
enum ReactorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("event {position}: {message}")]
    Corrupt { position: Position, message: String },
}

impl Reactor {
    /// Starts at the log's head: what came before is on the pages people load.
    pub async fn spawn(
        store: Arc<dyn EventStore>,
        hub: Arc<Hub>,
        metrics: Arc<Metrics>,
    ) -> Result<JoinHandle<()>, StoreError> {
        let mut head = store.watch_head();
        let cursor = store.head().await?;
        metrics.broadcast(cursor);
        let mut reactor = Self {
            store,
            hub,
            metrics,
            cursor,
            todos: HashMap::new(),
            members: HashMap::new(),
        };
        Ok(tokio::spawn(async move {
            loop {
                if let Err(error) = reactor.catch_up().await {
                    tracing::error!(%error, "broadcasting failed; retrying in a second");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                if head.changed().await.is_err() {
                    return;
                }
            }
        }))
    }

    async fn catch_up(&mut self) -> Result<(), ReactorError> {
        loop {
            let events = self.store.read_all_after(self.cursor, BATCH).await?;
            if events.is_empty() {
                return Ok(());
            }
            for event in &events {
                self.react(event).await?;
                self.cursor = event.position;
                self.metrics.broadcast(event.position);
            }
        }
    }

    async fn react(&mut self, event: &RecordedEvent) -> Result<(), ReactorError> {
        let corrupt = |message: String| ReactorError::Corrupt {
            position: event.position,
            message,
        };
        let stream = event.stream.as_str();
        if let Some(id) = stream.strip_prefix(StreamId::TODO_PREFIX) {
            let id = TodoId::parse(id).map_err(|e| corrupt(e.to_string()))?;
            let decoded = TodoEvent::decode(
                &event.event_type,
                event.schema_version,
                event.payload.clone(),
            )
            .map_err(|e| corrupt(e.to_string()))?;
            let before = match self.todos.remove(&id) {
                Some(todo) => Some(todo),
                None => self.load_todo(&event.stream, event.version).await?,
            };
            let after = todo::apply(before, &decoded)
                .ok_or_else(|| corrupt("a todo event before its creation".into()))?;
            self.fan_out(event, &after).await?;
            self.todos.insert(id, after);
        } else if let Some(id) = stream.strip_prefix(StreamId::TEAM_PREFIX) {
            let team = TeamId::parse(id).map_err(|e| corrupt(e.to_string()))?;
            let decoded = TeamEvent::decode(
                &event.event_type,
                event.schema_version,
                event.payload.clone(),
            )
            .map_err(|e| corrupt(e.to_string()))?;
            self.members_of(team, &event.stream, event.version).await?;
            let members = self.members.entry(team).or_default();
            match decoded {
                TeamEvent::MemberJoined(joined) => {
                    members.insert(joined.user_id);
                }
                TeamEvent::MemberLeft { user_id } => {
                    members.remove(&user_id);
                    self.hub.revoke(team, user_id);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Publishes one todo event on the team's, the todo's and each member's channel. Each
    /// message is serialised once and shared by all its subscribers.
    async fn fan_out(&mut self, event: &RecordedEvent, todo: &Todo) -> Result<(), ReactorError> {
        let data = json!({
            "position": event.position.get(),
            "commandId": event.command_id.to_string(),
            "todo": {
                "id": todo.id.to_string(),
                "teamId": todo.team_id.to_string(),
                "title": todo.title.as_str(),
                "description": todo.description.as_str(),
                "status": todo.status.as_str(),
                "version": todo.version.get(),
            },
        })
        .to_string();
        let team_stream = StreamId::for_team(todo.team_id);
        let members = self
            .members_of(todo.team_id, &team_stream, Version::new(u64::MAX))
            .await?;
        let channels = [Channel::Team(todo.team_id), Channel::Todo(todo.id)]
            .into_iter()
            .chain(members.into_iter().map(Channel::User));
        for channel in channels {
            let message = ServerMessage::Event {
                channel,
                event: event.event_type.clone(),
                data: data.clone(),
            };
            let frame: Frame = Arc::from(message.to_json());
            self.hub.publish(channel, &frame);
        }
        Ok(())
    }

    /// A todo as of the version before `version`, replayed from the log.
    async fn load_todo(
        &self,
        stream: &StreamId,
        version: Version,
    ) -> Result<Option<Todo>, ReactorError> {
        let mut state = None;
        for recorded in self.read_before(stream, version).await? {
            let event = TodoEvent::decode(
                &recorded.event_type,
                recorded.schema_version,
                recorded.payload,
            )
            .map_err(|e| ReactorError::Corrupt {
                position: recorded.position,
                message: e.to_string(),
            })?;
            state = todo::apply(state, &event);
        }
        Ok(state)
    }

    /// The members of `team` as of the reactor's cursor; on first sight, replayed from the
    /// team's events before `version`.
    async fn members_of(
        &mut self,
        team: TeamId,
        stream: &StreamId,
        version: Version,
    ) -> Result<BTreeSet<UserId>, ReactorError> {
        if let Some(members) = self.members.get(&team) {
            return Ok(members.clone());
        }
        let mut state = None;
        for recorded in self.read_before(stream, version).await? {
            if recorded.position > self.cursor {
                break;
            }
            let event = TeamEvent::decode(
                &recorded.event_type,
                recorded.schema_version,
                recorded.payload,
            )
            .map_err(|e| ReactorError::Corrupt {
                position: recorded.position,
                message: e.to_string(),
            })?;
            state = team::apply(state, &event);
        }
        let members = state.map(|team| team.members).unwrap_or_default();
        self.members.insert(team, members.clone());
        Ok(members)
    }

    /// A stream's events before `version`, in order.
    async fn read_before(
        &self,
        stream: &StreamId,
        version: Version,
    ) -> Result<Vec<RecordedEvent>, ReactorError> {
        let mut events = Vec::new();
        let mut after = Version::NONE;
        loop {
            let page = self.store.read_stream(stream, after, BATCH).await?;
            let full = page.len() == BATCH as usize;
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
