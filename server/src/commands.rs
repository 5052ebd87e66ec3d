//! The command path: load the todo's stream, decide, append, and wait until the read models
//! show the new events, so that the page the person sees next includes their change.

use crate::{
    projection::todo_of_stream,
    store::{Append, AppendError, Committed, EventStore, NewEvent, StreamId},
};
use app::{
    api::{AppError, CommandReceipt, backend::CommandRequest},
    domain::{
        Position, Version,
        todo::{Todo, TodoEvent, decide, replay},
    },
};
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;

/// How long a command waits for the projector before answering without it.
const PROJECTION_WAIT: Duration = Duration::from_secs(5);
const STREAM_PAGE: u32 = 1_000;

#[derive(Clone)]
pub struct CommandHandler {
    store: Arc<dyn EventStore>,
    projected: watch::Receiver<Position>,
}

impl CommandHandler {
    pub fn new(store: Arc<dyn EventStore>, projected: watch::Receiver<Position>) -> Self {
        Self { store, projected }
    }

    pub async fn handle(&self, request: CommandRequest) -> Result<CommandReceipt, AppError> {
        if let Some(first) = self
            .store
            .find_command(request.command_id)
            .await
            .map_err(internal)?
        {
            return self.receipt_of_retry(first).await;
        }
        let stream = StreamId::for_todo(request.todo_id);
        let state = self.load(&stream).await?;
        let current = state.as_ref().map_or(Version::NONE, |todo| todo.version);
        if current != request.expected_version {
            return Err(stale(request.expected_version, current));
        }
        let events = decide(state.as_ref(), request.command)?;
        if events.is_empty() {
            let position = *self.projected.borrow();
            return Ok(CommandReceipt {
                todo_id: request.todo_id,
                position,
                version: current,
                duplicate: false,
            });
        }
        let append = Append {
            stream,
            expected_version: current,
            command_id: request.command_id,
            actor: request.actor,
            events: events.iter().map(to_new_event).collect(),
        };
        let outcome = self
            .store
            .append(append)
            .await
            .map_err(|error| match error {
                AppendError::Conflict {
                    expected, actual, ..
                } => stale(expected, actual),
                other => internal(other),
            })?;
        let committed = outcome.committed;
        self.wait_for_projection(committed.last_position).await;
        Ok(CommandReceipt {
            todo_id: request.todo_id,
            position: committed.last_position,
            version: committed.last_version,
            duplicate: outcome.duplicate,
        })
    }

    /// A retry is answered with the first attempt's receipt. The first event names the todo,
    /// which for a create is not the one this attempt would have made.
    async fn receipt_of_retry(&self, first: Committed) -> Result<CommandReceipt, AppError> {
        let before = Position::new(first.first_position.get() - 1);
        let events = self
            .store
            .read_all_after(before, 1)
            .await
            .map_err(internal)?;
        let stream = events
            .first()
            .map(|event| event.stream.as_str())
            .ok_or_else(|| internal("a committed command has no events"))?;
        let todo_id = todo_of_stream(stream)
            .ok_or_else(|| internal(format!("command on a non-todo stream {stream}")))?;
        Ok(CommandReceipt {
            todo_id,
            position: first.last_position,
            version: first.last_version,
            duplicate: true,
        })
    }

    async fn load(&self, stream: &StreamId) -> Result<Option<Todo>, AppError> {
        let mut events = Vec::new();
        let mut after = Version::NONE;
        loop {
            let page = self
                .store
                .read_stream(stream, after, STREAM_PAGE)
                .await
                .map_err(internal)?;
            let Some(last) = page.last() else { break };
            after = last.version;
            for recorded in &page {
                let event = TodoEvent::decode(
                    &recorded.event_type,
                    recorded.schema_version,
                    recorded.payload.clone(),
                )
                .map_err(internal)?;
                events.push(event);
            }
            if page.len() < STREAM_PAGE as usize {
                break;
            }
        }
        Ok(replay(&events))
    }

    async fn wait_for_projection(&self, position: Position) {
        let mut projected = self.projected.clone();
        let waited =
            tokio::time::timeout(PROJECTION_WAIT, projected.wait_for(|p| *p >= position)).await;
        if !matches!(waited, Ok(Ok(_))) {
            tracing::warn!(%position, "answering a command before the read models caught up");
        }
    }
}

fn to_new_event(event: &TodoEvent) -> NewEvent {
    NewEvent {
        event_type: event.event_type().to_owned(),
        schema_version: TodoEvent::SCHEMA_VERSION,
        payload: event.payload(),
    }
}

fn stale(seen: Version, current: Version) -> AppError {
    AppError::Stale {
        seen: seen.get(),
        current: current.get(),
    }
}

/// Logs the cause, which stays on the server, and answers a plain internal error.
fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "command failed");
    AppError::Internal
}
