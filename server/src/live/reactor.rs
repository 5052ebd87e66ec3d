//! The broadcast reactor: follows the log from its own cursor and fans each todo event out to
//! its channels, and drops the subscriptions a departing member held through their team
//! (the hub remembers at which position, until the read models have passed it). It runs off
//! the command path: a command never waits for it.

use super::{
    hub::Hub,
    tracker::{Change, TrackError, Tracker, messages},
};
use crate::{
    health::Health,
    metrics::Metrics,
    store::{EventStore, StoreError},
};
use app::domain::Position;
use std::{num::NonZeroUsize, sync::Arc, time::Duration};
use tokio::{sync::watch, task::JoinHandle};

pub struct Reactor {
    tracker: Tracker,
    hub: Arc<Hub>,
    metrics: Arc<Metrics>,
    /// How far the read models have projected the log.
    projected: watch::Receiver<Position>,
}

impl Reactor {
    /// Starts at the log's head: what came before is on the pages people load, and a client
    /// that needs it resumes from its position.
    pub async fn spawn(
        store: Arc<dyn EventStore>,
        hub: Arc<Hub>,
        metrics: Arc<Metrics>,
        projected: watch::Receiver<Position>,
        tracked: NonZeroUsize,
        health: Arc<Health>,
    ) -> Result<JoinHandle<()>, StoreError> {
        let mut head = store.watch_head();
        let cursor = store.head().await?;
        metrics.broadcast(cursor);
        let mut reactor = Self {
            tracker: Tracker::new(store, cursor, tracked),
            hub,
            metrics,
            projected,
        };
        Ok(tokio::spawn(async move {
            loop {
                if let Err(error) = reactor.catch_up().await {
                    tracing::error!(%error, "broadcasting failed; retrying in a second");
                    health.failing("reactor");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                health.up("reactor");
                reactor.hub.read_models_reached(*reactor.projected.borrow());
                if head.changed().await.is_err() {
                    return;
                }
            }
        }))
    }

    async fn catch_up(&mut self) -> Result<(), TrackError> {
        loop {
            let events = self.tracker.next_page().await?;
            if events.is_empty() {
                return Ok(());
            }
            for event in &events {
                match self.tracker.advance(event).await? {
                    Change::Todo { todo, members } => {
                        for frame in messages(event, &todo, &members) {
                            self.hub.publish(&Arc::new(frame));
                        }
                    }
                    Change::MemberGone { team, user } => {
                        self.hub.revoke(team, user, event.position);
                    }
                    Change::Nothing => {}
                }
                self.metrics.broadcast(event.position);
            }
        }
    }
}
