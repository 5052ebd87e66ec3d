//! The live channels' wire protocol, shared by the server's hub and the browser's client:
//! Pusher Channels protocol 7 (so pusher-js and Laravel Echo connect unchanged), with one
//! extension, `resume_from` on `pusher:subscribe`.
//!
//! - [`channel`]: channel names, parsed strictly.
//! - [`socket_id`]: the id a connection gets, which channel signatures bind to.
//! - [`protocol`]: the messages in both directions.

mod channel;
mod protocol;
mod socket_id;

pub use channel::{Channel, ChannelError};
pub use protocol::{ClientMessage, ErrorCode, ProtocolError, ServerMessage};
pub use socket_id::{SocketId, SocketIdError};
