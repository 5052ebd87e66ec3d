//! The hub: which connection listens to which channel. Publishing posts one shared, already
//! serialised frame (an `Arc`, so a queue slot is one pointer) to each subscriber's
//! [`Mailbox`], and never waits: a full mailbox marks its connection as overflowed, and the
//! connection closes with the reconnect code.

use super::access::Grant;
use super::mailbox::{Mailbox, Posted};
use app::{
    domain::{Position, TeamId, UserId},
    live::Channel,
};
use axum::extract::ws::Utf8Bytes;
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

/// A message on its way out: its channel and position (so a resuming connection can drop
/// what it already replayed), and its text, serialised once and shared by every subscriber
/// (`Utf8Bytes` is reference-counted: each connection's copy is a count, not the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub channel: Channel,
    pub position: Position,
    pub text: Utf8Bytes,
}

/// A connection, as the hub knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnectionId(u64);

struct Subscriber {
    user: UserId,
    grant: Grant,
    mailbox: Arc<Mailbox>,
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
        mailbox: Arc<Mailbox>,
    ) {
        let subscriber = Subscriber {
            user,
            grant,
            mailbox,
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
        subscribers.retain(|_, subscriber| match subscriber.mailbox.post(frame) {
            Posted::Queued => {
                delivered += 1;
                true
            }
            Posted::Overflowed | Posted::Closed => false,
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
            text: Utf8Bytes::from_static("hello"),
        })
    }

    #[tokio::test]
    async fn a_frame_reaches_every_subscriber_of_its_channel_only() {
        let hub = Hub::default();
        let (team, other) = (Channel::Team(TeamId::new()), Channel::Team(TeamId::new()));
        let grant = Grant { team: None };
        let (a, b) = (Mailbox::new(4), Mailbox::new(4));
        hub.subscribe(team, hub.connection_id(), UserId::new(), grant, a.clone());
        hub.subscribe(other, hub.connection_id(), UserId::new(), grant, b.clone());
        let frame = frame(team);
        assert_eq!(hub.publish(&frame), 1);
        assert_eq!(a.take().await, [frame]);
        let nothing = tokio::time::timeout(std::time::Duration::from_millis(20), b.take()).await;
        assert!(
            nothing.is_err(),
            "the other channel's subscriber got {nothing:?}"
        );
    }

    #[tokio::test]
    async fn a_full_mailbox_drops_its_subscriber_and_signals_overflow() {
        let hub = Hub::default();
        let channel = Channel::Team(TeamId::new());
        let (slow, fast) = (Mailbox::new(1), Mailbox::new(8));
        let grant = Grant { team: None };
        hub.subscribe(
            channel,
            hub.connection_id(),
            UserId::new(),
            grant,
            slow.clone(),
        );
        hub.subscribe(
            channel,
            hub.connection_id(),
            UserId::new(),
            grant,
            fast.clone(),
        );
        let frame = frame(channel);
        assert_eq!(hub.publish(&frame), 2);
        assert_eq!(hub.publish(&frame), 1, "the slow one overflowed");
        slow.overflowed().await;
        assert_eq!(hub.publish(&frame), 1);
        assert_eq!(fast.take().await.len(), 3);
    }

    #[tokio::test]
    async fn revoking_a_membership_ends_the_subscriptions_it_granted() {
        let hub = Hub::default();
        let (team, user) = (TeamId::new(), UserId::new());
        let (via_team, own) = (Mailbox::new(4), Mailbox::new(4));
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
