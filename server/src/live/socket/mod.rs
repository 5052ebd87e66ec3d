//! One WebSocket connection at `/app/{key}`, speaking Pusher protocol 7. [`Connection::run`]
//! only routes between the parts, each in its own module with its own deadlines and limits:
//!
//! - [`transport`]: the writing half; every write has a deadline, and the goodbye.
//! - [`gate`]: every frame the client sends, of every kind, against the frame rate and size
//!   limits; a binary frame ends the connection.
//! - [`heartbeat`]: pings both ways, and the deadline of a connection without a session.
//! - [`subscriptions`]: the connection's channels, up to `subscriptions_per_connection`.
//! - [`admission`]: checking a subscription (signature, subscriber, membership, seat).
//! - [`replay`]: resuming a channel from a position, bounded.

mod admission;
mod gate;
mod heartbeat;
mod replay;
mod subscriptions;
mod transport;

use super::{
    Live,
    hub::{ConnectionId, Frame},
    mailbox::{End, Mailbox},
    occupancy::Seat,
};
use crate::{
    cross_site::comes_from_this_site,
    seats::{SeatError, UserSeat},
    sessions,
};
use app::{
    domain::{Position, UserId},
    live::{Channel, ClientMessage, ErrorCode, ProtocolError, ServerMessage, SocketId},
};
use axum::{
    Extension,
    extract::{
        ConnectInfo, Path, Query,
        ws::{Utf8Bytes, WebSocket, WebSocketUpgrade},
    },
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use futures_util::StreamExt;
use gate::{Gate, Inbound};
use heartbeat::{Beat, Heartbeat};
use serde::Deserialize;
use std::{
    net::{IpAddr, SocketAddr},
    ops::ControlFlow,
    sync::Arc,
};
use subscriptions::Subscriptions;
use tower_sessions::Session;
use transport::{Transport, WriteError};

/// The protocol version this server speaks.
const PROTOCOL: &str = "7";

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

/// Why a connection ends from the server's side: the code and message of its goodbye.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    pub code: ErrorCode,
    pub message: String,
}

impl Ending {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Upgrades to a WebSocket when the request comes from this site (or from no browser at
/// all); a foreign `Origin` gets 403 before any upgrade. A connection counts at once for its
/// session's user, or else for its client address until a subscription says whose it is.
pub async fn upgrade(
    Extension(live): Extension<Arc<Live>>,
    Path(key): Path<String>,
    Query(query): Query<ConnectQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    ws: WebSocketUpgrade,
) -> Response {
    if !comes_from_this_site(&headers) {
        return (StatusCode::FORBIDDEN, "This origin may not connect.").into_response();
    }
    let user = sessions::user_of(&session).await.ok().flatten();
    let seats = seats(&live, user, peer.ip()).await;
    let refusal = refusal(&live, &key, query.protocol.as_deref());
    let max = live.limits.max_frame_bytes * 4;
    let session = session.id().filter(|_| user.is_some());
    ws.read_buffer_size(READ_BUFFER_BYTES)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            match (refusal, seats) {
                (Some(ending), _) | (None, Err(ending)) => {
                    Box::pin(transport::refuse(socket, ending)).await;
                }
                (None, Ok((seat, sessionless_seat))) => {
                    let sockets = Arc::clone(&live.sockets);
                    let mut connection = Connection::new(live, user, seat);
                    connection.sessionless_seat = sessionless_seat;
                    sockets.spawn(connection.run(socket, session));
                }
            }
        })
}

/// The connection's seat among its user's, or among its address's when it has no session.
async fn seats(
    live: &Live,
    user: Option<UserId>,
    address: IpAddr,
) -> Result<(Option<UserSeat>, Option<Seat<IpAddr>>), Ending> {
    match user {
        Some(user) => live
            .seats
            .take(user)
            .await
            .map(|seat| (Some(seat), None))
            .map_err(|error| Ending::new(ErrorCode::OverCapacity, seat_refusal(&error))),
        None => live
            .sessionless
            .take(address)
            .map(|seat| (None, Some(seat)))
            .map_err(|full| {
                Ending::new(
                    ErrorCode::OverCapacity,
                    format!(
                        "This address already has {} connections without a session; sign in, or close one.",
                        full.limit
                    ),
                )
            }),
    }
}

/// What a client is told when its user gets no seat: full, or (logged here) the shared
/// seats could not be counted; either way it backs off and tries again.
pub(super) fn seat_refusal(error: &SeatError) -> String {
    match error {
        SeatError::Full { limit } => {
            format!("This account already has {limit} open connections; close one and try again.")
        }
        SeatError::Database(_) => {
            tracing::warn!(error = %crate::error_chain(error), "cannot count a user's connections");
            "The server cannot count this account's connections just now; try again shortly."
                .to_owned()
        }
    }
}

