//! Live channels: a Pusher-protocol WebSocket hub fed by the log.
//!
//! - [`signature`]: channel signatures (HMAC-SHA256), made and checked.
//! - [`access`]: who may subscribe to which channel.
//! - [`hub`]: channels and their subscribers.
//! - [`mailbox`]: each connection's bounded queue of frames.
//! - [`occupancy`]: the open connections of each user, against the limit per user.
//! - [`socket`]: one connection: handshake, pings, subscriptions, replays, limits (each in
//!   a module of its own).
//! - [`signed_in`]: the connections of each session, ended when it signs out.
//! - [`sockets`]: the runtime that the connections run on, apart from the commands'.
//! - [`authorize`]: `POST /broadcasting/auth`.
//! - [`tracker`]: follows the log, and maps each todo event to its messages.
//! - [`channel_log`]: a channel's events after a position, through the team log, for replays.
//! - [`reactor`]: follows the log live and fans each todo event out to its channels.
//! - [`metrics_endpoint`]: `GET /metrics`.

mod access;
mod authorize;
mod channel_log;
mod hub;
mod mailbox;
mod metrics_endpoint;
mod occupancy;
mod reactor;
mod signature;
mod signed_in;
mod socket;
mod sockets;
mod tracker;

pub use authorize::authorize;
pub use hub::Hub;
pub use metrics_endpoint::metrics;
pub use occupancy::{Full, Occupancy, Seat};
pub use reactor::Reactor;
pub use signature::Signer;
pub use signed_in::SignedIn;
pub use socket::upgrade;
pub use sockets::SocketRuntime;

use crate::{
    metrics::Metrics,
    projection::ReadModels,
    seats::Seats,
    store::{EventStore, postgres::TailStatus},
};
use app::domain::UserId;
use std::{net::IpAddr, num::NonZeroUsize, sync::Arc, time::Duration};
use tokio::sync::Semaphore;

/// What the live endpoints share.
#[derive(Clone)]
pub struct Live {
    pub hub: Arc<Hub>,
    pub signer: Signer,
    /// Where channel subscriptions are checked against memberships, and replays find
    /// their team's events.
    pub read_models: Arc<dyn ReadModels>,
    pub limits: SocketLimits,
    pub metrics: Arc<Metrics>,
    /// The log, which resuming subscriptions replay from.
    pub store: Arc<dyn EventStore>,
    /// The open connections of each user, across instances.
    pub seats: Seats,
    /// The open connections without a session of each client address, until they subscribe.
    pub sessionless: Arc<Occupancy<IpAddr>>,
    /// The replays each user runs, and those the server runs at once.
    pub replays: Arc<Occupancy<UserId>>,
    pub replays_at_once: Arc<Semaphore>,
    /// The connections of each session, ended when it signs out.
    pub signed_in: Arc<SignedIn>,
    /// Where the connections run.
    pub sockets: Arc<SocketRuntime>,
    /// How this instance follows other instances' commits (on PostgreSQL).
    pub tail: Option<Arc<TailStatus>>,
}

/// The limits of one connection.
#[derive(Debug, Clone, Copy)]
pub struct SocketLimits {
    /// The largest text frame a client may send, in bytes (Pusher's is 10 KB).
    pub max_frame_bytes: usize,
    /// Frames a client may send per second, and at once.
    pub frames_per_second: u32,
    pub frame_burst: u32,
    /// How many frames may wait for a slow connection before it is closed.
    pub queue_depth: usize,
    /// How far back (in events) a subscription may resume; further back, the client reloads.
    pub max_replay: u64,
    /// How many todos (and how many teams) the reactor and each replay keep in memory; one
    /// they forgot is loaded again from the log when they next see it.
    pub tracked: NonZeroUsize,
    /// After this long without a frame from the client, the server pings it.
    pub activity_timeout: Duration,
    /// After a ping, how long the client has to answer before it is closed.
    pub pong_timeout: Duration,
    /// How long a connection opened without a session has to get a subscription admitted,
    /// which tells whose it is; after that it is closed (4009). Until then it counts for no
    /// user against `connections_per_user`.
    pub subscribe_within: Duration,
    /// How long one write to a client may wait (its send buffer full) before the
    /// connection is closed as one that fell behind.
    pub write_timeout: Duration,
    /// How many channels one connection may subscribe to.
    pub subscriptions_per_connection: usize,
    /// How many replays (resumed subscriptions) one user may run at once, and the server.
    pub replays_per_user: NonZeroUsize,
    pub replays_at_once: usize,
    /// The kernel's send buffer for each accepted connection; `None` leaves it to the
    /// kernel's own tuning (up to 4 MB on Linux), which can hide a stalled client for long.
    pub send_buffer_bytes: Option<usize>,
}

impl Default for SocketLimits {
    fn default() -> Self {
        Self {
            max_frame_bytes: 10_000,
            frames_per_second: 10,
            frame_burst: 40,
            queue_depth: 256,
            max_replay: 100_000,
            tracked: NonZeroUsize::new(10_000).expect("not zero"),
            activity_timeout: Duration::from_secs(120),
            pong_timeout: Duration::from_secs(30),
            subscribe_within: Duration::from_secs(30),
            write_timeout: Duration::from_secs(10),
            subscriptions_per_connection: 100,
            replays_per_user: NonZeroUsize::new(4).expect("not zero"),
            replays_at_once: 32,
            send_buffer_bytes: None,
        }
    }
}
