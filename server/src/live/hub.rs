//! The hub: which connection listens to which channel. Publishing hands one shared, already
//! serialised frame (an `Arc`, so a queue slot is one pointer) to each subscriber's bounded
//! queue, and never waits: a full queue marks
//! its connection as overflowed, and the connection closes with the reconnect code.

use super::access::Grant;
use app::{
    domain::{Position, TeamId, UserId},
    live::Channel,
};
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};
use tokio::sync::{Notify, mpsc};

/// A message on its way out: its channel and position (so a resuming connection can drop
/// what it already replayed), and its text, serialised once and shared by every subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub channel: Channel,
    pub position: Position,
    pub text: Arc<str>,
}

/// A connection, as the hub knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnectionId(u64);

/// Where a connection's frames go, and how it learns that it fell behind.
#[derive(Clone)]
pub struct Outbox {
    pub frames: mpsc::Sender<Arc<Frame>>,
    pub overflowed: Arc<Notify>,
}

struct Subscriber {
    user: UserId,
    grant: Grant,
    outbox: Outbox,
}

#[derive(Default)]
pub struct Hub {
    channels: Mutex<HashMap<Channel, HashMap<ConnectionId, Subscriber>>>,
    next: AtomicU64,
}

impl Hub {
    pub fn connection_id(&self) -> ConnectionId {
        ConnectionId(self.next.fetch_add(1, Ordering::Relaxed))
    }

    pub fn subscribe(
        &self,
        channel: Channel,
        connection: ConnectionId,
        user: UserId,
        grant: Grant,
        outbox: Outbox,
    ) {
        let subscriber = Subscriber {
            user,
            grant,
            outbox,
        };
        self.lock()
            .entry(channel)
            .or_default()
            .insert(connection, subscriber);
    }

    pub fn unsubscribe(&self, channel: Channel, connection: ConnectionId) {
        let mut channels = self.lock();
        if let Some(subscribers) = channels.get_mut(&channel) {
            subscribers.remove(&connection);
            if subscribers.is_empty() {
                channels.remove(&channel);
            }
        }
    }

    /// Queues `frame` for every subscriber of its channel; returns how many got it.
    pub fn publish(&self, frame: &Arc<Frame>) -> usize {
        let channel = frame.channel;
        let mut channels = self.lock();
        let Some(subscribers) = channels.get_mut(&channel) else {
            return 0;
        };
        let mut delivered = 0;
        subscribers.retain(|_, subscriber| {
            match subscriber.outbox.frames.try_send(Arc::clone(frame)) {
                Ok(()) => {
                    delivered += 1;
                    true
                }
                Err(mpsc::error::TrySendError::Full(_)) => {
                    subscriber.outbox.overflowed.notify_one();
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
        if subscribers.is_empty() {
            channels.remove(&channel);
        }
        delivered
    }

    /// Ends every subscription that `user` holds through membership of `team`.
    pub fn revoke(&self, team: TeamId, user: UserId) {
        let mut channels = self.lock();
        channels.retain(|_, subscribers| {
            subscribers.retain(|_, s| !(s.user == user && s.grant.team == Some(team)));
            !subscribers.is_empty()
        });
    }

    /// How many subscriptions there are, by channel kind.
    pub fn subscriptions(&self) -> HashMap<&'static str, usize> {
        let mut counts = HashMap::new();
        for (channel, subscribers) in self.lock().iter() {
            *counts.entry(channel.kind()).or_default() += subscribers.len();
        }
        counts
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<Channel, HashMap<ConnectionId, Subscriber>>> {
        self.channels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(channel: Channel) -> Arc<Frame> {
        Arc::new(Frame {
            channel,
            position: Position::new(1),
            text: Arc::from("hello"),
        })
    }

    fn outbox(depth: usize) -> (Outbox, mpsc::Receiver<Arc<Frame>>, Arc<Notify>) {
        let (frames, rx) = mpsc::channel(depth);
        let overflowed = Arc::new(Notify::new());
        (
            Outbox {
                frames,
                overflowed: overflowed.clone(),
            },
            rx,
            overflowed,
        )
    }

    #[tokio::test]
    async fn a_frame_reaches_every_subscriber_of_its_channel_only() {
        let hub = Hub::default();
        let (team, other) = (Channel::Team(TeamId::new()), Channel::Team(TeamId::new()));
        let grant = Grant { team: None };
        let (a, mut a_rx, _) = outbox(4);
        let (b, mut b_rx, _) = outbox(4);
        hub.subscribe(team, hub.connection_id(), UserId::new(), grant, a);
        hub.subscribe(other, hub.connection_id(), UserId::new(), grant, b);
        let frame = frame(team);
        assert_eq!(hub.publish(&frame), 1);
        assert_eq!(a_rx.recv().await.unwrap(), frame);
        assert!(b_rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_full_queue_drops_its_subscriber_and_signals_overflow() {
        let hub = Hub::default();
        let channel = Channel::Team(TeamId::new());
        let (slow, _slow_rx, overflowed) = outbox(1);
        let (fast, mut fast_rx, _) = outbox(8);
        let grant = Grant { team: None };
        hub.subscribe(channel, hub.connection_id(), UserId::new(), grant, slow);
        hub.subscribe(channel, hub.connection_id(), UserId::new(), grant, fast);
        let frame = frame(channel);
        assert_eq!(hub.publish(&frame), 2);
        assert_eq!(hub.publish(&frame), 1, "the slow one overflowed");
        overflowed.notified().await;
        assert_eq!(hub.publish(&frame), 1);
        for _ in 0..3 {
            assert_eq!(fast_rx.recv().await.unwrap(), frame);
        }
    }

    #[tokio::test]
    async fn revoking_a_membership_ends_the_subscriptions_it_granted() {
        let hub = Hub::default();
        let (team, user) = (TeamId::new(), UserId::new());
        let (via_team, _rx1, _) = outbox(4);
        let (own, _rx2, _) = outbox(4);
        hub.subscribe(
            Channel::Team(team),
            hub.connection_id(),
            user,
            Grant { team: Some(team) },
            via_team,
        );
        hub.subscribe(
            Channel::User(user),
            hub.connection_id(),
            user,
            Grant { team: None },
            own,
        );
        hub.revoke(team, user);
        assert_eq!(hub.subscriptions().get("team"), None);
        assert_eq!(hub.subscriptions().get("user"), Some(&1));
    }
}
