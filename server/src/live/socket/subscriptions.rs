//! The channels one connection listens to, up to a limit. A short list rather than a map:
//! most connections hold one to three channels, and tens of thousands sit idle.

use app::{domain::Position, live::Channel};

pub struct Subscriptions {
    list: Vec<Subscription>,
    max: usize,
}

struct Subscription {
    channel: Channel,
    /// For a resumed channel, the position up to which the replay delivered.
    replayed: Option<Position>,
}

/// A connection that already holds as many subscriptions as allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("A connection may hold at most {max} subscriptions; unsubscribe from one first.")]
pub struct TooMany {
    pub max: usize,
}

impl Subscriptions {
    pub fn new(max: usize) -> Self {
        Self {
            list: Vec::new(),
            max,
        }
    }

    /// Whether one more channel (or this one again) may be added.
    pub fn room_for(&self, channel: Channel) -> Result<(), TooMany> {
        if self.list.len() < self.max || self.find(channel).is_some() {
            Ok(())
        } else {
            Err(TooMany { max: self.max })
        }
    }

    /// Adds `channel` (again: as new, with nothing replayed).
    pub fn add(&mut self, channel: Channel) -> Result<(), TooMany> {
        self.room_for(channel)?;
        self.remove(channel);
        self.list.push(Subscription {
            channel,
            replayed: None,
        });
        Ok(())
    }

    pub fn remove(&mut self, channel: Channel) {
        self.list.retain(|s| s.channel != channel);
    }

    /// The replay of `channel` delivered everything up to `upto`.
    pub fn replayed_upto(&mut self, channel: Channel, upto: Position) {
        if let Some(at) = self.find(channel) {
            self.list[at].replayed = Some(upto);
        }
    }

    /// Whether a live frame at `position` on `channel` is still to be sent: not once the
    /// channel is left, nor when its replay delivered it.
    pub fn wants(&self, channel: Channel, position: Position) -> bool {
        self.find(channel)
            .is_some_and(|at| self.list[at].replayed.is_none_or(|upto| position > upto))
    }

    pub fn channels(&self) -> impl Iterator<Item = Channel> + '_ {
        self.list.iter().map(|s| s.channel)
    }

    fn find(&self, channel: Channel) -> Option<usize> {
        self.list.iter().position(|s| s.channel == channel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::TeamId;

    fn team() -> Channel {
        Channel::Team(TeamId::new())
    }

    #[test]
    fn a_connection_holds_subscriptions_up_to_the_limit_and_no_more() {
        let mut subscriptions = Subscriptions::new(2);
        let (a, b) = (team(), team());
        subscriptions.add(a).unwrap();
        subscriptions.add(b).unwrap();
        assert_eq!(subscriptions.add(team()), Err(TooMany { max: 2 }));
        subscriptions.add(a).unwrap();
        subscriptions.remove(b);
        subscriptions.add(team()).unwrap();
        assert_eq!(subscriptions.channels().count(), 2);
    }

    #[test]
    fn live_frames_a_replay_delivered_are_not_wanted() {
        let mut subscriptions = Subscriptions::new(2);
        let channel = team();
        subscriptions.add(channel).unwrap();
        assert!(subscriptions.wants(channel, Position::new(3)));
        subscriptions.replayed_upto(channel, Position::new(5));
        assert!(!subscriptions.wants(channel, Position::new(5)));
        assert!(subscriptions.wants(channel, Position::new(6)));
    }

    #[test]
    fn frames_queued_for_a_channel_since_left_are_not_wanted() {
        let mut subscriptions = Subscriptions::new(2);
        let channel = team();
        subscriptions.add(channel).unwrap();
        subscriptions.remove(channel);
        assert!(!subscriptions.wants(channel, Position::new(1)));
        assert!(!subscriptions.wants(team(), Position::new(1)));
    }
}
