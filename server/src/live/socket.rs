//! One WebSocket connection at `/app/{key}`, speaking Pusher protocol 7: the handshake,
//! pings both ways, subscriptions (signature and membership checked, resumed from a
//! position when asked), and the limits: frame size, frames per second, and a bounded
//! outgoing queue whose overflow closes the connection with the reconnect code.
//!
//! A resuming subscription joins the hub first, then replays the log from the client's
//! position up to the head it read; live frames at or below that head are dropped, since the
//! replay had them. So there is no gap and no duplicate, whatever commits meanwhile.

use super::{
    Live, access,
    hub::{ConnectionId, Frame},
    mailbox::Mailbox,
    occupancy::Seat,
    tracker::{Change, TrackError, Tracker, messages},
};
use crate::{cross_site::comes_from_this_site, sessions};
use app::{
    domain::{Position, UserId},
    live::{Channel, ClientMessage, ErrorCode, ProtocolError, ServerMessage, SocketId},
};
use axum::{
    Extension,
    extract::{
        Path, Query,
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
    },
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use futures_util::{
    SinkExt, StreamExt,
    stream::{SplitSink, SplitStream},
};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::Deserialize;
use std::{
    num::NonZeroU32,
    sync::Arc,
    time::{Duration, Instant},
};
use tower_sessions::Session;

/// The protocol version this server speaks.
const PROTOCOL: &str = "7";

/// How long the server tries to deliver its last error and close frame.
const GOODBYE_TIMEOUT: Duration = Duration::from_secs(2);

/// Each connection's read buffer. Tungstenite's default, 128 KiB, is zero-filled on the
/// first read, so it stayed resident for every idle connection (about 140 KB of server
/// memory per subscriber, measured with `tidings-load`). Clients send a few small frames
/// (a subscribe with its signature is about 300 bytes, a pong 30), and a larger one, up to
/// the frame limit, arrives over several reads. 512 rather than 1 KiB: 3,872 instead of
/// 4,216 bytes per idle connection at 10,000 subscribers.
const READ_BUFFER_BYTES: usize = 512;

#[derive(Deserialize)]
pub struct ConnectQuery {
    protocol: Option<String>,
}

/// Upgrades to a WebSocket when the request comes from this site (or from no browser at
/// all); a foreign `Origin` gets 403 before any upgrade.
pub async fn upgrade(
    Extension(live): Extension<Arc<Live>>,
    Path(key): Path<String>,
    Query(query): Query<ConnectQuery>,
    headers: HeaderMap,
    session: Session,
    ws: WebSocketUpgrade,
) -> Response {
    if !comes_from_this_site(&headers) {
        return (StatusCode::FORBIDDEN, "This origin may not connect.").into_response();
    }
    let user = sessions::user_of(&session).await.ok().flatten();
    let seat = user.map(|user| live.occupancy.take(user)).transpose();
    let refusal = if key != live.signer.key() {
        Some((
            ErrorCode::AppNotFound,
            format!("No app has the key {key:?}."),
        ))
    } else {
        match query.protocol.as_deref() {
            None => Some((
                ErrorCode::NoProtocolVersion,
                "No protocol version given.".into(),
            )),
            Some(PROTOCOL) => None,
            Some(other) => Some((
                ErrorCode::UnsupportedProtocol,
                format!("Protocol {other:?} is not supported; this server speaks 7."),
            )),
        }
    };
    let max = live.limits.max_frame_bytes * 4;
    ws.read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            match (refusal, seat) {
                (Some((code, message)), _) => Box::pin(refuse(socket, code, message)).await,
                (None, Err(full)) => {
                    Box::pin(refuse(socket, ErrorCode::OverCapacity, full.to_string())).await
                }
                (None, Ok(seat)) => {
                    let sockets = Arc::clone(&live.sockets);
                    sockets.spawn(Connection::new(live, user, seat).run(socket));
                }
            }
        })
}

async fn refuse(socket: WebSocket, code: ErrorCode, message: String) {
    let (mut sink, mut stream) = socket.split();
    goodbye(&mut sink, &mut stream, code, &message).await;
}

