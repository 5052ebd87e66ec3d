//! The flags of `tidings-load commands`, and the bounds that keep its load small enough for
//! a shared machine.

use super::backend::Backend;
use clap::Args;
use std::{path::PathBuf, time::Duration};

/// The most concurrent clients a round may have (each holds one connection and one user).
pub const MAX_CLIENTS: usize = 1_024;
/// The longest measured window and the longest warm-up, in seconds.
pub const MAX_SECONDS: f64 = 300.0;
pub const MAX_WARM_UP: f64 = 60.0;

#[derive(Debug, Clone, Args)]
pub struct CommandRateOptions {
    /// The server binary (build it with `cargo build --release -p server --bin server`).
    #[arg(long, default_value = "target/release/server")]
    pub server: PathBuf,
    /// The backends to measure. PostgreSQL rounds each get a fresh database on the server
    /// named by TIDINGS_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "sqlite,postgres"
    )]
    pub database: Vec<Backend>,
    /// The numbers of concurrent clients to measure, one round (with a fresh server and
    /// database) each per backend.
    #[arg(long, value_delimiter = ',', default_value = "16,256")]
    pub clients: Vec<usize>,
    /// Users in the team (default: one per client); clients take them in turn.
    #[arg(long)]
    pub users: Option<usize>,
    /// Seconds of each round that are measured, after the warm-up.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Seconds of each round that the clients send commands before the measurement starts.
    #[arg(long, default_value_t = 2.0)]
    pub warm_up: f64,
    /// Seconds that the whole run may take.
    #[arg(long, default_value_t = 900.0)]
    pub timeout: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptionsError {
    #[error("--clients: every count must be between 1 and {MAX_CLIENTS}")]
    Clients,
    #[error("--users must be between 1 and the largest --clients count")]
    Users,
    #[error("--seconds must be above 0 and at most {MAX_SECONDS}")]
    Seconds,
    #[error("--warm-up must be between 0 and {MAX_WARM_UP}")]
    WarmUp,
    #[error("--timeout must be above 0")]
    Timeout,
}

impl CommandRateOptions {
    /// Refuses counts and times that would make an unbounded or empty run.
    pub fn check(&self) -> Result<(), OptionsError> {
        let largest = self.clients.iter().copied().max().unwrap_or(0);
        if self.clients.is_empty() || self.clients.contains(&0) || largest > MAX_CLIENTS {
            return Err(OptionsError::Clients);
        }
        if self
            .users
            .is_some_and(|users| users == 0 || users > largest)
        {
            return Err(OptionsError::Users);
        }
        if !(self.seconds > 0.0 && self.seconds <= MAX_SECONDS) {
            return Err(OptionsError::Seconds);
        }
        if !(0.0..=MAX_WARM_UP).contains(&self.warm_up) {
            return Err(OptionsError::WarmUp);
        }
        if !(self.timeout > 0.0 && self.timeout.is_finite()) {
            return Err(OptionsError::Timeout);
        }
        Ok(())
    }

    /// The users of a round with `clients` clients.
    pub fn users_for(&self, clients: usize) -> usize {
        self.users.unwrap_or(clients).min(clients)
    }

    pub fn seconds(&self) -> Duration {
        Duration::from_secs_f64(self.seconds)
    }

    pub fn warm_up(&self) -> Duration {
        Duration::from_secs_f64(self.warm_up)
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        options: CommandRateOptions,
    }

    fn parse(args: &[&str]) -> CommandRateOptions {
        let all = std::iter::once("commands").chain(args.iter().copied());
        Cli::try_parse_from(all).expect("the flags parse").options
    }

    #[test]
    fn by_default_both_backends_run_at_16_and_256_clients_for_10_seconds() {
        let options = parse(&[]);
        assert_eq!(options.database, [Backend::Sqlite, Backend::Postgres]);
        assert_eq!(options.clients, [16, 256]);
        assert_eq!(options.seconds(), Duration::from_secs(10));
        assert_eq!(options.check(), Ok(()));
        assert_eq!(options.users_for(256), 256);
    }

    #[test]
    fn backends_and_client_counts_are_lists() {
        let options = parse(&["--database", "postgres", "--clients", "1,2,3"]);
        assert_eq!(options.database, [Backend::Postgres]);
        assert_eq!(options.clients, [1, 2, 3]);
        let cli = Cli::try_parse_from(["commands", "--database", "mysql"]);
        assert!(cli.is_err());
    }

    #[test]
    fn clients_share_the_users_given_and_never_outnumber_them_the_other_way() {
        let options = parse(&["--clients", "4,64", "--users", "8"]);
        assert_eq!(options.check(), Ok(()));
        assert_eq!((options.users_for(4), options.users_for(64)), (4, 8));
    }

    #[test]
    fn counts_and_times_past_their_bounds_are_refused() {
        let refused = |args: &[&str]| parse(args).check().unwrap_err();
        assert_eq!(refused(&["--clients", "16,0"]), OptionsError::Clients);
        assert_eq!(refused(&["--clients", "2000"]), OptionsError::Clients);
        assert_eq!(refused(&["--users", "0"]), OptionsError::Users);
        assert_eq!(refused(&["--users", "300"]), OptionsError::Users);
        assert_eq!(refused(&["--seconds", "0"]), OptionsError::Seconds);
        assert_eq!(refused(&["--seconds", "3600"]), OptionsError::Seconds);
        assert_eq!(refused(&["--seconds", "NaN"]), OptionsError::Seconds);
        assert_eq!(refused(&["--warm-up=-1"]), OptionsError::WarmUp);
        assert_eq!(refused(&["--timeout", "0"]), OptionsError::Timeout);
    }
}
