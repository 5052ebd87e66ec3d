//! The flags of `tidings-load across`, and their bounds.

use crate::run::spread::Spread;
use anyhow::bail;
use clap::Args;
use std::{path::PathBuf, time::Duration};

#[derive(Debug, Clone, Args)]
pub struct AcrossOptions {
    /// The server binary (build it with `cargo build --release -p server --bin server`).
    #[arg(long, default_value = "target/release/server")]
    pub server: PathBuf,
    /// Subscribers per instance to measure, one round (two fresh instances on a fresh
    /// database) each: this many on A and as many on B.
    #[arg(long, value_delimiter = ',', default_value = "100,5000")]
    pub subscribers: Vec<usize>,
    /// Users in the team; subscribers and commands take them in turn.
    #[arg(long, default_value_t = 10)]
    pub users: usize,
    /// Commands (`create_todo`, all sent to instance A) in each round.
    #[arg(long, default_value_t = 100)]
    pub commands: u64,
    /// Commands per second.
    #[arg(long, default_value_t = 5.0)]
    pub rate: f64,
    /// Each instance's subscribers have worker processes of their own; source addresses are
    /// counted over both instances.
    #[command(flatten)]
    pub spread: Spread,
    /// Seconds that the whole run may take.
    #[arg(long, default_value_t = 1_800.0)]
    pub timeout: f64,
}

impl AcrossOptions {
    pub fn check(&self) -> anyhow::Result<()> {
        if self.rate <= 0.0 || self.users == 0 || self.commands == 0 {
            bail!("--rate, --users and --commands must be above zero");
        }
        if self.subscribers.is_empty() || self.subscribers.contains(&0) {
            bail!("every --subscribers count must be above zero");
        }
        Ok(())
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        options: AcrossOptions,
    }

    fn parse(args: &[&str]) -> AcrossOptions {
        Cli::parse_from(std::iter::once("across").chain(args.iter().copied())).options
    }

    #[test]
    fn the_defaults_measure_100_and_5000_subscribers_per_instance() {
        let options = parse(&[]);
        assert_eq!(options.subscribers, [100, 5_000]);
        assert!(options.check().is_ok());
    }

    #[test]
    fn a_round_without_subscribers_or_commands_is_refused() {
        assert!(parse(&["--subscribers", "100,0"]).check().is_err());
        assert!(parse(&["--commands", "0"]).check().is_err());
        assert!(parse(&["--rate", "0"]).check().is_err());
    }
}