fn refusal(live: &Live, key: &str, protocol: Option<&str>) -> Option<Ending> {
    if key != live.signer.key() {
        return Some(Ending::new(
            ErrorCode::AppNotFound,
            format!("No app has the key {key:?}."),
        ));
    }
    match protocol {
        None => Some(Ending::new(
            ErrorCode::NoProtocolVersion,
            "No protocol version given.",
        )),
        Some(PROTOCOL) => None,
        Some(other) => Some(Ending::new(
            ErrorCode::UnsupportedProtocol,
            format!("Protocol {other:?} is not supported; this server speaks 7."),
        )),
    }
}

/// One connection's state. Tens of thousands may sit idle, so it is kept small: the shared
/// state behind one `Arc`, a mailbox instead of a channel, a plain list of subscriptions,
/// and the work of rare events (a subscription, a ping, the goodbye) boxed, so that it does
/// not size every connection's task (`tidings-load` measures the memory per connection).
struct Connection {
    live: Arc<Live>,
    /// Whom the connection speaks for: its session's user, or the user its first admitted
    /// subscription named.
    user: Option<UserId>,
    id: ConnectionId,
    socket_id: SocketId,
    mailbox: Arc<Mailbox>,
    subscriptions: Subscriptions,
    gate: Gate,
    /// This connection's place among its user's, once it is known whose it is.
    seat: Option<UserSeat>,
    /// Until then, its place among its client address's connections without a session.
    sessionless_seat: Option<Seat<std::net::IpAddr>>,
}

impl Connection {
    fn new(live: Arc<Live>, user: Option<UserId>, seat: Option<UserSeat>) -> Self {
        let limits = live.limits;
        Self {
            socket_id: socket_id(),
            id: live.hub.connection_id(),
            mailbox: Mailbox::new(limits.queue_depth),
            subscriptions: Subscriptions::new(limits.subscriptions_per_connection),
            gate: Gate::new(&limits),
            live,
            user,
            seat,
            sessionless_seat: None,
        }
    }

    async fn run(mut self, socket: WebSocket, session: Option<tower_sessions::session::Id>) {
        let (sink, mut stream) = socket.split();
        let mut transport = Transport::new(sink, self.live.limits.write_timeout);
        let hello = ServerMessage::ConnectionEstablished {
            socket_id: self.socket_id,
            activity_timeout_secs: self.live.limits.activity_timeout.as_secs().max(1) as u32,
        };
        if Box::pin(transport.send(&hello)).await.is_err() {
            return;
        }
        self.live.metrics.connected();
        let signed_in = session.map(|id| self.live.signed_in.enter(id, &self.mailbox));
        let ending = Box::pin(self.serve(&mut transport, &mut stream)).await;
        drop(signed_in);
        self.mailbox.close();
        for channel in self.subscriptions.channels() {
            self.live.hub.unsubscribe(channel, self.id);
        }
        self.live.metrics.disconnected();
        match ending {
            Some(ending) => Box::pin(transport.goodbye(&mut stream, &ending)).await,
            None => Box::pin(transport.answer_close()).await,
        }
    }

    /// Routes frames in and out until the connection ends: `None` when the client closed or
    /// the socket failed, else why the server ends it.
    async fn serve(
        &mut self,
        transport: &mut Transport,
        stream: &mut futures_util::stream::SplitStream<WebSocket>,
    ) -> Option<Ending> {
        let mut heartbeat = Heartbeat::new(self.live.limits);
        let mut tick = tokio::time::interval(heartbeat.tick_every());
        let mailbox = Arc::clone(&self.mailbox);
        loop {
            tokio::select! {
                incoming = stream.next() => match self.gate.check(incoming) {
                    Ok(Inbound::Text(text)) => {
                        heartbeat.heard();
                        if let ControlFlow::Break(stop) = Box::pin(self.on_text_in_time(transport, text)).await {
                            return stop;
                        }
                    }
                    Ok(Inbound::Control) => heartbeat.heard(),
                    Ok(Inbound::Closed) => return None,
                    Err(ending) => return Some(ending),
                },
                frames = mailbox.take() => {
                    if let ControlFlow::Break(stop) = Box::pin(self.deliver_in_time(transport, frames)).await {
                        return stop;
                    }
                }
                why = mailbox.ended() => return Some(self.told_to_end(why)),
                _ = tick.tick() => match heartbeat.check(self.seat.is_some()) {
                    Beat::Quiet => {}
                    Beat::Ping => match Box::pin(transport.send(&ServerMessage::Ping)).await {
                        Ok(()) => heartbeat.pinged(),
                        Err(error) => return self.failed(error),
                    },
                    Beat::End(ending) => return Some(ending),
                },
            }
        }
    }

    fn told_to_end(&self, why: End) -> Ending {
        match why {
            End::Overflowed => self.fell_behind(),
            End::SignedOut => Ending::new(ErrorCode::Unauthorized, "You signed out."),
        }
    }

    /// The connection could not keep up: it overflowed, or a write to it stalled.
    fn fell_behind(&self) -> Ending {
        self.live.metrics.overflowed();
        Ending::new(
            ErrorCode::Reconnect,
            "This connection fell behind; reconnect and resume.",
        )
    }

