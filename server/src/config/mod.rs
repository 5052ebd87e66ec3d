//! Configuration: flags and environment variables, parsed into typed settings at start-up.
//!
//! - [`database`]: which database, and how its connections behave.

mod database;

pub use database::{DatabaseUrl, DatabaseUrlError, PoolSettings, PostgresUrl};

use crate::live::SocketLimits;
use clap::{Args, Parser, Subcommand, ValueEnum};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::{
    fmt,
    net::SocketAddr,
    num::{NonZeroU32, NonZeroUsize},
    path::PathBuf,
    str::FromStr,
    time::Duration,
};

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "Tidings: a team todo app on an event log"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum Command {
    /// Serve the site (the default).
    Serve,
    /// Rebuild the read models from the log into new tables and swap them in. Safe while a
    /// server runs on the same database.
    RebuildProjections,
}

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// The address to listen on.
    #[arg(
        long,
        env = "TIDINGS_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: SocketAddr,
    /// The folder for the embedded database.
    #[arg(long, env = "TIDINGS_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// The database: `sqlite://<file>` or `postgres://user@host:port/database`; the default
    /// is `<data-dir>/tidings.sqlite`.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<DatabaseUrl>,
    #[command(flatten)]
    pub pool: PoolSettings,
    /// On PostgreSQL, follow other instances' commits by reading the log's head every second
    /// only, without `LISTEN`: for a database reached through a proxy that pools
    /// transactions, where a listening session cannot be kept. Their commits then reach this
    /// instance's sockets within a second rather than at once.
    #[arg(long, env = "TIDINGS_POLL_ONLY", global = true)]
    pub poll_only: bool,
    /// How logs are written.
    #[arg(
        long,
        env = "TIDINGS_LOG_FORMAT",
        value_enum,
        default_value = "pretty",
        global = true
    )]
    pub log_format: LogFormat,
    /// Mark the session cookie `Secure`: set it when the site is served over https.
    #[arg(long, env = "TIDINGS_SECURE_COOKIES", global = true)]
    pub secure_cookies: bool,
    #[command(flatten)]
    pub limits: Limits,
    /// The app key that WebSocket clients connect with (`/app/{key}`).
    #[arg(
        long,
        env = "TIDINGS_PUSHER_KEY",
        default_value = "tidings",
        global = true
    )]
    pub pusher_key: String,
    /// The secret that signs channel subscriptions. Without one, each start makes a random
    /// one; set it when several instances serve the same site.
    #[arg(
        long,
        env = "TIDINGS_PUSHER_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub pusher_secret: Option<String>,
    /// The bearer token that `GET /metrics` requires (`Authorization: Bearer <token>`), from
    /// any client. Without one, `/metrics` answers only requests from this machine that no
    /// proxy forwarded.
    #[arg(
        long,
        env = "TIDINGS_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub metrics_token: Option<MetricsToken>,
    /// WebSocket connections (tabs, devices) that one user may hold at once.
    #[arg(
        long,
        env = "TIDINGS_CONNECTIONS_PER_USER",
        default_value = "20",
        global = true
    )]
    pub connections_per_user: NonZeroUsize,
    /// WebSocket connections without a session that one client address may hold at once,
    /// until each subscribes (and so counts for a user).
    #[arg(
        long,
        env = "TIDINGS_SESSIONLESS_PER_ADDRESS",
        default_value = "50",
        global = true
    )]
    pub sessionless_per_address: NonZeroUsize,
    /// On PostgreSQL, how long this instance's WebSocket seats count after it was last heard
    /// from: a killed instance's connections stop counting against their users' limit once
    /// it runs out. Renewed every third of it.
    #[arg(
        long,
        env = "TIDINGS_SEAT_LEASE",
        default_value = "15s",
        value_parser = parse_seat_lease,
        global = true
    )]
    pub seat_lease: Duration,
    /// The limits of each WebSocket connection (fixed; tests set their own).
    #[arg(skip)]
    pub socket_limits: SocketLimits,
}

