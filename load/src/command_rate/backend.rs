//! The backend a round measures, and the fresh database it starts on: SQLite in the
//! server's own new data folder, or a new, migrated PostgreSQL database (from the workspace's
//! `test-postgres`, as the server's tests get theirs), dropped when the round ends.

use clap::ValueEnum;
use futures_util::FutureExt;
use serde::Serialize;
use std::{any::Any, fmt, panic::AssertUnwindSafe};
use test_postgres::TestDatabase;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// The embedded default: a file in the server's data folder.
    Sqlite,
    /// A database on the PostgreSQL server at TIDINGS_TEST_POSTGRES_URL.
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        })
    }
}

/// What `test-postgres` said when it gave up (it names the server).
#[derive(Debug, thiserror::Error)]
#[error(
    "could not make a fresh PostgreSQL database ({}): {reason}",
    test_postgres::URL_VARIABLE
)]
pub struct DatabaseError {
    reason: String,
}

/// A round's database, empty but for the migrations.
pub enum FreshDatabase {
    /// The server makes it in its new data folder.
    Sqlite,
    /// Dropped, with any connection left to it, when this value is.
    Postgres(TestDatabase),
}

impl FreshDatabase {
    pub async fn create(backend: Backend) -> Result<Self, DatabaseError> {
        match backend {
            Backend::Sqlite => Ok(Self::Sqlite),
            // `test-postgres` panics on failure, as a test should; caught, the panic becomes
            // this tool's error, with its message as the reason. Nothing of the half-made
            // database is used after it.
            Backend::Postgres => AssertUnwindSafe(TestDatabase::create())
                .catch_unwind()
                .await
                .map(Self::Postgres)
                .map_err(|failure| DatabaseError {
                    reason: panic_message(failure),
                }),
        }
    }

    /// The URL to pass as `--database-url`; `None` for the server's default SQLite file.
    pub fn url(&self) -> Option<String> {
        match self {
            Self::Sqlite => None,
            Self::Postgres(database) => Some(database.url()),
        }
    }
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
        })
        .unwrap_or_else(|| "it panicked".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_while_making_a_database_becomes_its_reason() {
        let failure = AssertUnwindSafe(async { panic!("cannot reach the test PostgreSQL") })
            .catch_unwind()
            .await
            .unwrap_err();
        assert_eq!(panic_message(failure), "cannot reach the test PostgreSQL");
    }
}
