//! The hub: which connection listens to which channel. Publishing posts one shared, already
//! serialised frame (an `Arc`, so a queue slot is one pointer) to each subscriber's
//! [`Mailbox`], and never waits: a full mailbox marks its connection as overflowed, and the
//! connection closes with the reconnect code.
//!
//! Admission and revocation agree on one position. A subscription is admitted against the
//! membership read model as of some position; the reactor revokes a departing member's
//! subscriptions when it reaches the departure's position, which the read model may not have
//! reached yet. So each revocation is remembered with its position, and a subscription whose
//! membership was read before a revocation of it is refused, whichever came first.

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

/// How many revocations the hub remembers before it forgets those the read model has passed.
const REMEMBERED_REVOCATIONS: usize = 4096;

#[derive(Default)]
pub struct Hub {
    channels: Mutex<Channels>,
    next: AtomicU64,
}

#[derive(Default)]
struct Channels {
    subscribers: HashMap<Channel, HashMap<ConnectionId, Subscriber>>,
    /// The position of each membership's last revocation, for those the read model may not
    /// show yet.
    revoked: HashMap<(TeamId, UserId), Position>,
    /// Revocations at or before this position are forgotten: a membership read as of an
    /// earlier position can no longer be checked against them.
    forgotten_through: Position,
}

/// Why the hub would not add a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The membership that granted it ended after the position it was read at.
    #[error("the membership ended at position {0}")]
    Revoked(Position),
    /// The membership was read before revocations that the hub has since forgotten: read
    /// it again.
    #[error("the membership was read before position {0}; read it again")]
    Stale(Position),
}

impl Hub {
    pub fn connection_id(&self) -> ConnectionId {
        ConnectionId(self.next.fetch_add(1, Ordering::Relaxed))
    }

    /// Adds the subscription, unless the membership that granted it was revoked after the
    /// position it was read at.
    pub fn subscribe(
        &self,
        channel: Channel,
        connection: ConnectionId,
        user: UserId,
        grant: Grant,
        mailbox: Arc<Mailbox>,
    ) -> Result<(), Refused> {
        let mut channels = self.lock();
        if let Some(team) = grant.team {
            if grant.as_of < channels.forgotten_through {
                return Err(Refused::Stale(channels.forgotten_through));
            }
            if let Some(&revoked) = channels.revoked.get(&(team, user))
                && revoked > grant.as_of
            {
                return Err(Refused::Revoked(revoked));
            }
        }
        let subscriber = Subscriber {
            user,
            grant,
            mailbox,
        };
        channels
            .subscribers
            .entry(channel)
            .or_default()
            .insert(connection, subscriber);
        Ok(())
    }

    pub fn unsubscribe(&self, channel: Channel, connection: ConnectionId) {
        let mut channels = self.lock();
        if let Some(subscribers) = channels.subscribers.get_mut(&channel) {
            subscribers.remove(&connection);
            if subscribers.is_empty() {
                channels.subscribers.remove(&channel);
            }
        }
    }

    /// Queues `frame` for every subscriber of its channel; returns how many got it.
    pub fn publish(&self, frame: &Arc<Frame>) -> usize {
        let channel = frame.channel;
        let mut channels = self.lock();
        let Some(subscribers) = channels.subscribers.get_mut(&channel) else {
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
            channels.subscribers.remove(&channel);
        }
        delivered
    }

    /// Ends every subscription that `user` holds through membership of `team`, whose
    /// membership ended at `position`, and refuses those read before it from now on.
    pub fn revoke(&self, team: TeamId, user: UserId, position: Position) {
        let mut channels = self.lock();
        channels.subscribers.retain(|_, subscribers| {
            subscribers.retain(|_, s| !(s.user == user && s.grant.team == Some(team)));
            !subscribers.is_empty()
        });
        let last = channels.revoked.entry((team, user)).or_insert(position);
        *last = (*last).max(position);
    }

    /// The read models have reached `projected`: a membership read from now on shows every
    /// revocation up to it. Once there are many, those are forgotten.
    pub fn read_models_reached(&self, projected: Position) {
        let mut channels = self.lock();
        if channels.revoked.len() < REMEMBERED_REVOCATIONS {
            return;
        }
        channels.revoked.retain(|_, revoked| *revoked > projected);
        channels.forgotten_through = channels.forgotten_through.max(projected);
    }

