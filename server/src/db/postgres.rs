//! Opening a PostgreSQL database: a pool whose connections carry the statement and lock
//! timeouts, and the migrations.

use super::DbError;
use crate::config::{PoolSettings, PostgresUrl};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::time::Duration;

/// Connects to the database at `url` and brings its schema up to date. Migrations run under
/// sqlx's advisory lock: instances that start together migrate once.
pub async fn open(url: &PostgresUrl, settings: &PoolSettings) -> Result<PgPool, DbError> {
    let pool = PgPoolOptions::new()
        .max_connections(settings.pool_size.max(1))
        .acquire_timeout(settings.acquire_timeout)
        .connect_with(connect_options(url, settings))
        .await
        .map_err(|source| DbError::Connect {
            what: url.to_string(),
            source,
        })?;
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
