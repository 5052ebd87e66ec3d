//! The whole log committed so far, in large pages, read by a task of its own one page ahead
//! of the bulk load: the next page is read while the current one is written, on two
//! connections.

use crate::store::{EventStore, RecordedEvent, StoreError};
use app::domain::Position;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Events per page, and so per transaction of the bulk load. Large, since each transaction
/// and each statement has a fixed cost; bounded, since on SQLite appends wait while one is
/// written.
const PAGE: u32 = 8_192;

/// The pages, in order. The task ends after the last page, at the first error (which it
/// sends on), or when the receiver is dropped.
pub(super) fn pages(
    log: Arc<dyn EventStore>,
) -> mpsc::Receiver<Result<Vec<RecordedEvent>, StoreError>> {
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
