//! Rebuilding the read models from the log while the site runs: bulk-load the whole log into
//! new tables, then catch up the last events and swap the tables in, while no projector can
//! write the live ones.
//!
//! The bulk load reads the log in large pages, read ahead of the writes by the log itself
//! ([`EventStore::read_all_ahead`]: on SQLite, a thread stepping rows on the raw handle),
//! folds each page with the same pure [`fold`] as the projector, and hands what it changes to
//! the backend's [`BulkLoad`], one transaction per page. Todo rows are kept in memory from
//! page to page ([`todo_rows`]), since a todo's events are spread over the log: each is
//! written once, not once per page that touches it.
//!
//! Reading, folding and writing overlap: while one page is folded, the one before it is
//! written ([`write_behind`]) and the one after it read.
//!
//! - [`write_behind`]: each page's rows written on a task of their own.
//! - [`todo_rows`]: the todos folded so far, written back when the load ends.

mod todo_rows;
mod write_behind;

use super::{BulkLoad, ProjectionError, ProjectionStore, fold, todos_touched};
use crate::store::EventStore;
use app::domain::Position;
use std::sync::Arc;
use todo_rows::TodoRows;
use write_behind::WriteBehind;

/// Events per page, and so per transaction of the bulk load. Large, since each transaction
/// and each statement has a fixed cost; bounded, since on SQLite appends wait while one is
/// written.
const PAGE: u32 = 8_192;

/// Rebuilds the read models; returns the position they were swapped in at.
pub async fn rebuild(
    views: Arc<dyn ProjectionStore>,
    log: Arc<dyn EventStore>,
) -> Result<Position, ProjectionError> {
    let next = WriteBehind::new(views.start_next().await?);
    bulk_load(Box::new(next), log.clone()).await?;
    views.swap_next(log.as_ref()).await
}

/// Folds the whole log into the rebuilt tables. They match their checkpoint only once this
/// returns: until then the latest todo rows are in memory.
async fn bulk_load(
    mut next: Box<dyn BulkLoad>,
    log: Arc<dyn EventStore>,
) -> Result<(), ProjectionError> {
    let mut todos = TodoRows::default();
    let mut pages = log.read_all_ahead(PAGE);
    while let Some(events) = pages.recv().await {
        let events = events?;
        let before = todos.take(next.as_mut(), &todos_touched(&events)).await?;
        let mut update = fold(&events, before)?;
        todos
            .keep(next.as_mut(), std::mem::take(&mut update.todos))
            .await?;
        next.write(update).await?;
    }
    todos.write_back(next.as_mut()).await?;
    next.finish().await
}
