//! Opening a PostgreSQL database: a pool whose connections carry the statement and lock
//! timeouts, and the migrations.

use super::DbError;
use crate::config::{PoolSettings, PostgresUrl};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};
use std::time::Duration;

/// Connects to the database at `url` and brings its schema up to date. Migrations run under
/// sqlx's advisory lock: instances that start together migrate once.
///
/// One connection is made first, alone: a pool that cannot connect only says that it timed
/// out, while this says why (refused, unknown database, bad password).
pub async fn open(url: &PostgresUrl, settings: &PoolSettings) -> Result<PgPool, DbError> {
    let options = connect_options(url, settings);
    let cannot_connect = |source| DbError::Connect {
        what: url.to_string(),
        source,
    };
    let first = options.connect().await.map_err(cannot_connect)?;
    first.close().await.map_err(cannot_connect)?;
    let pool = PgPoolOptions::new()
        .max_connections(settings.pool_size.get())
        .acquire_timeout(settings.acquire_timeout)
        .connect_with(options)
        .await
        .map_err(cannot_connect)?;
    sqlx::migrate!("../migrations/postgres").run(&pool).await?;
    Ok(pool)
}

/// The URL's options, with the timeouts every connection sets when it opens.
pub fn connect_options(url: &PostgresUrl, settings: &PoolSettings) -> PgConnectOptions {
    url.connect_options().application_name("tidings").options([
        ("statement_timeout", millis(settings.statement_timeout)),
        ("lock_timeout", millis(settings.lock_timeout)),
    ])
}

fn millis(duration: Duration) -> String {
    format!("{}ms", duration.as_millis())
}
