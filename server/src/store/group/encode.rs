//! An append turned into the text that the writer stores, in the caller's task: JSON and
//! id encoding is the costliest part of an append that is not the database's, and done here
//! it runs beside the writer, not in it.

use crate::store::{Append, StreamId};
use app::domain::{CommandId, Version};

/// An append on its way to the writer. Its versions are already known: the append commits
/// only if its stream is at `expected_version`, so its events take the versions after it.
/// Only the positions and the time are the writer's to assign.
#[derive(Debug)]
pub(in crate::store) struct EncodedAppend {
    pub stream: StreamId,
    pub expected_version: Version,
    pub command_id: CommandId,
    /// `command_id` and the actor, as the `events` and `commands` tables store them.
    pub command_text: String,
    pub actor_text: String,
    pub events: Vec<EncodedEvent>,
}

/// One event, with its payload already serialised.
#[derive(Debug)]
pub(in crate::store) struct EncodedEvent {
    pub event_type: String,
    pub schema_version: u16,
    pub payload: String,
}

impl EncodedAppend {
    pub fn new(append: Append) -> Self {
        let events = append.events.into_iter().map(|event| EncodedEvent {
            event_type: event.event_type,
            schema_version: event.schema_version,
            payload: event.payload.to_string(),
        });
        Self {
            stream: append.stream,
            expected_version: append.expected_version,
            command_id: append.command_id,
            command_text: append.command_id.to_string(),
            actor_text: append.actor.to_string(),
            events: events.collect(),
        }
    }

    pub fn event_count(&self) -> u64 {
        self.events.len() as u64
    }
}
