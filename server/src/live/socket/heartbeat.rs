//! When the server pings a quiet client, when it gives up on one that does not answer, and
//! when it closes a connection opened without a session that never said whose it is.

use super::Ending;
use crate::live::SocketLimits;
use app::live::ErrorCode;
use std::time::{Duration, Instant};

pub struct Heartbeat {
    limits: SocketLimits,
    opened: Instant,
    last_heard: Instant,
    pinged_at: Option<Instant>,
}

/// What a tick of the clock asks of the connection.
#[derive(Debug, PartialEq, Eq)]
pub enum Beat {
    Quiet,
    Ping,
    End(Ending),
}

impl Heartbeat {
    pub fn new(limits: SocketLimits) -> Self {
        let now = Instant::now();
        Self {
            limits,
            opened: now,
            last_heard: now,
            pinged_at: None,
        }
    }

    /// How often to check: often enough to keep every deadline within half its length.
    pub fn tick_every(&self) -> Duration {
        let limits = &self.limits;
        limits
            .pong_timeout
            .min(limits.activity_timeout)
            .min(limits.subscribe_within)
            / 2
    }

    /// The client sent something.
    pub fn heard(&mut self) {
        self.last_heard = Instant::now();
        self.pinged_at = None;
    }

    /// The server's ping went out.
    pub fn pinged(&mut self) {
        self.pinged_at = Some(Instant::now());
    }

    /// What is due now; `counted`: the connection counts for a user already.
    pub fn check(&self, counted: bool) -> Beat {
        let limits = &self.limits;
        if !counted && self.opened.elapsed() >= limits.subscribe_within {
            return Beat::End(Ending::new(
                ErrorCode::Unauthorized,
                "A connection without a session must subscribe to a channel soon after it opens.",
            ));
        }
        match self.pinged_at {
            Some(at) if at.elapsed() >= limits.pong_timeout => Beat::End(Ending::new(
                ErrorCode::PongNotReceived,
                "No answer to the server's ping.",
            )),
            Some(_) => Beat::Quiet,
            None if self.last_heard.elapsed() >= limits.activity_timeout => Beat::Ping,
            None => Beat::Quiet,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heartbeat(activity: u64, pong: u64, subscribe: u64) -> Heartbeat {
        Heartbeat::new(SocketLimits {
            activity_timeout: Duration::from_millis(activity),
            pong_timeout: Duration::from_millis(pong),
            subscribe_within: Duration::from_millis(subscribe),
            ..SocketLimits::default()
        })
    }

    #[test]
    fn a_quiet_client_is_pinged_then_ended_when_it_does_not_answer() {
        let mut beat = heartbeat(0, 0, 60_000);
        assert_eq!(beat.check(true), Beat::Ping);
        beat.pinged();
        let Beat::End(ending) = beat.check(true) else {
            panic!("no end after the pong deadline");
        };
        assert_eq!(ending.code, ErrorCode::PongNotReceived);
    }

    #[test]
    fn an_answer_clears_the_ping() {
        let mut beat = heartbeat(60_000, 0, 60_000);
        beat.pinged();
        beat.heard();
        assert_eq!(beat.check(true), Beat::Quiet);
    }

    #[test]
    fn a_connection_that_counts_for_no_one_ends_after_its_deadline() {
        let beat = heartbeat(60_000, 60_000, 0);
        let Beat::End(ending) = beat.check(false) else {
            panic!("no end for a connection that counts for no one");
        };
        assert_eq!(ending.code, ErrorCode::Unauthorized);
        assert_eq!(beat.check(true), Beat::Quiet);
    }
}