/// The rate limits. Each is `COUNT/PERIOD` (PERIOD is `s`, `min` or `h`, with an optional
/// number in front, as in `30/10s`): COUNT attempts at once, refilled evenly over PERIOD.
#[derive(Debug, Clone, Copy, Args)]
pub struct Limits {
    /// Log-in and sign-up attempts per client address.
    #[arg(
        long,
        env = "TIDINGS_LOGIN_LIMIT_PER_ADDRESS",
        default_value = "10/min",
        global = true
    )]
    pub login_per_address: RateLimit,
    /// Failed log-ins per account (email address), and per account from one client address:
    /// past it, an address that failed on the account lately waits, while one that did not
    /// is still let try (see `login_failures`).
    #[arg(
        long,
        env = "TIDINGS_LOGIN_LIMIT_PER_ACCOUNT",
        default_value = "5/min",
        global = true
    )]
    pub login_per_account: RateLimit,
    /// Commands (every change to a todo or a team) per signed-in user.
    #[arg(
        long,
        env = "TIDINGS_COMMAND_LIMIT_PER_USER",
        default_value = "30/10s",
        global = true
    )]
    pub commands_per_user: RateLimit,
}

impl Default for Limits {
    fn default() -> Self {
        let parse = |text: &str| text.parse().expect("the default limits parse");
        Self {
            login_per_address: parse("10/min"),
            login_per_account: parse("5/min"),
            commands_per_user: parse("30/10s"),
        }
    }
}

/// At most `count` at once, refilled evenly over `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub count: NonZeroU32,
    pub period: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a rate limit; write COUNT/PERIOD, such as 10/min, 30/10s or 100/h")]
pub struct RateLimitError(String);

impl FromStr for RateLimit {
    type Err = RateLimitError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || RateLimitError(text.chars().take(40).collect());
        let (count, period) = text.trim().split_once('/').ok_or_else(error)?;
        let count: NonZeroU32 = count.parse().map_err(|_| error())?;
        let unit_at = period
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(error)?;
        let (amount, unit) = period.split_at(unit_at);
        let amount: u64 = if amount.is_empty() {
            1
        } else {
            amount.parse().map_err(|_| error())?
        };
        let unit_secs = match unit {
            "s" => 1,
            "min" => 60,
            "h" => 3_600,
            _ => return Err(error()),
        };
        if amount == 0 {
            return Err(error());
        }
        let period = Duration::from_secs(amount.checked_mul(unit_secs).ok_or_else(error)?);
        Ok(Self { count, period })
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}s", self.count, self.period.as_secs())
    }
}

/// The token that `GET /metrics` asks for: 16 to 256 visible ASCII characters. Only its
/// HMAC is kept, and a presented token is checked against it in constant time.
#[derive(Clone)]
pub struct MetricsToken {
    tag: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a metrics token is 16 to 256 visible ASCII characters, without spaces")]
pub struct MetricsTokenError;

impl MetricsToken {
    const MESSAGE: &[u8] = b"tidings metrics";

    /// Whether `presented` is this token, in a time that does not tell how much of it was
    /// right (the MACs are compared in constant time).
    pub fn matches(&self, presented: &str) -> bool {
        Self::mac(presented).verify_slice(&self.tag).is_ok()
    }

    fn mac(key: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any size");
        mac.update(Self::MESSAGE);
        mac
    }
}

impl FromStr for MetricsToken {
    type Err = MetricsTokenError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let visible = text.bytes().all(|b| b.is_ascii_graphic());
        if !(16..=256).contains(&text.len()) || !visible {
            return Err(MetricsTokenError);
        }
        Ok(Self {
            tag: Self::mac(text).finalize().into_bytes().to_vec(),
        })
    }
}

impl fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MetricsToken(…)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Settings {
    /// Settings for a test: a free port on loopback and the given data folder.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            database_url: None,
            pool: PoolSettings::default(),
            poll_only: false,
            log_format: LogFormat::Pretty,
            secure_cookies: false,
            limits: Limits::default(),
            pusher_key: "tidings".into(),
            pusher_secret: Some("test secret".into()),
            metrics_token: None,
            connections_per_user: NonZeroUsize::new(20).expect("not zero"),
            sessionless_per_address: NonZeroUsize::new(50).expect("not zero"),
            seat_lease: Duration::from_secs(15),
            socket_limits: SocketLimits::default(),
        }
    }

    pub fn database(&self) -> DatabaseUrl {
        self.database_url
            .clone()
            .unwrap_or_else(|| DatabaseUrl::Sqlite(self.data_dir.join("tidings.sqlite")))
    }
}

