//! Which database Tidings stores everything in (`DATABASE_URL`), and how its connections
//! behave: the pool's size and the timeouts that keep a stuck statement or lock from holding
//! a request for ever.

use clap::Args;
use sqlx::postgres::PgConnectOptions;
use std::{fmt, num::NonZeroU32, path::PathBuf, str::FromStr, time::Duration};

/// Where everything is stored: an SQLite file, or a PostgreSQL database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(PostgresUrl),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseUrlError {
    #[error("“{0}” is not a database URL; use sqlite://<file> or postgres://user@host/database")]
    Unsupported(String),
    #[error("a sqlite:// URL needs a file path")]
    MissingPath,
    #[error(
        "not a valid PostgreSQL URL ({0}); use postgres://user[:password]@host[:port]/database"
    )]
    MalformedPostgres(String),
    #[error(
        "a postgres:// URL needs a database name after the host, as in postgres://host/tidings"
    )]
    MissingDatabase,
}

impl FromStr for DatabaseUrl {
    type Err = DatabaseUrlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return text.parse().map(Self::Postgres);
        }
        let path = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
            .ok_or_else(|| DatabaseUrlError::Unsupported(text.chars().take(60).collect()))?;
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() {
            return Err(DatabaseUrlError::MissingPath);
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }
}

/// A PostgreSQL database's connection options, parsed from its URL. Shown (in logs and
/// errors) without its password.
#[derive(Clone)]
pub struct PostgresUrl {
    options: Box<PgConnectOptions>,
}

impl PostgresUrl {
    pub fn connect_options(&self) -> PgConnectOptions {
        (*self.options).clone()
    }
}

impl FromStr for PostgresUrl {
    type Err = DatabaseUrlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let options = PgConnectOptions::from_str(text)
            .map_err(|error| DatabaseUrlError::MalformedPostgres(error.to_string()))?;
        if options.get_database().is_none_or(str::is_empty) {
            return Err(DatabaseUrlError::MissingDatabase);
        }
        Ok(Self {
            options: Box::new(options),
        })
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        write!(
            f,
            "postgres://{}@{}:{}/{}",
            o.get_username(),
            o.get_host(),
            o.get_port(),
            o.get_database().unwrap_or_default()
        )
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({self})")
    }
}

/// Two URLs are the same database when they name the same user, host, port and database.
impl PartialEq for PostgresUrl {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for PostgresUrl {}

/// How the database's connections behave.
#[derive(Debug, Clone, Copy, Args)]
pub struct PoolSettings {
    /// The most connections the server opens to its database, for pages, the projector and
    /// sessions (the log's writer keeps one more of its own).
    #[arg(
        long,
        env = "TIDINGS_DB_POOL_SIZE",
        default_value = "16",
        global = true
    )]
    pub pool_size: NonZeroU32,
    /// How long a request waits for a free connection before it fails with "unavailable".
    #[arg(
        long,
        env = "TIDINGS_DB_ACQUIRE_TIMEOUT",
        default_value = "5s",
        value_parser = parse_duration,
        global = true
    )]
    pub acquire_timeout: Duration,
    /// PostgreSQL: the longest one statement may run (`statement_timeout`).
    #[arg(
        long,
        env = "TIDINGS_DB_STATEMENT_TIMEOUT",
        default_value = "30s",
        value_parser = parse_duration,
        global = true
    )]
    pub statement_timeout: Duration,
    /// PostgreSQL: the longest a statement waits for a lock (`lock_timeout`).
    #[arg(
        long,
        env = "TIDINGS_DB_LOCK_TIMEOUT",
        default_value = "10s",
        value_parser = parse_duration,
        global = true
    )]
    pub lock_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            pool_size: NonZeroU32::new(16).expect("not zero"),
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
            lock_timeout: Duration::from_secs(10),
        }
    }
}

/// A duration written as a number and a unit: `250ms`, `5s` or `2min`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let error = || format!("“{text}” is not a duration; write 250ms, 5s or 2min");
    let unit_at = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(error)?;
    let (amount, unit) = text.split_at(unit_at);
    let amount: u64 = amount.parse().map_err(|_| error())?;
    let millis = match unit {
        "ms" => amount,
        "s" => amount.checked_mul(1_000).ok_or_else(error)?,
        "min" => amount.checked_mul(60_000).ok_or_else(error)?,
        _ => return Err(error()),
    };
    Ok(Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_url_names_its_file() {
        assert_eq!(
            "sqlite://data/x.sqlite".parse(),
            Ok(DatabaseUrl::Sqlite("data/x.sqlite".into()))
        );
        assert_eq!(
            "sqlite:/tmp/x.db?mode=rwc".parse(),
            Ok(DatabaseUrl::Sqlite("/tmp/x.db".into()))
        );
    }

    #[test]
    fn a_postgres_url_names_its_database_and_is_shown_without_its_password() {
        let url: DatabaseUrl = "postgresql://ada:s3cret@db.example:6543/tidings"
            .parse()
            .unwrap();
        let DatabaseUrl::Postgres(url) = url else {
            panic!("not a PostgreSQL URL: {url:?}");
        };
        assert_eq!(url.to_string(), "postgres://ada@db.example:6543/tidings");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.connect_options().get_database(), Some("tidings"));
    }

    #[test]
    fn other_urls_are_refused_with_a_reason() {
        assert_eq!(
            "mysql://x".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::Unsupported("mysql://x".into()))
        );
        assert_eq!(
            "sqlite://".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::MissingPath)
        );
        assert_eq!(
            "postgres://localhost".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::MissingDatabase)
        );
        assert!(matches!(
            "postgres://host:notaport/db".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::MalformedPostgres(_))
        ));
    }

    #[test]
    fn a_pool_needs_at_least_one_connection() {
        use clap::Parser;
        #[derive(Parser)]
        struct Flags {
            #[command(flatten)]
            pool: PoolSettings,
        }
        let one = Flags::try_parse_from(["t", "--pool-size", "1"]).unwrap();
        assert_eq!(one.pool.pool_size.get(), 1);
        assert!(Flags::try_parse_from(["t", "--pool-size", "0"]).is_err());
        let slow = Flags::try_parse_from(["t", "--lock-timeout", "250ms"]).unwrap();
        assert_eq!(slow.pool.lock_timeout, Duration::from_millis(250));
        assert!(Flags::try_parse_from(["t", "--lock-timeout", "250"]).is_err());
    }

    #[test]
    fn durations_take_a_unit_and_refuse_anything_else() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("2min"), Ok(Duration::from_secs(120)));
        for bad in ["", "5", "s", "5h", "-1s", "1.5s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} parsed");
        }
    }
}
