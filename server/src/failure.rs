//! A failure behind a request, as the asker sees it: [`AppError::Unavailable`] (503) when
//! the database cannot be reached — the asker may try again, and a repeated command is safe —
//! and [`AppError::Internal`] (500) otherwise. The cause, with its whole chain, stays in the
//! server's log.

use crate::{error_chain, store::StoreError};
use app::api::AppError;
use std::error::Error;

/// Logs `error` with its causes and answers what the asker should see.
pub fn failed<E: Error + 'static>(error: E) -> AppError {
    let unavailable = unreachable(&error);
    tracing::error!(error = %error_chain(&error), unavailable, "a request failed");
    if unavailable {
        AppError::Unavailable
    } else {
        AppError::Internal
    }
}

/// Whether anything in `error`'s chain says the database cannot be reached right now, as
/// opposed to a query that went wrong.
pub fn unreachable(error: &(dyn Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(error) = error.downcast_ref::<sqlx::Error>()
            && connection_lost(error)
        {
            return true;
        }
        if let Some(StoreError::WriterStopped | StoreError::Unreachable(_)) =
            error.downcast_ref::<StoreError>()
        {
            return true;
        }
        cause = error.source();
    }
    false
}

/// A broken or refused connection, a pool with none to give, or a server going away
/// (SQLSTATE class 08, `admin_shutdown`, `crash_shutdown`, `cannot_connect_now`,
/// `too_many_connections`).
fn connection_lost(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(error) => error.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::ProjectionError;

    #[test]
    fn a_pool_without_connections_deep_in_a_chain_is_unavailable() {
        let error = ProjectionError::Store(StoreError::Database(sqlx::Error::PoolTimedOut));
        assert_eq!(failed(error), AppError::Unavailable);
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(
            failed(ProjectionError::Database(sqlx::Error::Io(refused))),
            AppError::Unavailable
        );
    }

    #[test]
    fn a_query_that_went_wrong_is_internal() {
        assert_eq!(
            failed(ProjectionError::Database(sqlx::Error::RowNotFound)),
            AppError::Internal
        );
        assert_eq!(
            failed(ProjectionError::Corrupt("bad row".into())),
            AppError::Internal
        );
    }
}