    /// A write that failed ends the connection without a goodbye; one that stalled, as one
    /// that fell behind.
    fn failed(&self, error: WriteError) -> Option<Ending> {
        match error {
            WriteError::Failed(_) => None,
            WriteError::Stalled(_) => Some(self.fell_behind()),
        }
    }

    /// Handles a text frame; `Break` ends the connection, with a goodbye when it holds one.
    /// A replay that cannot finish (a client that stopped reading, a slow log) still ends at
    /// the mailbox's end or a deadline.
    async fn on_text_in_time(
        &mut self,
        transport: &mut Transport,
        text: Utf8Bytes,
    ) -> ControlFlow<Option<Ending>> {
        let mailbox = Arc::clone(&self.mailbox);
        let deadline = self.live.limits.pong_timeout;
        tokio::select! {
            handled = self.on_text(transport, text.as_str()) => match handled {
                Ok(()) => ControlFlow::Continue(()),
                Err(error) => ControlFlow::Break(self.failed(error)),
            },
            why = mailbox.ended() => ControlFlow::Break(Some(self.told_to_end(why))),
            () = tokio::time::sleep(deadline) => ControlFlow::Break(Some(self.fell_behind())),
        }
    }

    /// Delivers the frames; `Break` ends the connection. A client that stops reading blocks
    /// the write until its deadline, but an overflow ends the connection at once.
    async fn deliver_in_time(
        &self,
        transport: &mut Transport,
        frames: Vec<Arc<Frame>>,
    ) -> ControlFlow<Option<Ending>> {
        tokio::select! {
            written = self.deliver(transport, frames) => match written {
                Ok(()) => ControlFlow::Continue(()),
                Err(error) => ControlFlow::Break(self.failed(error)),
            },
            why = self.mailbox.ended() => ControlFlow::Break(Some(self.told_to_end(why))),
        }
    }

    /// Sends the frames with one flush, leaving out what a replay already delivered.
    async fn deliver(
        &self,
        transport: &mut Transport,
        frames: Vec<Arc<Frame>>,
    ) -> Result<(), WriteError> {
        let texts: Vec<Utf8Bytes> = frames
            .iter()
            .filter(|frame| self.subscriptions.wants(frame.channel, frame.position))
            .map(|frame| frame.text.clone())
            .collect();
        let sent = texts.len() as u64;
        transport.send_texts(texts).await?;
        self.live.metrics.frames_sent(sent);
        Ok(())
    }

    fn unsubscribe(&mut self, channel: Channel) {
        self.subscriptions.remove(channel);
        self.live.hub.unsubscribe(channel, self.id);
    }

    /// Handles one protocol message; only a failed write ends the connection.
    async fn on_text(&mut self, transport: &mut Transport, text: &str) -> Result<(), WriteError> {
        let reply = match ClientMessage::parse(text) {
            Ok(ClientMessage::Ping) => Some(ServerMessage::Pong),
            Ok(ClientMessage::Pong) => None,
            Ok(ClientMessage::Subscribe {
                channel,
                auth,
                channel_data,
                resume_from,
            }) => {
                return self
                    .subscribe(
                        transport,
                        channel,
                        &auth,
                        channel_data.as_deref(),
                        resume_from,
                    )
                    .await;
            }
            Ok(ClientMessage::Unsubscribe { channel }) => {
                self.unsubscribe(channel);
                None
            }
            Err(error) => Some(protocol_error(text, error)),
        };
        match reply {
            Some(reply) => transport.send(&reply).await,
            None => Ok(()),
        }
    }

    /// Admits the subscription (or answers why not), then replays it when asked to.
    async fn subscribe(
        &mut self,
        transport: &mut Transport,
        channel: Channel,
        auth: &str,
        channel_data: Option<&str>,
        resume_from: Option<Position>,
    ) -> Result<(), WriteError> {
        let grant = match self.admit(channel, auth, channel_data).await {
            Ok(grant) => grant,
            Err(refusal) => {
                return transport
                    .send(&subscription_error(
                        channel,
                        refusal.status,
                        refusal.message,
                    ))
                    .await;
            }
        };
        transport
            .send(&ServerMessage::SubscriptionSucceeded { channel })
            .await?;
        let Some(from) = resume_from else {
            return Ok(());
        };
        match self.replay(transport, channel, grant, from).await {
            Ok(()) => Ok(()),
            Err(replay::ReplayError::Socket(error)) => Err(error),
            Err(error) => {
                self.unsubscribe(channel);
                transport
                    .send(&subscription_error(
                        channel,
                        error.status(),
                        error.to_string(),
                    ))
                    .await
            }
        }
    }
}

fn subscription_error(channel: Channel, status: u16, message: String) -> ServerMessage {
    ServerMessage::SubscriptionError {
        channel: channel.to_string(),
        status,
        message,
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
