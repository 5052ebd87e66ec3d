//! Configuration: flags and environment variables, parsed into typed settings at start-up.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::{net::SocketAddr, path::PathBuf, str::FromStr};

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
    /// The database: `sqlite://<file>`; the default is `<data-dir>/tidings.sqlite`.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<DatabaseUrl>,
    /// How logs are written.
    #[arg(
        long,
        env = "TIDINGS_LOG_FORMAT",
        value_enum,
        default_value = "pretty",
        global = true
    )]
    pub log_format: LogFormat,
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
            log_format: LogFormat::Pretty,
        }
    }

    pub fn database(&self) -> DatabaseUrl {
        self.database_url
            .clone()
            .unwrap_or_else(|| DatabaseUrl::Sqlite(self.data_dir.join("tidings.sqlite")))
    }
}

/// Where the log lives. Only SQLite is built so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseUrlError {
    #[error("PostgreSQL is not supported yet; use sqlite://<file>")]
    PostgresNotYet,
    #[error("“{0}” is not a database URL; use sqlite://<file>")]
    Unsupported(String),
    #[error("a sqlite:// URL needs a file path")]
    MissingPath,
}

impl FromStr for DatabaseUrl {
    type Err = DatabaseUrlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Err(DatabaseUrlError::PostgresNotYet);
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
    fn other_urls_are_refused_with_a_reason() {
        assert_eq!(
            "postgres://localhost/test".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::PostgresNotYet)
        );
        assert_eq!(
            "mysql://x".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::Unsupported("mysql://x".into()))
        );
        assert_eq!(
            "sqlite://".parse::<DatabaseUrl>(),
            Err(DatabaseUrlError::MissingPath)
        );
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
    fn a_malformed_address_is_refused() {
        assert!(Cli::try_parse_from(["server", "--addr", "localhost:99999"]).is_err());
    }
}
