//! A test hook: a future the writer awaits after it has written a group and before it
//! commits it, so that a test can hold a group there (with the head lock taken and its rows
//! inserted, not committed) while it watches what other writers and readers do.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

type Hook = dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync;

/// Called once per transaction the writer is about to commit; the commit waits for the
/// future it returns.
#[derive(Clone)]
pub struct BeforeCommit(Arc<Hook>);

impl BeforeCommit {
    pub fn new<F, Fut>(hook: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self(Arc::new(move || Box::pin(hook())))
    }

    pub(super) async fn wait(&self) {
        (self.0)().await;
    }
}

impl fmt::Debug for BeforeCommit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BeforeCommit(..)")
    }
}
