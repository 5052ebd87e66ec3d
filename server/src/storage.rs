//! The storage seam: `DATABASE_URL` chooses the backend at start-up, and this is the one
//! place that knows which. Everything else holds the handles below, by their traits: the
//! log ([`EventStore`]), the read models ([`ReadModels`], [`ProjectionStore`]), the accounts
//! ([`UserStore`]) and the sessions ([`SessionBackend`]).
//!
//! | store        | SQLite                      | PostgreSQL                     |
//! |--------------|-----------------------------|--------------------------------|
//! | log          | `store::sqlite`             | `store::postgres`              |
//! | read models  | `projection::sqlite`        | `projection::postgres`         |
//! | accounts     | `accounts::sqlite`          | `accounts::postgres`           |
//! | sessions     | tower-sessions `SqliteStore`| tower-sessions `PostgresStore` |
//! | opening      | `db::sqlite`                | `db::postgres`                 |

use crate::{
    accounts::{UserStore, postgres::PgUsers, sqlite::SqliteUsers},
    config::{DatabaseUrl, Settings},
    db::{self, DbError},
    projection::{
        ProjectionError, ProjectionStore, ReadModels, postgres::PgReadModels,
        sqlite::SqliteReadModels,
    },
    seats::{SeatStore, postgres::PgSeats},
    sessions::SessionBackend,
    store::{
        EventStore, StoreError,
        postgres::{PgEventStore, StoreOptions, TailStatus},
        sqlite::SqliteEventStore,
    },
    supervise::Task,
};
use std::sync::Arc;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// Everything Tidings stores, opened, migrated and ready.
pub struct Storage {
    pub log: Arc<dyn EventStore>,
    pub read_models: Arc<dyn ReadModels>,
    pub projections: Arc<dyn ProjectionStore>,
    pub users: Arc<dyn UserStore>,
    pub sessions: SessionBackend,
    /// How this process follows other processes' commits: on PostgreSQL only, since only
    /// there can several processes share the log.
    pub tail: Option<Arc<TailStatus>>,
    /// Every instance's WebSocket seats, on PostgreSQL; on SQLite one process counts its own.
    pub seats: Option<Arc<dyn SeatStore>>,
    /// The tasks storage started that must run as long as the server does.
    pub background: Vec<Task>,
    /// Where it is, for the log line that says so (without a password).
    pub location: String,
}

/// Why storage could not be opened. Each keeps its cause.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot open the database")]
    Open(#[from] DbError),
    #[error("cannot prepare the read models")]
    ReadModels(#[from] ProjectionError),
    #[error("cannot start the event log")]
    Log(#[from] StoreError),
    #[error("cannot prepare the sessions table")]
    Sessions(#[source] sqlx::Error),
    #[error("cannot register this instance's seats")]
    Seats(#[source] sqlx::Error),
}

impl Storage {
    /// Opens the database `settings` name, migrates it, prepares the read models and the
    /// sessions table, and starts the log's writer.
    pub async fn open(settings: &Settings) -> Result<Self, StorageError> {
        let storage = match settings.database() {
            DatabaseUrl::Sqlite(path) => {
                let pool = db::sqlite::open(&path, &settings.pool).await?;
                let read_models = SqliteReadModels::new(pool.clone());
                Self {
                    log: Arc::new(SqliteEventStore::open(pool.clone()).await?),
                    read_models: Arc::new(read_models.clone()),
                    projections: Arc::new(read_models),
                    users: Arc::new(SqliteUsers::new(pool.clone())),
                    sessions: SessionBackend::Sqlite(
                        SqliteStore::new(pool)
                            .with_table_name("sessions")
                            .expect("a plain table name"),
                    ),
                    tail: None,
                    seats: None,
                    background: Vec::new(),
                    location: path.display().to_string(),
                }
            }
            DatabaseUrl::Postgres(url) => {
                let pool = db::postgres::open(&url, &settings.pool).await?;
                let read_models = PgReadModels::new(pool.clone());
                let options = StoreOptions {
                    listen: !settings.poll_only,
                    ..StoreOptions::default()
                };
                let log = PgEventStore::with_options(pool.clone(), options).await?;
                let (seats, keeper) = PgSeats::start(pool.clone(), settings.seat_lease)
                    .await
                    .map_err(StorageError::Seats)?;
                let tail_task = log.take_tail_task().expect("a new store's tail task");
                Self {
                    tail: Some(log.tail()),
                    seats: Some(Arc::new(seats)),
                    background: vec![
                        Task::new("seats' lease keeper", keeper),
                        Task::new("log's tail", tail_task),
                    ],
                    log: Arc::new(log),
                    read_models: Arc::new(read_models.clone()),
                    projections: Arc::new(read_models),
                    users: Arc::new(PgUsers::new(pool.clone())),
                    sessions: SessionBackend::Postgres(
                        PostgresStore::new(pool)
                            .with_schema_name("public")
                            .and_then(|store| store.with_table_name("sessions"))
                            .expect("plain schema and table names"),
                    ),
                    location: url.to_string(),
                }
            }
        };
        storage.projections.prepare().await?;
        storage
            .sessions
            .migrate()
            .await
            .map_err(StorageError::Sessions)?;
        tracing::info!(database = %storage.location, "database ready");
        Ok(storage)
    }
}