/// The server's end of a connection: the error and the close frame with its code, then the
/// closing handshake: what the client still sends is read and dropped until its own close
/// frame, so that no unread bytes reset the connection before the client has read why it
/// ends. A client that does not read gets no goodbye: after a deadline the socket is dropped.
async fn goodbye(
    sink: &mut SplitSink<WebSocket, Message>,
    stream: &mut SplitStream<WebSocket>,
    code: ErrorCode,
    message: &str,
) {
    let error = ServerMessage::Error {
        code: Some(code),
        message: message.to_owned(),
    };
    let handshake = async {
        send(sink, &error).await?;
        sink.send(close(code, message)).await?;
        while let Some(Ok(message)) = stream.next().await {
            if let Message::Close(_) = message {
                break;
            }
        }
        Ok::<(), axum::Error>(())
    };
    let _ = tokio::time::timeout(GOODBYE_TIMEOUT, Box::pin(handshake)).await;
}

fn close(code: ErrorCode, reason: &str) -> Message {
    let reason: String = reason.chars().take(100).collect();
    Message::Close(Some(CloseFrame {
        code: code as u16,
        reason: Utf8Bytes::from(reason),
    }))
}

/// Why a connection ends from the server's side.
struct Ending {
    code: ErrorCode,
    message: String,
}

/// One connection's state. Tens of thousands may sit idle, so it is kept small: the shared
/// state behind one `Arc`, a mailbox instead of a channel, a plain list of subscriptions,
/// and the work of rare events (a subscription, a ping, the goodbye) boxed, so that it does
/// not size every connection's task (`tidings-load` measures the memory per connection).
struct Connection {
    live: Arc<Live>,
    user: Option<UserId>,
    id: ConnectionId,
    socket_id: SocketId,
    mailbox: Arc<Mailbox>,
    subscriptions: Vec<Subscription>,
    limiter: DefaultDirectRateLimiter,
    /// This connection's place among its user's, once it is known whose it is.
    seat: Option<Seat>,
}

struct Subscription {
    channel: Channel,
    /// For a resumed channel, the position up to which the replay delivered.
    replayed: Option<Position>,
}

impl Connection {
    fn new(live: Arc<Live>, user: Option<UserId>, seat: Option<Seat>) -> Self {
        let limits = live.limits;
        let quota = Quota::per_second(nonzero(limits.frames_per_second))
            .allow_burst(nonzero(limits.frame_burst));
        Self {
            socket_id: socket_id(),
            id: live.hub.connection_id(),
            mailbox: Mailbox::new(limits.queue_depth),
            subscriptions: Vec::new(),
            limiter: RateLimiter::direct(quota),
            live,
            user,
            seat,
        }
    }

