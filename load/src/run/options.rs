//! The flags of `tidings-load run`.

use super::{spread::Spread, target::Targets};
use clap::Args;
use std::{path::PathBuf, time::Duration};

#[derive(Debug, Clone, Args)]
pub struct RunOptions {
    /// The server binary (build it with `cargo build --release -p server --bin server`).
    #[arg(long, default_value = "target/release/server")]
    pub server: PathBuf,
    /// The server to measure: Tidings (--server), the minimal fan-out server built into
    /// this tool (`baseline-server`), or both, each subscriber count against Tidings then
    /// the baseline, with Tidings / baseline ratios.
    #[arg(long, value_enum, default_value_t = Targets::Tidings)]
    pub target: Targets,
    /// The baseline's read buffer per connection, in bytes: keep it equal to Tidings'
    /// `READ_BUFFER_BYTES` in `server/src/live/socket.rs`.
    #[arg(long, default_value_t = 512)]
    pub baseline_read_buffer: usize,
    /// The subscriber counts to measure, one run (with a fresh server) each.
    #[arg(long, value_delimiter = ',', default_value = "100,2000,10000")]
    pub subscribers: Vec<usize>,
    /// Users in the team; subscribers and commands take them in turn.
    #[arg(long, default_value_t = 10)]
    pub users: usize,
    /// Commands (`create_todo`) sent in each run.
    #[arg(long, default_value_t = 100)]
    pub commands: u64,
    /// Commands per second. At 10,000 subscribers each command is 10,000 deliveries; on
    /// two cores 5/s leaves headroom, and at 10/s the server and the subscribers together
    /// keep about 1.75 of the 2 cores busy.
    #[arg(long, default_value_t = 5.0)]
    pub rate: f64,
    /// Worker processes in every run (default: subscribers / --per-process, rounded up).
    #[arg(long)]
    pub processes: Option<usize>,
    #[command(flatten)]
    pub spread: Spread,
    /// Seconds that the whole run may take.
    #[arg(long, default_value_t = 1_800.0)]
    pub timeout: f64,
}

impl RunOptions {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout)
    }
}
