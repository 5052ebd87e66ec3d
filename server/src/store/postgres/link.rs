//! The writer's own connection, outside the pool, opened again when it breaks: a database
//! that restarts fails the group in flight, and the next group opens a new connection.

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, PgPool};
use std::time::Duration;

/// The writer's `application_name`, by which `pg_stat_activity` shows it.
pub const WRITER_NAME: &str = "tidings-log-writer";

/// How long opening the connection may take before the group waiting for it fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) struct Link {
    options: PgConnectOptions,
    conn: Option<PgConnection>,
}

impl Link {
    /// The pool's options, with `synchronous_commit = on` whatever the server's default: an
    /// append is acknowledged once its commit returns, so the commit must wait for the disk.
    pub fn new(pool: &PgPool) -> Self {
        let options = (*pool.connect_options())
            .clone()
            .application_name(WRITER_NAME)
            .options([("synchronous_commit", "on")]);
        Self {
            options,
            conn: None,
        }
    }

    /// The connection, opened first if there is none.
    pub async fn connection(&mut self) -> Result<&mut PgConnection, sqlx::Error> {
        let conn = match self.conn.take() {
            Some(conn) => conn,
            None => self.connect().await?,
        };
        Ok(self.conn.insert(conn))
    }

    async fn connect(&self) -> Result<PgConnection, sqlx::Error> {
        match tokio::time::timeout(CONNECT_TIMEOUT, self.options.connect()).await {
            Ok(connected) => connected,
            Err(elapsed) => Err(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                elapsed,
            ))),
        }
    }

    /// Drops the connection, and with it any transaction still open on it: the server rolls
    /// it back and releases the head lock. The next group opens a new one.
    pub fn discard(&mut self) {
        self.conn = None;
    }

    pub async fn close(self) {
        if let Some(conn) = self.conn
            && let Err(error) = conn.close().await
        {
            tracing::warn!(%error, "closing the event store's writer connection failed");
        }
    }
}
