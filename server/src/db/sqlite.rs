//! Opening the SQLite database: the file, the pragmas that make an acknowledgement durable,
//! and the migrations.
//!
//! - [`raw`]: statements run on a connection's raw handle, in one blocking call: how a
//!   rebuild reads the log and writes the read models in bulk.
//! - [`values`]: the values those statements bind, as the tables store them.

pub mod raw;
pub(crate) mod values;

use super::DbError;
use crate::config::PoolSettings;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, SqliteConnection};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Opens (creating if missing) the database at `path` and brings its schema up to date.
pub async fn open(path: &Path, settings: &PoolSettings) -> Result<SqlitePool, DbError> {
    create_parent_dir(path).await?;
    let pool = SqlitePoolOptions::new()
        .max_connections(settings.pool_size.get())
        .acquire_timeout(settings.acquire_timeout)
        .connect_with(connect_options(path))
        .await
        .map_err(|source| DbError::Connect {
            what: path.display().to_string(),
            source,
        })?;
    sqlx::migrate!("../migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

/// [`open`] with the default pool settings: for tests and benches.
pub async fn open_sqlite(path: &Path) -> Result<SqlitePool, DbError> {
    open(path, &PoolSettings::default()).await
}

/// A connection of its own, outside the pool, with the pool's options: the store's writer
/// keeps one for its whole life, so that appends never queue behind readers for a
/// connection.
pub async fn connect_dedicated(pool: &SqlitePool) -> Result<SqliteConnection, sqlx::Error> {
    pool.connect_options().connect().await
}

/// The write-ahead log's file, beside the database's.
pub fn wal_path(pool: &SqlitePool) -> PathBuf {
    let mut path = pool.connect_options().get_filename().as_os_str().to_owned();
    path.push("-wal");
    PathBuf::from(path)
}

/// WAL lets readers run beside the writer; `synchronous = FULL` syncs the WAL at every
/// commit, so an acknowledged append survives a power cut, not only a crash.
fn connect_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true)
}

async fn create_parent_dir(path: &Path) -> Result<(), DbError> {
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    tokio::fs::create_dir_all(parent)
        .await
        .map_err(|source| DbError::CreateDir {
            path: parent.to_owned(),
            source,
        })
}
