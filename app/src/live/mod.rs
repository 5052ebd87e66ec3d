//! The live channels' wire protocol, shared by the server's hub and the browser's client:
//! Pusher Channels protocol 7 (so pusher-js and Laravel Echo connect unchanged), with one
//! extension, `resume_from` on `pusher:subscribe`.
//!
//! - [`channel`]: channel names, parsed strictly.
//! - [`socket_id`]: the id a connection gets, which channel signatures bind to.
//! - [`protocol`]: the messages in both directions.
//! - [`client`]: the browser's live client (its socket exists in hydrate builds only).
//! - [`pending`]: the tab's commands that wait for the broadcast confirming them.
//! - [`latest`]: of an island's loads, the one from latest in the log is shown.

mod channel;
mod client;
mod latest;
mod pending;
mod protocol;
mod socket_id;

pub use channel::{Channel, ChannelError};
pub use client::{LiveEvent, LiveStatus, LiveTodo, use_channel, use_live_status, use_live_watched};
pub use latest::load_latest;
pub use pending::{Pending, creating, on_todo, saving, track_commands};
pub use protocol::{ClientMessage, ErrorCode, ProtocolError, ServerMessage};
pub use socket_id::{SocketId, SocketIdError};
