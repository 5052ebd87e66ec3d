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

/// The tab's live connection. Each island that shows something live, and the top bar's
/// indicator, is hydrated on its own, and islands share no context: the connection is the
/// tab's, made by the first island that asks for it.
#[cfg(feature = "hydrate")]
#[derive(Clone)]
struct Live {
    status: ArcRwSignal<LiveStatus>,
    /// How many of the page's components watch a channel.
    watchers: ArcRwSignal<usize>,
    client: std::rc::Rc<browser::Client>,
}

#[cfg(feature = "hydrate")]
thread_local! {
    static LIVE: Live = {
        let status = ArcRwSignal::new(LiveStatus::Connecting);
        Live {
            client: browser::Client::new(status.clone()),
            status,
            watchers: ArcRwSignal::new(0),
        }
    };
}

/// The tab's connection (it connects on the first subscription).
#[cfg(feature = "hydrate")]
fn live() -> Live {
    LIVE.with(Live::clone)
}

/// The connection's status, for the indicator. On the server, always "connecting…" (never
/// shown: nothing is watched there).
pub fn use_live_status() -> Signal<LiveStatus> {
    #[cfg(feature = "hydrate")]
    return live().status.into();
    #[cfg(not(feature = "hydrate"))]
    Signal::stored(LiveStatus::Connecting)
}

/// Whether the page watches any channel, in the browser (never on the server).
pub fn use_live_watched() -> Signal<bool> {
    #[cfg(feature = "hydrate")]
    {
        let watchers = live().watchers;
        Signal::derive(move || watchers.get() > 0)
    }
    #[cfg(not(feature = "hydrate"))]
    Signal::stored(false)
}

/// Watches `channel` from `from` (the position the data on screen reflects): `on_event` gets
/// each later event once, in order, for as long as the calling component lives.
pub fn use_channel(channel: Channel, from: Position, on_event: impl Fn(LiveEvent) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let live = live();
        let id = live.client.watch(channel, from, std::rc::Rc::new(on_event));
        live.watchers.update(|count| *count += 1);
        on_cleanup(move || {
            let live = self::live();
            live.watchers
                .update(|count| *count = count.saturating_sub(1));
            live.client.unwatch(channel, id);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (channel, from, on_event);
}

#[cfg(feature = "hydrate")]
mod browser;
