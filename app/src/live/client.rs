//! The browser's live client: one WebSocket per tab carries every channel the page watches.
//! Components call [`use_channel`] with the position their data was rendered at; the client
//! authorises each channel at `/broadcasting/auth`, subscribes with `resume_from`, hands on
//! only events after the last position applied, reconnects with exponential backoff and
//! jitter, and resumes. [`LiveStatus`] drives the indicator in the top bar, which shows only
//! while the page watches a channel ([`use_live_watched`]).
//!
//! On the server (SSR) nothing connects and nothing is watched: the functions exist so that
//! components compile on both sides, and the indicator is absent until a hydrated page
//! watches a channel (so with JavaScript disabled, it never shows).

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
    /// How many of the page's components watch a channel.
    watchers: RwSignal<usize>,
    #[cfg(feature = "hydrate")]
    client: StoredValue<std::rc::Rc<browser::Client>, LocalStorage>,
}

/// Makes the tab's live connection (it connects on the first subscription).
pub fn provide_live() {
    let status = RwSignal::new(LiveStatus::Connecting);
    provide_context(Live {
        status,
        watchers: RwSignal::new(0),
        #[cfg(feature = "hydrate")]
        client: StoredValue::new_local(browser::Client::new(status)),
    });
}

/// The connection's status, for the indicator.
pub fn use_live_status() -> Signal<LiveStatus> {
    let live = expect_context::<Live>();
    live.status.into()
}

/// Whether the page watches any channel, in the browser (never on the server).
pub fn use_live_watched() -> Signal<bool> {
    let live = expect_context::<Live>();
    Signal::derive(move || live.watchers.get() > 0)
}

/// Watches `channel` from `from` (the position the data on screen reflects): `on_event` gets
/// each later event once, in order, for as long as the calling component lives.
pub fn use_channel(channel: Channel, from: Position, on_event: impl Fn(LiveEvent) + 'static) {
    let live = expect_context::<Live>();
    #[cfg(feature = "hydrate")]
    {
        let client = live.client.get_value();
        let id = client.watch(channel, from, std::rc::Rc::new(on_event));
        live.watchers.update(|count| *count += 1);
        on_cleanup(move || {
            live.watchers
                .try_update(|count| *count = count.saturating_sub(1));
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