    async fn run(mut self, socket: WebSocket) {
        let (mut sink, mut stream) = socket.split();
        let hello = ServerMessage::ConnectionEstablished {
            socket_id: self.socket_id,
            activity_timeout_secs: self.live.limits.activity_timeout.as_secs().max(1) as u32,
        };
        if Box::pin(send(&mut sink, &hello)).await.is_err() {
            return;
        }
        self.live.metrics.connected();
        let opened = Instant::now();
        let mut last_heard = opened;
        let mut pinged_at: Option<Instant> = None;
        let limits = &self.live.limits;
        let shortest = limits
            .pong_timeout
            .min(limits.activity_timeout)
            .min(limits.subscribe_within);
        let mut tick = tokio::time::interval(shortest / 2);
        let ending = loop {
            tokio::select! {
                incoming = stream.next() => {
                    let message = match incoming {
                        Some(Ok(message)) => message,
                        Some(Err(_)) => break Some(Ending {
                            code: ErrorCode::FrameTooLarge,
                            message: "The frame could not be read.".into(),
                        }),
                        None => break None,
                    };
                    last_heard = Instant::now();
                    pinged_at = None;
                    match message {
                        Message::Text(text) => {
                            if let Some(ending) = Box::pin(self.on_text_in_time(&mut sink, text)).await {
                                break Some(ending);
                            }
                        }
                        Message::Binary(_) => {
                            let error = ServerMessage::Error {
                                code: None,
                                message: "Binary frames are not part of the protocol.".into(),
                            };
                            if Box::pin(send(&mut sink, &error)).await.is_err() {
                                break None;
                            }
                        }
                        Message::Close(_) => break None,
                        Message::Ping(_) | Message::Pong(_) => {}
                    }
                }
                frames = self.mailbox.take() => {
                    if let Err(ending) = Box::pin(self.deliver(&mut sink, frames)).await {
                        break ending;
                    }
                }
                () = self.mailbox.overflowed() => break Some(self.fell_behind()),
                _ = tick.tick() => {
                    let limits = &self.live.limits;
                    if self.seat.is_none() && opened.elapsed() >= limits.subscribe_within {
                        break Some(Ending {
                            code: ErrorCode::Unauthorized,
                            message: "A connection without a session must subscribe to a channel soon after it opens.".into(),
                        });
                    }
                    if let Some(at) = pinged_at {
                        if at.elapsed() >= limits.pong_timeout {
                            break Some(Ending {
                                code: ErrorCode::PongNotReceived,
                                message: "No answer to the server's ping.".into(),
                            });
                        }
                    } else if last_heard.elapsed() >= limits.activity_timeout {
                        let ping = send(&mut sink, &ServerMessage::Ping);
                        match Box::pin(tokio::time::timeout(limits.pong_timeout, ping)).await {
                            Ok(Ok(())) => pinged_at = Some(Instant::now()),
                            Ok(Err(_)) => break None,
                            Err(_) => break Some(self.fell_behind()),
                        }
                    }
                }
            }
        };
        self.mailbox.close();
        for subscription in &self.subscriptions {
            self.live.hub.unsubscribe(subscription.channel, self.id);
        }
        self.live.metrics.disconnected();
        match ending {
            Some(Ending { code, message }) => {
                Box::pin(goodbye(&mut sink, &mut stream, code, &message)).await;
            }
            // The client closed (or the socket failed): send the close frame that answers
            // it, if the socket still takes one.
            None => {
                let _ = Box::pin(tokio::time::timeout(GOODBYE_TIMEOUT, sink.close())).await;
            }
        }
    }

    fn fell_behind(&self) -> Ending {
        self.live.metrics.overflowed();
        Ending {
            code: ErrorCode::Reconnect,
            message: "This connection fell behind; reconnect and resume.".into(),
        }
    }

    /// Handles a text frame. A client that stops reading during a replay blocks it: the
    /// overflow notice and a deadline still end the connection.
    async fn on_text_in_time(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        text: Utf8Bytes,
    ) -> Option<Ending> {
        let mailbox = Arc::clone(&self.mailbox);
        let deadline = self.live.limits.pong_timeout;
        tokio::select! {
            handled = self.on_text(sink, text.as_str()) => handled,
            () = mailbox.overflowed() => Some(self.fell_behind()),
            () = tokio::time::sleep(deadline) => Some(self.fell_behind()),
        }
    }

    /// Writes `frames`. A client that stops reading blocks the write for good; the overflow
    /// notice must still end the connection. `Err(None)`: the socket failed.
    async fn deliver(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        frames: Vec<Arc<Frame>>,
    ) -> Result<(), Option<Ending>> {
        let mailbox = Arc::clone(&self.mailbox);
        tokio::select! {
            flushed = self.flush(sink, frames) => flushed.map_err(|_| None),
            () = mailbox.overflowed() => Err(Some(self.fell_behind())),
        }
    }

    /// Sends the frames with one flush, leaving out what a replay already delivered.
    async fn flush(
        &self,
        sink: &mut SplitSink<WebSocket, Message>,
        frames: Vec<Arc<Frame>>,
    ) -> Result<(), axum::Error> {
        let mut sent = 0;
        for frame in frames {
            let replayed = self.replayed(frame.channel);
            if replayed.is_none_or(|upto| frame.position > upto) {
                sink.feed(Message::Text(frame.text.clone())).await?;
                sent += 1;
            }
        }
        self.live.metrics.frames_sent(sent);
        sink.flush().await
    }

