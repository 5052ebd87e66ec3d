//! The projector: keeps one generation of the read models caught up with the log, writing
//! each batch of rows and the checkpoint in one transaction.

use super::{ProjectionError, ProjectionStore, Tables};
use crate::{health::Health, store::EventStore};
use app::domain::Position;
use std::{sync::Arc, time::Duration};
use tokio::{sync::watch, task::JoinHandle};

/// How many events one transaction projects.
pub(super) const BATCH: u32 = 500;

/// What one batch did.
enum Step {
    /// There was nothing after the checkpoint.
    CaughtUp(Position),
    /// A batch was projected, or the checkpoint moved under us (another projector, or a
    /// rebuild that swapped tables): there may be more.
    Again,
}

#[derive(Clone)]
pub struct Projector {
    views: Arc<dyn ProjectionStore>,
    log: Arc<dyn EventStore>,
    tables: Tables,
}

impl Projector {
    pub fn new(views: Arc<dyn ProjectionStore>, log: Arc<dyn EventStore>, tables: Tables) -> Self {
        Self { views, log, tables }
    }

    /// Projects every event committed so far; returns the checkpoint reached.
    pub async fn catch_up(&self) -> Result<Position, ProjectionError> {
        loop {
            if let Step::CaughtUp(position) = self.step().await? {
                return Ok(position);
            }
        }
    }

    /// Projects one batch. Events are read before the write transaction, so that it holds
    /// its lock only while it writes; the store checks the checkpoint again under the lock,
    /// and drops the batch if it moved.
    async fn step(&self) -> Result<Step, ProjectionError> {
        let seen = self.views.checkpoint(self.tables).await?;
        let events = self.log.read_all_after(seen, BATCH).await?;
        if events.is_empty() {
            return Ok(Step::CaughtUp(seen));
        }
        self.views.apply(self.tables, seen, &events).await?;
        Ok(Step::Again)
    }

    /// Runs until the store stops: catches up whenever the log's head moves, and publishes
    /// the checkpoint reached, so a command can wait until its events are on the page. Tells
    /// `health` when an attempt fails, and when one succeeds again.
    pub fn spawn(self, health: Arc<Health>) -> (watch::Receiver<Position>, JoinHandle<()>) {
        let (reached_tx, reached_rx) = watch::channel(Position::ZERO);
        let mut head = self.log.watch_head();
        let task = tokio::spawn(async move {
            loop {
                match self.catch_up().await {
                    Ok(reached) => {
                        health.up("projector");
                        reached_tx.send_replace(reached);
                    }
                    Err(error) => {
                        tracing::error!(error = %crate::error_chain(&error), "projection failed; retrying in a second");
                        health.failing("projector");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
                if head.changed().await.is_err() {
                    return;
                }
            }
        });
        (reached_rx, task)
    }
}
