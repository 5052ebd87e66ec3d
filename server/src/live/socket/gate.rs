//! Every frame a client sends passes here first: each kind (text, binary, ping, pong) counts
//! against the connection's rate limit, a text frame over the size limit ends the
//! connection, and so does a binary frame, which the protocol has none of.

use super::Ending;
use crate::live::SocketLimits;
use app::live::ErrorCode;
use axum::extract::ws::{Message, Utf8Bytes};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

/// What a frame that passed means for the connection.
#[derive(Debug, PartialEq, Eq)]
pub enum Inbound {
    /// A protocol message to handle.
    Text(Utf8Bytes),
    /// A WebSocket ping or pong: the client is there (the ping is answered by the library).
    Control,
    /// The client closed the connection, or it ended.
    Closed,
}

pub struct Gate {
    limiter: DefaultDirectRateLimiter,
    max_frame_bytes: usize,
    frames_per_second: u32,
}

impl Gate {
    pub fn new(limits: &SocketLimits) -> Self {
        let quota = Quota::per_second(nonzero(limits.frames_per_second))
            .allow_burst(nonzero(limits.frame_burst));
        Self {
            limiter: RateLimiter::direct(quota),
            max_frame_bytes: limits.max_frame_bytes,
            frames_per_second: limits.frames_per_second,
        }
    }

    /// Checks what the socket yielded: a frame, a read error, or its end.
    pub fn check(&self, incoming: Option<Result<Message, axum::Error>>) -> Result<Inbound, Ending> {
        let message = match incoming {
            None | Some(Ok(Message::Close(_))) => return Ok(Inbound::Closed),
            Some(Err(_)) => {
                return Err(Ending::new(
                    ErrorCode::FrameTooLarge,
                    "The frame could not be read.",
                ));
            }
            Some(Ok(message)) => message,
        };
        if self.limiter.check().is_err() {
            return Err(Ending::new(
                ErrorCode::RateLimited,
                format!("More than {} frames a second.", self.frames_per_second),
            ));
        }
        match message {
            Message::Text(text) if text.len() > self.max_frame_bytes => Err(Ending::new(
                ErrorCode::FrameTooLarge,
                format!(
                    "A frame may be at most {} bytes; this one was {}.",
                    self.max_frame_bytes,
                    text.len()
                ),
            )),
            Message::Text(text) => Ok(Inbound::Text(text)),
            Message::Binary(_) => Err(Ending::new(
                ErrorCode::BinaryFrame,
                "Binary frames are not part of the protocol.",
            )),
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) => Ok(Inbound::Control),
        }
    }
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).expect("at least one")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;

    fn gate(burst: u32) -> Gate {
        Gate::new(&SocketLimits {
            frames_per_second: 1,
            frame_burst: burst,
            max_frame_bytes: 10,
            ..SocketLimits::default()
        })
    }

    fn code(result: Result<Inbound, Ending>) -> Option<ErrorCode> {
        result.err().map(|ending| ending.code)
    }

    #[test]
    fn every_kind_of_frame_counts_against_the_limit() {
        let gate = gate(3);
        let frames = [
            Message::Ping(Bytes::new()),
            Message::Pong(Bytes::new()),
            Message::Text("{}".into()),
        ];
        for frame in frames {
            assert!(gate.check(Some(Ok(frame))).is_ok());
        }
        let fourth = gate.check(Some(Ok(Message::Ping(Bytes::new()))));
        assert_eq!(code(fourth), Some(ErrorCode::RateLimited));
    }

    #[test]
    fn a_binary_frame_ends_the_connection() {
        let binary = gate(5).check(Some(Ok(Message::Binary(Bytes::from_static(b"x")))));
        assert_eq!(code(binary), Some(ErrorCode::BinaryFrame));
    }

    #[test]
    fn a_text_frame_at_the_size_limit_passes_and_one_byte_more_ends_the_connection() {
        let gate = gate(5);
        let at = gate.check(Some(Ok(Message::Text("x".repeat(10).into()))));
        assert_eq!(at, Ok(Inbound::Text("x".repeat(10).into())));
        let over = gate.check(Some(Ok(Message::Text("x".repeat(11).into()))));
        assert_eq!(code(over), Some(ErrorCode::FrameTooLarge));
    }

    #[test]
    fn a_close_frame_or_the_end_of_the_stream_closes_without_counting() {
        let gate = gate(1);
        assert_eq!(gate.check(None), Ok(Inbound::Closed));
        assert_eq!(
            gate.check(Some(Ok(Message::Close(None)))),
            Ok(Inbound::Closed)
        );
        assert!(gate.check(Some(Ok(Message::Text("{}".into())))).is_ok());
    }
}
