//! A channel's events after a position, for a replay. A team's channel and a todo's are read
//! through the team log (`projection::team_log`: the positions of each team's events), so
//! that a replay reads its team's events, not every event after its position; the few events
//! the read models have not indexed yet are read from the log itself. A member's own channel
//! spans all their teams and is read from the log.

use super::tracker::TrackError;
use crate::{
    projection::ReadModels,
    store::{EventStore, RecordedEvent, StreamId},
};
use app::{
    domain::{Position, TeamId},
    live::Channel,
};
use std::sync::Arc;

/// How many events one page holds.
const PAGE: u32 = 500;

pub struct ChannelLog {
    store: Arc<dyn EventStore>,
    read_models: Arc<dyn ReadModels>,
    channel: Channel,
    /// The team whose log to read; `None`: read the whole log.
    team: Option<TeamId>,
    cursor: Position,
    head: Position,
}

impl ChannelLog {
    /// The events of `channel`, whose team is `team`, after `from` and up to `head`.
    pub fn new(
        store: Arc<dyn EventStore>,
        read_models: Arc<dyn ReadModels>,
        channel: Channel,
        team: Option<TeamId>,
        from: Position,
        head: Position,
    ) -> Self {
        let team = match channel {
            Channel::User(_) => None,
            Channel::Team(_) | Channel::Todo(_) => team,
        };
        Self {
            store,
            read_models,
            channel,
            team,
            cursor: from,
            head,
        }
    }

    /// The next events in position order; empty once the head is reached. They may include
    /// events of other channels; [`ChannelLog::concerns`] tells which to skip unread.
    pub async fn next_page(&mut self) -> Result<Vec<RecordedEvent>, TrackError> {
        if self.cursor >= self.head {
            return Ok(Vec::new());
        }
        if let Some(team) = self.team {
            let (positions, indexed) = self.read_models.team_log(team, self.cursor, PAGE).await?;
            let positions: Vec<Position> =
                positions.into_iter().filter(|p| *p <= self.head).collect();
            if let Some(&last) = positions.last() {
                let events = self.store.read_positions(&positions).await?;
                self.cursor = last;
                return Ok(events);
            }
            // Every indexed event of the team is read: the rest comes from the log.
            self.cursor = self.cursor.max(indexed.min(self.head));
            self.team = None;
            if self.cursor >= self.head {
                return Ok(Vec::new());
            }
        }
        let mut events = self.store.read_all_after(self.cursor, PAGE).await?;
        events.retain(|event| event.position <= self.head);
        if let Some(last) = events.last() {
            self.cursor = last.position;
        } else {
            self.cursor = self.head;
        }
        Ok(events)
    }

    /// Whether `event` may bear on the channel: a todo channel's own todo and any team's
    /// membership; for the others, anything (a todo's team is known once it is read).
    pub fn concerns(&self, event: &RecordedEvent) -> bool {
        match self.channel {
            Channel::Todo(todo) => {
                event.stream == StreamId::for_todo(todo) || event.stream.team().is_some()
            }
            Channel::Team(_) | Channel::User(_) => true,
        }
    }
}
