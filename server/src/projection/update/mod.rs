//! The pure view update: what a batch of events changes in the read models, decided without
//! I/O. Each backend's repository loads the todos a batch touches, hands them to [`fold`], and
//! writes the [`Update`] it answers in the batch's transaction, with its own SQL.
//!
//! - [`todos`]: a todo's row and its timeline, folded with the domain's own `apply`, so the
//!   read model can never disagree with the aggregate.
//! - [`teams`]: teams, their members (what every authorisation check reads) and invite links.

mod teams;
mod todos;

use super::ProjectionError;
use crate::store::RecordedEvent;
use app::domain::{InvitationId, Position, TeamId, TodoId, UserId, Version, todo::Todo};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A todo's row: the domain's state, with the times the pages show.
#[derive(Debug, Clone, PartialEq)]
pub struct TodoRow {
    pub todo: Todo,
    pub created_at: DateTime<Utc>,
    /// The time of its last event that the whole team sees.
    pub updated_at: DateTime<Utc>,
    pub last_position: Position,
}

/// One line of a todo's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    pub position: Position,
    pub todo: TodoId,
    pub version: Version,
    pub event_type: String,
    pub actor: UserId,
    pub recorded_at: DateTime<Utc>,
    pub summary: String,
    /// The one user who may read the line (the todo's author), or `None`: everyone.
    pub visible_to: Option<UserId>,
}

/// A change to the team read models, applied in the order the events came.
#[derive(Debug, Clone, PartialEq)]
pub enum TeamChange {
    Created {
        team: TeamId,
        name: String,
        created_by: UserId,
        created_at: DateTime<Utc>,
    },
    InvitationCreated {
        invitation: InvitationId,
        team: TeamId,
        token_hash: String,
        single_use: bool,
        created_by: UserId,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    },
    InvitationRevoked(InvitationId),
    /// The link was used to join: a single-use link is used up by it, another stays open.
    InvitationUsed(InvitationId),
    /// A member joined; one already in the team stays as they joined first.
    MemberJoined {
        team: TeamId,
        user: UserId,
        joined_at: DateTime<Utc>,
        joined_position: Position,
    },
    /// A member left or was removed.
    MemberGone {
        team: TeamId,
        user: UserId,
    },
}

/// What a batch of events changes.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Update {
    /// Each todo the batch touched, as the batch left it.
    pub todos: BTreeMap<TodoId, TodoRow>,
    pub timeline: Vec<TimelineRow>,
    pub teams: Vec<TeamChange>,
    /// Which team each event belongs to: the positions that replays of its channels read.
    pub team_log: Vec<(TeamId, Position)>,
    /// The position of the batch's last event.
    pub reached: Option<Position>,
}

/// The todos a batch's events belong to: what the repository loads before [`fold`].
pub fn todos_touched(events: &[RecordedEvent]) -> Vec<TodoId> {
    let mut ids: Vec<TodoId> = events.iter().filter_map(|e| e.stream.todo()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Folds `events`, in position order, into what they change; `loaded` holds the rows (as
/// stored before the batch) of the todos they touch that exist.
pub fn fold(
    events: &[RecordedEvent],
    mut loaded: HashMap<TodoId, TodoRow>,
) -> Result<Update, ProjectionError> {
    let mut update = Update::default();
    let mut touched = BTreeSet::new();
    for event in events {
        let team = if let Some(todo) = event.stream.todo() {
            let (row, line) = todos::fold(loaded.remove(&todo), event, todo)?;
            let team = row.todo.team_id;
            update.timeline.push(line);
            loaded.insert(todo, row);
            touched.insert(todo);
            team
        } else if let Some(team) = event.stream.team() {
            teams::changes(event, team, &mut update.teams)?;
            team
        } else {
            continue;
        };
        update.team_log.push((team, event.position));
    }
    update.todos = touched
        .into_iter()
        .filter_map(|todo| loaded.remove_entry(&todo))
        .collect();
    update.reached = events.last().map(|event| event.position);
    Ok(update)
}

/// Why an event cannot be projected.
fn corrupt(event: &RecordedEvent, what: impl std::fmt::Display) -> ProjectionError {
    ProjectionError::Corrupt(format!("event {}: {what}", event.position))
}

#[cfg(test)]
mod tests;
