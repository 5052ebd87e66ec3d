//! Opening a database: connecting with the options that make an acknowledgement durable and
//! keep a stuck statement from holding a request for ever, and migrating its schema.
//!
//! - [`sqlite`]: the file, its pragmas, `migrations/sqlite`; statements on a connection's raw
//!   handle, for bulk reads and writes.
//! - [`postgres`]: the connection's timeouts, `migrations/postgres` (under sqlx's migration
//!   lock, so that instances starting together migrate once).

pub mod postgres;
pub mod sqlite;

use std::path::PathBuf;

/// Why a database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the database folder {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot connect to the database {what}")]
    Connect {
        what: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot migrate the database")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}