    fn replayed(&self, channel: Channel) -> Option<Position> {
        self.subscriptions
            .iter()
            .find(|s| s.channel == channel)
            .and_then(|s| s.replayed)
    }

    fn subscribed(&mut self, channel: Channel) -> &mut Subscription {
        let at = match self.subscriptions.iter().position(|s| s.channel == channel) {
            Some(at) => at,
            None => {
                self.subscriptions.push(Subscription {
                    channel,
                    replayed: None,
                });
                self.subscriptions.len() - 1
            }
        };
        &mut self.subscriptions[at]
    }

    fn unsubscribe(&mut self, channel: Channel) {
        self.subscriptions.retain(|s| s.channel != channel);
        self.live.hub.unsubscribe(channel, self.id);
    }

    /// Handles one text frame; `Some` ends the connection.
    async fn on_text(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        text: &str,
    ) -> Option<Ending> {
        let limits = self.live.limits;
        if text.len() > limits.max_frame_bytes {
            return Some(Ending {
                code: ErrorCode::FrameTooLarge,
                message: format!(
                    "A frame may be at most {} bytes; this one was {}.",
                    limits.max_frame_bytes,
                    text.len()
                ),
            });
        }
        if self.limiter.check().is_err() {
            return Some(Ending {
                code: ErrorCode::RateLimited,
                message: format!("More than {} frames a second.", limits.frames_per_second),
            });
        }
        let reply = match ClientMessage::parse(text) {
            Ok(ClientMessage::Ping) => Some(ServerMessage::Pong),
            Ok(ClientMessage::Pong) => None,
            Ok(ClientMessage::Subscribe {
                channel,
                auth,
                channel_data,
                resume_from,
            }) => {
                let subscribed = self
                    .subscribe(sink, channel, &auth, channel_data.as_deref(), resume_from)
                    .await;
                return subscribed.err().map(|_| Ending {
                    code: ErrorCode::Reconnect,
                    message: "The connection failed.".into(),
                });
            }
            Ok(ClientMessage::Unsubscribe { channel }) => {
                self.unsubscribe(channel);
                None
            }
            Err(error) => Some(protocol_error(text, error)),
        };
        match reply {
            Some(reply) if send(sink, &reply).await.is_err() => Some(Ending {
                code: ErrorCode::Reconnect,
                message: "The connection failed.".into(),
            }),
            _ => None,
        }
    }

    /// The subscriber is the user that the signed channel data names, or else the session's.
    /// Either way, membership is checked again now.
    async fn subscribe(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        channel: Channel,
        auth: &str,
        channel_data: Option<&str>,
        resume_from: Option<Position>,
    ) -> Result<(), axum::Error> {
        let answer = self.admit(channel, auth, channel_data).await;
        let admitted = matches!(answer, ServerMessage::SubscriptionSucceeded { .. });
        send(sink, &answer).await?;
        if let (true, Some(from)) = (admitted, resume_from)
            && let Err(error) = self.replay(sink, channel, from).await
        {
            self.unsubscribe(channel);
            let refusal = ServerMessage::SubscriptionError {
                channel: channel.to_string(),
                status: error.status(),
                message: error.to_string(),
            };
            send(sink, &refusal).await?;
        }
        Ok(())
    }

