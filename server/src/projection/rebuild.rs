//! Rebuilding the read models from the log while the site runs: bulk-load the whole log into
//! new tables, then catch up the last events and swap the tables in, while no projector can
//! write the live ones.
//!
//! The bulk load reads the log in large pages, one page ahead of the writes (the next page
//! is read while the current one is written, on two connections), folds each page with the
//! same pure [`fold`] as the projector, and hands the result to the backend's
//! [`BulkLoad`], which writes it in one transaction without syncing it.

use super::{BulkLoad, ProjectionError, ProjectionStore, fold, todos_touched};
use crate::store::{EventStore, RecordedEvent, StoreError};
use app::domain::Position;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Events per page of the bulk load, and so per transaction. Large, since each transaction
/// has a fixed cost; bounded, since on SQLite appends wait while one writes (about 25 ms
/// at this size).
const PAGE: u32 = 8_192;

/// Rebuilds the read models; returns the position they were swapped in at.
pub async fn rebuild(
    views: Arc<dyn ProjectionStore>,
    log: Arc<dyn EventStore>,
) -> Result<Position, ProjectionError> {
    let next = views.start_next().await?;
    bulk_load(next, read_ahead(log.clone())).await?;
    views.swap_next(log.as_ref()).await
}

/// Folds every page into the rebuilt tables.
async fn bulk_load(
    mut next: Box<dyn BulkLoad>,
    mut pages: mpsc::Receiver<Result<Vec<RecordedEvent>, StoreError>>,
) -> Result<(), ProjectionError> {
    while let Some(events) = pages.recv().await {
        let events = events?;
        let loaded = next.todos(&todos_touched(&events)).await?;
        next.write(&fold(&events, loaded)?).await?;
    }
    next.finish().await
}

/// The whole log committed so far, page by page, read by a task of its own one page ahead of
/// the receiver. The task ends after the last page, at the first error (sent on), or when the
/// receiver is dropped.
fn read_ahead(log: Arc<dyn EventStore>) -> mpsc::Receiver<Result<Vec<RecordedEvent>, StoreError>> {
    let (pages, receiver) = mpsc::channel(1);
    tokio::spawn(async move {
        let mut after = Position::ZERO;
        loop {
            let page = match log.read_all_after(after, PAGE).await {
                Ok(page) => page,
                Err(error) => {
                    let _ = pages.send(Err(error)).await;
                    return;
                }
            };
            let Some(last) = page.last().map(|event| event.position) else {
                return;
            };
            after = last;
            if pages.send(Ok(page)).await.is_err() {
                return;
            }
        }
    });
    receiver
}
