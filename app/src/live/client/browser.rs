//! The hydrate-side machinery of the live client: the socket, its reconnect loop, and the
//! channels the page watches. The browser's `offline` event drops the socket at once (a
//! dead network does not always close it), and `online` cuts the backoff short.

use super::{LiveEvent, LiveStatus};
use crate::{domain::Position, live::Channel};
use futures::{
    FutureExt, SinkExt, StreamExt,
    channel::{mpsc, oneshot},
    future::{Either, select},
};
use gloo_net::{
    http::Request,
    websocket::{Message, futures::WebSocket},
};
use leptos::{prelude::*, task::spawn_local};
use serde_json::{Value, json};
use std::{cell::RefCell, collections::HashMap, rc::Rc};

/// The first wait before reconnecting, and the longest.
const FIRST_BACKOFF_MS: f64 = 250.0;
const MAX_BACKOFF_MS: f64 = 5_000.0;

type Handler = Rc<dyn Fn(LiveEvent)>;

struct Watched {
    /// The last position handed on; later events only.
    last: Position,
    handlers: Vec<(u64, Handler)>,
}

#[derive(Default)]
struct State {
    channels: HashMap<Channel, Watched>,
    /// Frames for the open socket, and its socket id, while connected.
    outgoing: Option<mpsc::UnboundedSender<String>>,
    socket_id: Option<String>,
    /// Drops the open socket (the browser went offline).
    drop_socket: Option<oneshot::Sender<()>>,
    /// Ends a backoff wait early (the browser came back online).
    wake: Option<oneshot::Sender<()>>,
    running: bool,
    next_handler: u64,
}

pub struct Client {
    status: ArcRwSignal<LiveStatus>,
    state: Rc<RefCell<State>>,
}

impl Client {
    pub fn new(status: ArcRwSignal<LiveStatus>) -> Rc<Self> {
        Rc::new(Self {
            status,
            state: Rc::default(),
        })
    }

    pub fn watch(self: &Rc<Self>, channel: Channel, from: Position, handler: Handler) -> u64 {
        let (id, start, subscribe_now) = {
            let mut state = self.state.borrow_mut();
            state.next_handler += 1;
            let id = state.next_handler;
            let fresh = !state.channels.contains_key(&channel);
            let watched = state.channels.entry(channel).or_insert(Watched {
                last: from,
                handlers: Vec::new(),
            });
            watched.last = watched.last.max(from);
            watched.handlers.push((id, handler));
            let start = !state.running;
            state.running = true;
            (id, start, fresh && state.socket_id.is_some())
        };
        if start {
            self.follow_network();
            spawn_local(run(self.clone()));
        } else if subscribe_now {
            spawn_local(subscribe(self.state.clone(), channel));
        }
        id
    }

    /// Drops the socket when the browser goes offline, and reconnects as soon as it is back.
    fn follow_network(self: &Rc<Self>) {
        let client = self.clone();
        let offline = window_event_listener(leptos::ev::offline, move |_| {
            client.status.set(LiveStatus::Offline);
            if let Some(drop_socket) = client.state.borrow_mut().drop_socket.take() {
                let _ = drop_socket.send(());
            }
        });
        let client = self.clone();
        let online = window_event_listener(leptos::ev::online, move |_| {
            if let Some(wake) = client.state.borrow_mut().wake.take() {
                let _ = wake.send(());
            }
        });
        // The client lives as long as the tab.
        std::mem::forget((offline, online));
    }

    pub fn unwatch(&self, channel: Channel, id: u64) {
        let mut state = self.state.borrow_mut();
        let Some(watched) = state.channels.get_mut(&channel) else {
            return;
        };
        watched.handlers.retain(|(handler, _)| *handler != id);
        if watched.handlers.is_empty() {
            state.channels.remove(&channel);
            if let Some(outgoing) = &state.outgoing {
                let frame = json!({"event": "pusher:unsubscribe", "data": {"channel": channel.to_string()}});
                let _ = outgoing.unbounded_send(frame.to_string());
            }
        }
    }
}

/// Connects, and reconnects after every loss with exponential backoff and jitter.
async fn run(client: Rc<Client>) {
    let mut attempt: i32 = 0;
    loop {
        connect_once(&client).await;
        let was_live = {
            let mut state = client.state.borrow_mut();
            state.outgoing = None;
            state.socket_id.take().is_some()
        };
        if was_live {
            attempt = 0;
        }
        let online = web_sys::window()
            .map(|window| window.navigator().on_line())
            .unwrap_or(true);
        client.status.set(if online {
            LiveStatus::Reconnecting
        } else {
            LiveStatus::Offline
        });
        let backoff = (FIRST_BACKOFF_MS * 2f64.powi(attempt)).min(MAX_BACKOFF_MS);
        let jittered = backoff * (0.5 + js_sys::Math::random() / 2.0);
        let (wake, woken) = oneshot::channel();
        client.state.borrow_mut().wake = Some(wake);
        let timeout = gloo_timers::future::TimeoutFuture::new(jittered as u32);
        select(timeout, woken).await;
        client.state.borrow_mut().wake = None;
        attempt = (attempt + 1).min(10);
    }
}

