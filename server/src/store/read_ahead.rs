//! The whole log read ahead through [`EventStore::read_all_after`], by a task of its own one
//! page ahead of the caller: what [`EventStore::read_all_ahead`] does unless a backend reads
//! the log its own way.

use super::{EventStore, LogPages};
use app::domain::Position;
use std::sync::Arc;
use tokio::sync::mpsc;

/// The pages, in order. The task ends after the last page, at the first error (which it
/// sends on), or when the receiver is dropped.
pub(super) fn through_read_all_after<S: EventStore + ?Sized>(log: Arc<S>, page: u32) -> LogPages {
    let (pages, receiver) = mpsc::channel(1);
    tokio::spawn(async move {
        let mut after = Position::ZERO;
        loop {
            let events = match log.read_all_after(after, page).await {
                Ok(events) => events,
                Err(error) => {
                    // The receiver may be gone; there is no one else to tell.
                    let _ = pages.send(Err(error)).await;
                    return;
                }
            };
            let Some(last) = events.last().map(|event| event.position) else {
                return;
            };
            after = last;
            if pages.send(Ok(events)).await.is_err() {
                return;
            }
        }
    });
    receiver
}
