//! Opening the SQLite database: the file, the pragmas that make an acknowledgement durable,
//! and the migrations.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqliteSynchronous};
use sqlx::{ConnectOptions, SqliteConnection};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}")]
    Connect { path: PathBuf, source: sqlx::Error },
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Opens (creating if missing) the database at `path` and brings its schema up to date.
pub async fn open_sqlite(path: &Path) -> Result<SqlitePool, DbError> {
    create_parent_dir(path).await?;
    let pool = SqlitePool::connect_with(connect_options(path))
        .await
        .map_err(|source| DbError::Connect {
            path: path.to_owned(),
            source,
        })?;
    sqlx::migrate!("../migrations/sqlite").run(&pool).await?;
    Ok(pool)
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
