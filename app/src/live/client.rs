//! The browser's live client: one WebSocket per tab carries every channel the page watches.
//! Components call [`use_channel`] with the position their data was rendered at; the client
//! authorises each channel at `/broadcasting/auth`, subscribes with `resume_from`, hands on
//! only events after the last position applied, reconnects with exponential backoff and
//! jitter, and resumes. [`LiveStatus`] drives the indicator in the top bar.
//!
//! On the server (SSR) nothing connects: the functions exist so that components compile on
//! both sides, and the status stays "connecting…" until the page is hydrated.

use super::Channel;
use crate::domain::{Position, TeamId, TodoId, Version, todo::TodoStatus};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::Deserialize;

/// Where the tab's connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveStatus {
    Connecting,
    Live,
    Reconnecting,
    Offline,
}

impl LiveStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Connecting => "connecting…",
            Self::Live => "live",
            Self::Reconnecting => "reconnecting…",
            Self::Offline => "offline",
        }
    }
}

/// One todo event as its channel carries it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveEvent {
    #[serde(skip)]
    pub event: String,
    pub position: Position,
    pub command_id: String,
    pub recorded_at: DateTime<Utc>,
    pub todo: LiveTodo,
}

/// A todo as it stands after the event, without its internal notes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveTodo {
    pub id: TodoId,
    pub team_id: TeamId,
    pub title: String,
    pub description: String,
    pub status: TodoStatus,
    pub version: Version,
}

/// The tab's live connection, shared through context.
#[derive(Clone, Copy)]
pub struct Live {
    status: RwSignal<LiveStatus>,
    #[cfg(feature = "hydrate")]
    client: StoredValue<std::rc::Rc<browser::Client>, LocalStorage>,
}

/// Makes the tab's live connection (it connects on the first subscription).
pub fn provide_live() {
    let status = RwSignal::new(LiveStatus::Connecting);
    provide_context(Live {
        status,
        #[cfg(feature = "hydrate")]
        client: StoredValue::new_local(browser::Client::new(status)),
    });
}

/// The connection's status, for the indicator.
pub fn use_live_status() -> Signal<LiveStatus> {
    let live = expect_context::<Live>();
    live.status.into()
}

/// Watches `channel` from `from` (the position the data on screen reflects): `on_event` gets
/// each later event once, in order, for as long as the calling component lives.
pub fn use_channel(channel: Channel, from: Position, on_event: impl Fn(LiveEvent) + 'static) {
    let live = expect_context::<Live>();
    #[cfg(feature = "hydrate")]
    {
        let client = live.client.get_value();
        let id = client.watch(channel, from, std::rc::Rc::new(on_event));
        on_cleanup(move || {
            if let Some(client) = live.client.try_get_value() {
                client.unwatch(channel, id);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (live, channel, from, on_event);
}

#[cfg(feature = "hydrate")]
mod browser;