/// A seat lease: at least a second (it is renewed every third of it), at most an hour.
fn parse_seat_lease(text: &str) -> Result<Duration, String> {
    let lease = database::parse_duration(text)?;
    if (Duration::from_secs(1)..=Duration::from_secs(3600)).contains(&lease) {
        Ok(lease)
    } else {
        Err(format!(
            "a seat lease of “{text}” is not between 1s and 60min"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seat_lease_is_one_second_to_an_hour() {
        assert_eq!(parse_seat_lease("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_seat_lease("60min"), Ok(Duration::from_secs(3600)));
        for bad in ["999ms", "0s", "61min", "1h", ""] {
            assert!(parse_seat_lease(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flags_parse_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "server",
            "serve",
            "--addr",
            "127.0.0.1:3100",
            "--data-dir",
            "/tmp/t",
        ])
        .unwrap();
        assert!(matches!(cli.command, Some(Command::Serve)));
        assert_eq!(cli.settings.addr.port(), 3100);
        assert_eq!(
            cli.settings.database(),
            DatabaseUrl::Sqlite("/tmp/t/tidings.sqlite".into())
        );
    }

    #[test]
    fn rate_limits_parse_with_and_without_a_period_count() {
        let limit: RateLimit = "30/10s".parse().unwrap();
        assert_eq!(limit.count.get(), 30);
        assert_eq!(limit.period, Duration::from_secs(10));
        let limit: RateLimit = "5/min".parse().unwrap();
        assert_eq!(limit.period, Duration::from_secs(60));
        assert_eq!("2/h".parse::<RateLimit>().unwrap().period.as_secs(), 3_600);
    }

    #[test]
    fn limits_and_secure_cookies_come_from_flags() {
        let cli = Cli::try_parse_from([
            "server",
            "--commands-per-user",
            "5/min",
            "--login-per-account",
            "2/h",
            "--secure-cookies",
        ])
        .unwrap();
        assert_eq!(cli.settings.limits.commands_per_user.count.get(), 5);
        assert_eq!(
            cli.settings.limits.login_per_account.period.as_secs(),
            3_600
        );
        assert_eq!(
            cli.settings.limits.login_per_address,
            Limits::default().login_per_address
        );
        assert!(cli.settings.secure_cookies);
        assert!(Cli::try_parse_from(["server", "--commands-per-user", "lots"]).is_err());
    }

    #[test]
    fn malformed_rate_limits_are_refused() {
        for bad in [
            "", "10", "0/min", "10/", "10/0s", "10/day", "-1/s", "x/s", "10/min/2",
        ] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn a_metrics_token_is_16_to_256_visible_characters_and_matches_only_itself() {
        let token: MetricsToken = "s3cret-metrics-token".parse().unwrap();
        assert!(token.matches("s3cret-metrics-token"));
        assert!(!token.matches("s3cret-metrics-toke"));
        assert!(!token.matches(""));
        assert_eq!(format!("{token:?}"), "MetricsToken(…)");
        for bad in [
            "too short",
            "has a space in the middle",
            "tab\there-and-there",
        ] {
            assert!(bad.parse::<MetricsToken>().is_err(), "{bad:?}");
        }
        assert!("x".repeat(256).parse::<MetricsToken>().is_ok());
        assert!("x".repeat(257).parse::<MetricsToken>().is_err());
        let cli =
            Cli::try_parse_from(["server", "--metrics-token", "s3cret-metrics-token"]).unwrap();
        assert!(
            cli.settings
                .metrics_token
                .unwrap()
                .matches("s3cret-metrics-token")
        );
        assert!(Cli::try_parse_from(["server", "--metrics-token", "short"]).is_err());
    }

    #[test]
    fn a_malformed_address_is_refused() {
        assert!(Cli::try_parse_from(["server", "--addr", "localhost:99999"]).is_err());
    }
}
