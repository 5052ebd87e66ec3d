//! The command path: load the aggregate's stream, decide, append, and wait until the read
//! models show the new events, so that the page the person sees next includes their change.
//!
//! - [`aggregates`]: the todo and the team, as the command path sees them.

mod aggregates;

pub use aggregates::{Aggregate, TeamStream, TodoStream};

use crate::failure::failed;
use crate::store::{Append, AppendError, Committed, EventStore, StreamId};
use app::{
    api::{AppError, CommandReceipt, TeamReceipt, backend::CommandRequest},
    domain::{CommandId, Position, TeamId, UserId, Version, team::TeamCommand},
};
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;

/// How long a command waits for the projector before answering without it.
const PROJECTION_WAIT: Duration = Duration::from_secs(5);
const STREAM_PAGE: u32 = 1_000;
/// How often a command is decided again after losing a race. Each lost race means another
/// command on the stream committed, so the retries always make progress; the bound only
/// keeps a pathological stream from holding a request. People joining through one link at
/// the same moment all append to the team's stream: with 3, the fifth of them got a 409.
const RACE_RETRIES: usize = 32;

/// The version a command expects its stream at. Either way, a command that loses the race
/// to append is checked and decided again.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// This one: the person saw it, and a change since then that the command would
    /// conflict with is refused ([`Aggregate::check_seen`]).
    Exactly(Version),
    /// Whatever it is now.
    Current,
}

/// Where a command's events landed.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub stream: StreamId,
    pub position: Position,
    pub version: Version,
    pub duplicate: bool,
    /// Whether its events include one that the whole team sees, and so is broadcast.
    pub shared: bool,
}

#[derive(Clone)]
pub struct CommandHandler {
    store: Arc<dyn EventStore>,
    projected: watch::Receiver<Position>,
}

impl CommandHandler {
    pub fn new(store: Arc<dyn EventStore>, projected: watch::Receiver<Position>) -> Self {
        Self { store, projected }
    }

    /// A todo command.
    pub async fn handle(&self, request: CommandRequest) -> Result<CommandReceipt, AppError> {
        let outcome = self
            .run::<TodoStream>(
                request.todo_id,
                Expect::Exactly(request.expected_version),
                request.command_id,
                request.actor,
                request.command,
            )
            .await?;
        let todo_id = TodoStream::id_of(&outcome.stream).ok_or_else(reused_id)?;
        Ok(CommandReceipt {
            command_id: request.command_id,
            todo_id,
            position: outcome.position,
            version: outcome.version,
            duplicate: outcome.duplicate,
            broadcast: outcome.shared,
        })
    }

    /// A team command.
    pub async fn handle_team(
        &self,
        team: TeamId,
        command_id: CommandId,
        actor: UserId,
        command: TeamCommand,
    ) -> Result<TeamReceipt, AppError> {
        let outcome = self
            .run::<TeamStream>(team, Expect::Current, command_id, actor, command)
            .await?;
        let team_id = TeamStream::id_of(&outcome.stream).ok_or_else(reused_id)?;
        Ok(TeamReceipt {
            team_id,
            position: outcome.position,
            duplicate: outcome.duplicate,
        })
    }

    /// Runs one command on one aggregate. A command id seen before is answered with the first
    /// outcome, and nothing is written.
    pub async fn run<A: Aggregate>(
        &self,
        id: A::Id,
        expect: Expect,
        command_id: CommandId,
        actor: UserId,
        command: A::Command,
    ) -> Result<Outcome, AppError> {
        if let Some(first) = self.store.find_command(command_id).await.map_err(failed)? {
            return self.outcome_of_retry::<A>(first).await;
        }
        let stream = A::stream(id);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let state = self.load::<A>(&stream).await?;
            let current = state.as_ref().map_or(Version::NONE, A::version);
            if let Expect::Exactly(seen) = expect {
                A::check_seen(state.as_ref(), seen, &command).map_err(|now| stale(seen, now))?;
            }
            let events = A::decide(state.as_ref(), command.clone())?;
            if events.is_empty() {
                return Ok(Outcome {
                    stream,
                    position: *self.projected.borrow(),
                    version: current,
                    duplicate: false,
                    shared: false,
                });
            }
            let shared = events.iter().any(A::is_shared);
            let append = Append {
                stream: stream.clone(),
                expected_version: current,
                command_id,
                actor,
                events: events.iter().map(A::encode).collect(),
            };
            match self.store.append(append).await {
                Ok(outcome) => {
                    let committed = outcome.committed;
                    self.wait_for_projection(committed.last_position).await;
                    return Ok(Outcome {
                        stream,
                        position: committed.last_position,
                        version: committed.last_version,
                        duplicate: outcome.duplicate,
                        shared,
                    });
                }
                Err(AppendError::Conflict { .. }) if attempts < RACE_RETRIES => {}
                Err(AppendError::Conflict {
                    expected, actual, ..
                }) => return Err(stale(expected, actual)),
                Err(other) => return Err(failed(other)),
            }
        }
    }

    /// A retry is answered with the first attempt's outcome. The first event names the
    /// stream, which for a create is not the one this attempt would have made, and tells
    /// whether the team saw it (a command records one todo event, or a team's events).
    async fn outcome_of_retry<A: Aggregate>(&self, first: Committed) -> Result<Outcome, AppError> {
        let before = Position::new(first.first_position.get() - 1);
        let events = self.store.read_all_after(before, 1).await.map_err(failed)?;
        let event = events.into_iter().next().ok_or_else(|| {
            tracing::error!(position = %first.first_position, "a committed command has no events");
            AppError::Internal
        })?;
        // An event of another kind of stream: the caller refuses the reused command id.
        let shared = A::decode(&event).map_or(true, |decoded| A::is_shared(&decoded));
        Ok(Outcome {
            stream: event.stream,
            position: first.last_position,
            version: first.last_version,
            duplicate: true,
            shared,
        })
    }

    async fn load<A: Aggregate>(&self, stream: &StreamId) -> Result<Option<A::State>, AppError> {
        let mut state = None;
        let mut after = Version::NONE;
        loop {
            let page = self
                .store
                .read_stream(stream, after, STREAM_PAGE)
                .await
                .map_err(failed)?;
            let Some(last) = page.last() else { break };
            after = last.version;
            for recorded in &page {
                let event = A::decode(recorded).map_err(failed)?;
                state = A::apply(state, &event);
            }
            if page.len() < STREAM_PAGE as usize {
                break;
            }
        }
        Ok(state)
    }

    /// Waits (up to 5 s) until the read models show `position`, which must be in the log:
    /// a position past its head is refused rather than waited for.
    pub async fn caught_up(&self, position: Position) -> Result<(), AppError> {
        let head = self.store.head().await.map_err(failed)?;
        if position > head {
            return Err(AppError::invalid(
                "after",
                format!("position {position} is past the log's head"),
            ));
        }
        self.wait_for_projection(position).await;
        Ok(())
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

/// A command id that an earlier command of another kind already used.
fn reused_id() -> AppError {
    AppError::invalid(
        "command_id",
        "This command id was already used for another command.",
    )
}

fn stale(seen: Version, current: Version) -> AppError {
    AppError::Stale {
        seen: seen.get(),
        current: current.get(),
    }
}