/// One connection, from opening to losing it.
async fn connect_once(client: &Rc<Client>) {
    let Some(url) = socket_url() else { return };
    let Ok(socket) = WebSocket::open(&url) else {
        return;
    };
    let (mut sink, mut stream) = socket.split();
    let (outgoing, mut queued) = mpsc::unbounded::<String>();
    let (drop_socket, dropped) = oneshot::channel::<()>();
    {
        let mut state = client.state.borrow_mut();
        state.outgoing = Some(outgoing);
        state.drop_socket = Some(drop_socket);
    }
    spawn_local(async move {
        while let Some(frame) = queued.next().await {
            if sink.send(Message::Text(frame)).await.is_err() {
                break;
            }
        }
    });
    let mut dropped = dropped.fuse();
    while let Either::Left((next, _)) = select(stream.next(), &mut dropped).await {
        let Some(Ok(message)) = next else { break };
        if let Message::Text(text) = message
            && let Ok(frame) = serde_json::from_str::<Value>(&text)
        {
            on_frame(client, &frame);
        }
    }
    client.state.borrow_mut().drop_socket = None;
}

fn on_frame(client: &Rc<Client>, frame: &Value) {
    let event = frame["event"].as_str().unwrap_or_default();
    match event {
        "pusher:connection_established" => {
            let data: Value = frame["data"]
                .as_str()
                .and_then(|data| serde_json::from_str(data).ok())
                .unwrap_or_default();
            let channels: Vec<Channel> = {
                let mut state = client.state.borrow_mut();
                state.socket_id = data["socket_id"].as_str().map(str::to_owned);
                state.channels.keys().copied().collect()
            };
            client.status.set(LiveStatus::Live);
            for channel in channels {
                spawn_local(subscribe(client.state.clone(), channel));
            }
        }
        "pusher:ping" => {
            if let Some(outgoing) = &client.state.borrow().outgoing {
                let _ = outgoing
                    .unbounded_send(json!({"event": "pusher:pong", "data": {}}).to_string());
            }
        }
        // Too far behind to resume (410): only a fresh page shows the log as it stands.
        "pusher:subscription_error" if frame["data"]["status"] == 410 => {
            let _ = window().location().reload();
        }
        _ if event.starts_with("pusher") => {}
        _ => deliver(client, frame, event),
    }
}

/// Hands a channel event to the channel's handlers, if it is after the last one applied.
fn deliver(client: &Rc<Client>, frame: &Value, event: &str) {
    let Some(channel) = frame["channel"]
        .as_str()
        .and_then(|c| Channel::parse(c).ok())
    else {
        return;
    };
    let Some(mut live) = frame["data"]
        .as_str()
        .and_then(|data| serde_json::from_str::<LiveEvent>(data).ok())
    else {
        return;
    };
    live.event = event.to_owned();
    let handlers: Vec<Handler> = {
        let mut state = client.state.borrow_mut();
        let Some(watched) = state.channels.get_mut(&channel) else {
            return;
        };
        if live.position <= watched.last {
            return;
        }
        watched.last = live.position;
        watched.handlers.iter().map(|(_, h)| h.clone()).collect()
    };
    for handler in handlers {
        handler(live.clone());
    }
}

/// Authorises `channel` for this socket and subscribes from the last position applied.
async fn subscribe(state: Rc<RefCell<State>>, channel: Channel) {
    let Some(socket_id) = state.borrow().socket_id.clone() else {
        return;
    };
    let body = format!(
        "socket_id={}&channel_name={}",
        js_sys::encode_uri_component(&socket_id),
        js_sys::encode_uri_component(&channel.to_string()),
    );
    let request = Request::post("/broadcasting/auth")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    let Ok(request) = request else { return };
    let Ok(response) = request.send().await else {
        return;
    };
    if !response.ok() {
        leptos::logging::warn!("live: {channel} was not authorised ({})", response.status());
        return;
    }
    let Ok(auth) = response.json::<Value>().await else {
        return;
    };
    let state = state.borrow();
    let (Some(watched), Some(outgoing)) = (state.channels.get(&channel), &state.outgoing) else {
        return;
    };
    let frame = json!({"event": "pusher:subscribe", "data": {
        "channel": channel.to_string(),
        "auth": auth["auth"],
        "channel_data": auth["channel_data"],
        "resume_from": watched.last.get(),
    }});
    let _ = outgoing.unbounded_send(frame.to_string());
}

/// `ws(s)://<this host>/app/tidings?protocol=7`.
fn socket_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!(
        "{scheme}://{}/app/tidings?protocol=7",
        location.host().ok()?
    ))
}
