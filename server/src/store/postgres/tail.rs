//! Other processes' commits, seen here: a task that moves this store's head (what the
//! projector, the reactor and every waiter follow) when another process sharing the database
//! has committed. This process's own commits move it from the writer, at once.
//!
//! It reads the head again whenever a notification arrives on [`CHANNEL`] (each committed
//! group sends one; the payload is only a hint), whenever the listening connection was lost
//! and opened again (notifications sent meanwhile are lost, so it reads rather than trusts
//! them), and every [`POLL`] whatever happens: a half-open connection can wait for ever
//! without an error, and notifications can be off. A reader of the log never depends on a
//! notification for what it reads: it always reads `position > cursor`.
//!
//! The listener runs on a task of its own, so that no wait on it is ever cancelled midway;
//! it wakes the tail through a [`Notify`].

use super::{CHANNEL, reader};
use app::domain::Position;
use sqlx::{PgPool, postgres::PgListener};
use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};
use tokio::{
    sync::{Notify, oneshot, watch},
    task::JoinHandle,
};

/// How often the head is read when no notification comes.
pub const POLL: Duration = Duration::from_secs(1);

/// How long the listener waits before it tries to connect again after a failure.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);

/// What `/metrics` and `/healthz` show of the tail.
#[derive(Debug, Default)]
pub struct TailStatus {
    /// Times the listening connection was lost and opened again.
    reconnects: AtomicU64,
    /// Whether the listener is connected now.
    listening: AtomicBool,
    /// Whether the last read of the head failed.
    failing: AtomicBool,
}

impl TailStatus {
    pub fn reconnects(&self) -> u64 {
        self.reconnects.load(Ordering::Relaxed)
    }

    pub fn listening(&self) -> bool {
        self.listening.load(Ordering::Relaxed)
    }

    /// Whether the head could not be read, the last time it was tried.
    pub fn failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }
}

/// Starts the tail, and its listener if `listen`; both stop when `stop` is dropped (or sent).
/// The task answered is the tail's: it ends only when stopped, or by a panic of the tail or
/// of the listener (which it passes on), so that whoever watches it sees either die.
pub(super) fn spawn(
    pool: PgPool,
    listen: bool,
    head: Arc<watch::Sender<Position>>,
    status: Arc<TailStatus>,
    stop: oneshot::Receiver<()>,
) -> JoinHandle<()> {
    let wake = Arc::new(Notify::new());
    let mut listener = listen.then(|| {
        tokio::spawn(listen_for_commits(
            pool.clone(),
            wake.clone(),
            status.clone(),
        ))
    });
    tokio::spawn(async move {
        let listening = async {
            match &mut listener {
                Some(task) => task.await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = follow(&pool, &head, &status, &wake) => {}
            _ = stop => {}
            ended = listening => {
                // The listener never returns by itself: it ended by a panic.
                if let Err(error) = ended
                    && error.is_panic()
                {
                    std::panic::resume_unwind(error.into_panic());
                }
            }
        }
        if let Some(listener) = listener {
            listener.abort();
        }
    })
}

/// Reads the head whenever woken or polled, and publishes it if it moved forward.
async fn follow(pool: &PgPool, head: &watch::Sender<Position>, status: &TailStatus, wake: &Notify) {
    let mut poll = tokio::time::interval(POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = wake.notified() => {}
            _ = poll.tick() => {}
        }
        match reader::head(pool).await {
            Ok(reached) => {
                if status.failing.swap(false, Ordering::Relaxed) {
                    tracing::info!("the log's head can be read again");
                }
                head.send_if_modified(|current| {
                    let advanced = reached > *current;
                    *current = (*current).max(reached);
                    advanced
                });
            }
            Err(error) => {
                if !status.failing.swap(true, Ordering::Relaxed) {
                    tracing::warn!(error = %crate::error_chain(&error), "cannot read the log's head; trying again every second");
                }
            }
        }
    }
}

/// Listens on [`CHANNEL`] and wakes the tail for each notification and each time the
/// connection was opened again. Never ends by itself.
async fn listen_for_commits(pool: PgPool, wake: Arc<Notify>, status: Arc<TailStatus>) {
    let mut connected_before = false;
    loop {
        let mut listener = match connect(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::debug!(%error, "cannot listen for commits; trying again");
                tokio::time::sleep(RECONNECT_AFTER).await;
                continue;
            }
        };
        if std::mem::replace(&mut connected_before, true) {
            status.reconnects.fetch_add(1, Ordering::Relaxed);
            tracing::info!("listening for commits again");
        }
        status.listening.store(true, Ordering::Relaxed);
        wake.notify_one();
        loop {
            match listener.try_recv().await {
                Ok(Some(_)) => wake.notify_one(),
                // Lost, and connected again: what was sent meanwhile is lost.
                Ok(None) => {
                    status.reconnects.fetch_add(1, Ordering::Relaxed);
                    wake.notify_one();
                }
                Err(error) => {
                    tracing::warn!(%error, "lost the connection that listens for commits");
                    break;
                }
            }
        }
        status.listening.store(false, Ordering::Relaxed);
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}

async fn connect(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