    /// How many subscriptions there are, by channel kind.
    pub fn subscriptions(&self) -> HashMap<&'static str, usize> {
        let mut counts = HashMap::new();
        for (channel, subscribers) in self.lock().subscribers.iter() {
            *counts.entry(channel.kind()).or_default() += subscribers.len();
        }
        counts
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Channels> {
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
        let grant = Grant {
            team: None,
            as_of: Position::ZERO,
        };
        let (a, b) = (Mailbox::new(4), Mailbox::new(4));
        hub.subscribe(team, hub.connection_id(), UserId::new(), grant, a.clone())
            .unwrap();
        hub.subscribe(other, hub.connection_id(), UserId::new(), grant, b.clone())
            .unwrap();
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
        let grant = Grant {
            team: None,
            as_of: Position::ZERO,
        };
        hub.subscribe(
            channel,
            hub.connection_id(),
            UserId::new(),
            grant,
            slow.clone(),
        )
        .unwrap();
        hub.subscribe(
            channel,
            hub.connection_id(),
            UserId::new(),
            grant,
            fast.clone(),
        )
        .unwrap();
        let frame = frame(channel);
        assert_eq!(hub.publish(&frame), 2);
        assert_eq!(hub.publish(&frame), 1, "the slow one overflowed");
        assert_eq!(slow.ended().await, super::super::mailbox::End::Overflowed);
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
            Grant {
                team: Some(team),
                as_of: Position::new(1),
            },
            via_team,
        )
        .unwrap();
        hub.subscribe(
            Channel::User(user),
            hub.connection_id(),
            user,
            Grant {
                team: None,
                as_of: Position::ZERO,
            },
            own,
        )
        .unwrap();
        hub.revoke(team, user, Position::new(2));
        assert_eq!(hub.subscriptions().get("team"), None);
        assert_eq!(hub.subscriptions().get("user"), Some(&1));
    }

    fn member_of(team: TeamId, as_of: u64) -> Grant {
        Grant {
            team: Some(team),
            as_of: Position::new(as_of),
        }
    }

    #[test]
    fn a_membership_read_before_its_revocation_is_refused_though_it_arrives_after() {
        let hub = Hub::default();
        let (team, user) = (TeamId::new(), UserId::new());
        hub.revoke(team, user, Position::new(10));
        let refused = hub.subscribe(
            Channel::Team(team),
            hub.connection_id(),
            user,
            member_of(team, 9),
            Mailbox::new(4),
        );
        assert_eq!(refused, Err(Refused::Revoked(Position::new(10))));
        assert_eq!(hub.subscriptions().get("team"), None);
    }

    #[test]
    fn a_membership_read_at_or_after_its_revocation_is_admitted() {
        let hub = Hub::default();
        let (team, user) = (TeamId::new(), UserId::new());
        hub.revoke(team, user, Position::new(10));
        let channel = Channel::Team(team);
        let mailbox = Mailbox::new(4);
        let rejoined = member_of(team, 12);
        hub.subscribe(channel, hub.connection_id(), user, rejoined, mailbox)
            .unwrap();
        let other = UserId::new();
        hub.subscribe(
            channel,
            hub.connection_id(),
            other,
            member_of(team, 3),
            Mailbox::new(4),
        )
        .unwrap();
        assert_eq!(hub.subscriptions().get("team"), Some(&2));
    }

    #[test]
    fn revocations_are_forgotten_only_when_many_and_a_read_older_than_them_is_stale() {
        let hub = Hub::default();
        let team = TeamId::new();
        for n in 1..=REMEMBERED_REVOCATIONS as u64 - 1 {
            hub.revoke(team, UserId::new(), Position::new(n));
        }
        hub.read_models_reached(Position::new(5_000));
        let early = hub.subscribe(
            Channel::Team(team),
            hub.connection_id(),
            UserId::new(),
            member_of(team, 1),
            Mailbox::new(1),
        );
        assert_eq!(early, Ok(()), "below the threshold nothing is forgotten");
        let last = UserId::new();
        hub.revoke(team, last, Position::new(9_000));
        hub.read_models_reached(Position::new(5_000));
        let stale = hub.subscribe(
            Channel::Team(team),
            hub.connection_id(),
            UserId::new(),
            member_of(team, 4_999),
            Mailbox::new(1),
        );
        assert_eq!(stale, Err(Refused::Stale(Position::new(5_000))));
        let still_revoked = hub.subscribe(
            Channel::Team(team),
            hub.connection_id(),
            last,
            member_of(team, 5_000),
            Mailbox::new(1),
        );
        assert_eq!(still_revoked, Err(Refused::Revoked(Position::new(9_000))));
    }
}