    /// Sends every event of `channel` after `from` up to the log's head, in order, and
    /// remembers that head so that the live frames it covers are dropped.
    async fn replay(
        &mut self,
        sink: &mut SplitSink<WebSocket, Message>,
        channel: Channel,
        from: Position,
    ) -> Result<(), ReplayError> {
        let store = self.live.store.clone();
        let head = store.head().await.map_err(TrackError::from)?;
        if head.get().saturating_sub(from.get()) > self.live.limits.max_replay {
            return Err(ReplayError::TooFarBack);
        }
        let mut tracker = Tracker::new(store, from, self.live.limits.tracked);
        let mut sent = 0;
        'pages: while tracker.cursor() < head {
            let page = tracker.next_page().await.map_err(TrackError::from)?;
            if page.is_empty() {
                break;
            }
            for event in &page {
                if event.position > head {
                    break 'pages;
                }
                if let Change::Todo { todo, members } = tracker.advance(event).await? {
                    for frame in messages(event, &todo, &members) {
                        if frame.channel == channel {
                            sink.feed(Message::Text(frame.text.clone())).await?;
                            sent += 1;
                        }
                    }
                }
            }
        }
        sink.flush().await?;
        self.live.metrics.frames_sent(sent);
        self.subscribed(channel).replayed = Some(head);
        Ok(())
    }

    /// Checks a subscription and joins the hub: the answer is `subscription_succeeded` or
    /// the reason it was refused.
    async fn admit(
        &mut self,
        channel: Channel,
        auth: &str,
        channel_data: Option<&str>,
    ) -> ServerMessage {
        let refused = |status: u16, message: &str| ServerMessage::SubscriptionError {
            channel: channel.to_string(),
            status,
            message: message.to_owned(),
        };
        let signed = self
            .live
            .signer
            .verify(self.socket_id, channel, channel_data, auth);
        if !signed {
            return refused(
                401,
                "The signature does not match this connection and channel.",
            );
        }
        let named = channel_data.map(|data| {
            serde_json::from_str::<serde_json::Value>(data)
                .ok()
                .and_then(|value| {
                    value["user_id"]
                        .as_str()
                        .and_then(|id| UserId::parse(id).ok())
                })
        });
        let user = match named {
            Some(Some(user)) => user,
            Some(None) => return refused(400, "The channel data names no user."),
            None => match self.user {
                Some(user) => user,
                None => return refused(403, "Please sign in to continue."),
            },
        };
        match access::grant(&self.live.pool, user, channel).await {
            Ok(Some(grant)) => {
                // The connection counts for the user of its first granted subscription.
                if self.seat.is_none() {
                    match self.live.occupancy.take(user) {
                        Ok(seat) => self.seat = Some(seat),
                        Err(full) => return refused(429, &full.to_string()),
                    }
                }
                let mailbox = Arc::clone(&self.mailbox);
                self.live
                    .hub
                    .subscribe(channel, self.id, user, grant, mailbox);
                self.subscribed(channel);
                ServerMessage::SubscriptionSucceeded { channel }
            }
            Ok(None) => refused(403, "You may not subscribe to this channel."),
            Err(error) => {
                tracing::error!(%error, "checking a subscription failed");
                refused(500, "Something went wrong on our side.")
            }
        }
    }
}

/// Why a resumed subscription could not replay.
#[derive(Debug, thiserror::Error)]
enum ReplayError {
    #[error("This subscription is too far behind to resume; reload the page.")]
    TooFarBack,
    #[error("Replaying the log failed: {0}")]
    Log(#[from] TrackError),
    #[error("The connection failed.")]
    Socket(#[from] axum::Error),
}

impl ReplayError {
    fn status(&self) -> u16 {
        match self {
            Self::TooFarBack => 410,
            Self::Log(_) | Self::Socket(_) => 500,
        }
    }
}

/// A refused frame: a subscription error for a subscribe with a bad channel, a protocol
/// error otherwise.
fn protocol_error(text: &str, error: ProtocolError) -> ServerMessage {
    if let ProtocolError::BadChannel(_) | ProtocolError::MissingAuth = error {
        let channel = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v["data"]["channel"].as_str().map(str::to_owned))
            .unwrap_or_default();
        return ServerMessage::SubscriptionError {
            channel: channel.chars().take(200).collect(),
            status: 400,
            message: error.to_string(),
        };
    }
    ServerMessage::Error {
        code: None,
        message: error.to_string(),
    }
}

async fn send(
    sink: &mut SplitSink<WebSocket, Message>,
    message: &ServerMessage,
) -> Result<(), axum::Error> {
    sink.send(Message::Text(message.to_json().into())).await
}

/// A fresh socket id from the operating system's random source.
fn socket_id() -> SocketId {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        tracing::warn!("no random source; socket ids fall back to the clock");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        bytes = nanos.to_le_bytes();
    }
    let high = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let low = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    SocketId::new(high, low)
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).expect("at least one")
}
