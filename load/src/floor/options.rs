//! The flags of `tidings-load floor` and of its sender, checked before any socket opens.

use super::frame::TIME_DIGITS;
use clap::Args;
use std::time::Duration;

/// The largest frame: a WebSocket text frame of Tidings' is far smaller.
pub const MAX_FRAME_BYTES: usize = 65_536;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OptionsError {
    #[error("--subscribers must be at least 1")]
    NoSubscribers,
    #[error("--sender-threads and --receiver-threads must be between 1 and --subscribers")]
    Threads,
    #[error("--frame-bytes must be between {TIME_DIGITS} and {MAX_FRAME_BYTES}")]
    FrameBytes,
    #[error("--rounds must be at least 1")]
    NoRounds,
}

#[derive(Debug, Clone, Args)]
pub struct FloorOptions {
    /// Receiving sockets: one delivery each per round.
    #[arg(long, default_value_t = 10_000)]
    pub subscribers: usize,
    /// Rounds, each one frame to every socket.
    #[arg(long, default_value_t = 20)]
    pub rounds: usize,
    /// Threads that write: Tidings' socket runtime has one per core.
    #[arg(long, default_value_t = 2)]
    pub sender_threads: usize,
    /// Threads that receive, each an epoll loop over its share of the sockets.
    #[arg(long, default_value_t = 2)]
    pub receiver_threads: usize,
    /// Bytes per frame: about a Tidings `TodoCreated` delivery.
    #[arg(long, default_value_t = 400)]
    pub frame_bytes: usize,
    /// Milliseconds between rounds, so that each starts from idle.
    #[arg(long, default_value_t = 200)]
    pub pause_ms: u64,
}

/// What the sender process needs of the options.
#[derive(Debug, Clone, Args)]
pub struct SenderOptions {
    #[arg(long)]
    pub subscribers: usize,
    #[arg(long)]
    pub threads: usize,
    #[arg(long)]
    pub frame_bytes: usize,
}

impl FloorOptions {
    pub fn check(&self) -> Result<(), OptionsError> {
        if self.subscribers == 0 {
            return Err(OptionsError::NoSubscribers);
        }
        let threads = 1..=self.subscribers;
        if !threads.contains(&self.sender_threads) || !threads.contains(&self.receiver_threads) {
            return Err(OptionsError::Threads);
        }
        if !(TIME_DIGITS..=MAX_FRAME_BYTES).contains(&self.frame_bytes) {
            return Err(OptionsError::FrameBytes);
        }
        if self.rounds == 0 {
            return Err(OptionsError::NoRounds);
        }
        Ok(())
    }

    pub fn pause(&self) -> Duration {
        Duration::from_millis(self.pause_ms)
    }

    pub fn sender(&self) -> SenderOptions {
        SenderOptions {
            subscribers: self.subscribers,
            threads: self.sender_threads,
            frame_bytes: self.frame_bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> FloorOptions {
        FloorOptions {
            subscribers: 4,
            rounds: 1,
            sender_threads: 4,
            receiver_threads: 1,
            frame_bytes: TIME_DIGITS,
            pause_ms: 0,
        }
    }

    #[test]
    fn the_limits_themselves_are_accepted() {
        assert_eq!(valid().check(), Ok(()));
        let largest = FloorOptions {
            frame_bytes: MAX_FRAME_BYTES,
            receiver_threads: 4,
            ..valid()
        };
        assert_eq!(largest.check(), Ok(()));
    }

    #[test]
    fn one_past_each_limit_is_refused() {
        let refused = |options: FloorOptions| options.check().unwrap_err();
        assert_eq!(
            refused(FloorOptions {
                subscribers: 0,
                ..valid()
            }),
            OptionsError::NoSubscribers
        );
        for (sender_threads, receiver_threads) in [(0, 1), (5, 1), (1, 0), (1, 5)] {
            let options = FloorOptions {
                sender_threads,
                receiver_threads,
                ..valid()
            };
            assert_eq!(refused(options), OptionsError::Threads);
        }
        for frame_bytes in [TIME_DIGITS - 1, MAX_FRAME_BYTES + 1] {
            let options = FloorOptions {
                frame_bytes,
                ..valid()
            };
            assert_eq!(refused(options), OptionsError::FrameBytes);
        }
        let options = FloorOptions {
            rounds: 0,
            ..valid()
        };
        assert_eq!(refused(options), OptionsError::NoRounds);
    }
}
