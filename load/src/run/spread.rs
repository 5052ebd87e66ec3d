//! The flags that say how a run's subscribers are spread and paced, shared by `run` and
//! `across`: per worker process, per source address, how many connect at once, and how long
//! they idle before the commands and wait after them.

use clap::Args;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct Spread {
    /// Subscribers per worker process.
    #[arg(long, default_value_t = 5_000)]
    pub per_process: usize,
    /// Subscribers per loopback source address (127.0.0.1, 127.0.0.2, ...).
    #[arg(long, default_value_t = 5_000)]
    pub per_address: usize,
    /// Sockets that each worker connects and subscribes at once.
    #[arg(long, default_value_t = 64)]
    pub connect_concurrency: usize,
    /// Seconds the subscribers stay idle, once all are subscribed, before the commands start
    /// (`run` reads the server's memory then).
    #[arg(long, default_value_t = 2.0)]
    pub idle: f64,
    /// Seconds to wait for the last deliveries after the last command answered.
    #[arg(long, default_value_t = 30.0)]
    pub drain: f64,
}

impl Spread {
    pub fn idle(&self) -> Duration {
        Duration::from_secs_f64(self.idle)
    }

    pub fn drain(&self) -> Duration {
        Duration::from_secs_f64(self.drain)
    }
}
