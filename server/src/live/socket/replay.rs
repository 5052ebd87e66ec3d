//! Resuming a channel from a position: every event of the channel after it, up to the log's
//! head, then live. Live frames at or below that head are dropped, since the replay had them,
//! so there is no gap and no duplicate, whatever commits meanwhile.
//!
//! A replay is bounded work: it goes back at most `max_replay` events, reads a team's or a
//! todo's channel through the team log (only that team's events), serialises only the
//! channel asked for, stops where the subscriber's membership of the channel's team ends,
//! and only so many run at once, per user and on the whole server (beyond, the subscription
//! is refused with 429 and the client tries again).

use super::{Connection, transport::Transport};
use crate::live::{
    access::Grant,
    channel_log::ChannelLog,
    tracker::{Change, TrackError, Tracker, frame_for},
};
use app::{
    domain::{Position, UserId},
    live::Channel,
};
use std::num::NonZeroUsize;

/// How many todos (and teams) one replay keeps in memory: a channel's replay touches one
/// team's, and one it forgot is read again from the log.
const REPLAY_TRACKED: NonZeroUsize = NonZeroUsize::new(256).expect("not zero");

/// Why a resumed subscription could not replay.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("This subscription is too far behind to resume; reload the page.")]
    TooFarBack,
    #[error("Too many replays are running; try again shortly.")]
    Busy,
    #[error("Your membership of this channel's team ended.")]
    MembershipEnded,
    #[error("Replaying the log failed: {0}")]
    Log(#[from] TrackError),
    #[error("The connection failed: {0}")]
    Socket(#[from] super::transport::WriteError),
}

impl ReplayError {
    pub fn status(&self) -> u16 {
        match self {
            Self::TooFarBack => 410,
            Self::Busy => 429,
            Self::MembershipEnded => 403,
            Self::Log(_) | Self::Socket(_) => 500,
        }
    }
}

impl Connection {
    /// Sends every event of `channel` after `from` up to the log's head, in order, and
    /// remembers that head so that the live frames it covers are dropped.
    pub(super) async fn replay(
        &mut self,
        transport: &mut Transport,
        channel: Channel,
        grant: Grant,
        from: Position,
    ) -> Result<(), ReplayError> {
        let user = self.user.expect("an admitted subscription names its user");
        let _running = self
            .live
            .replays_at_once
            .try_acquire()
            .map_err(|_| ReplayError::Busy)?;
        let _mine = self
            .live
            .replays
            .take(user)
            .map_err(|_| ReplayError::Busy)?;
        let store = self.live.store.clone();
        let head = store.head().await.map_err(TrackError::from)?;
        // The client picks `from`; a membership read as of an earlier position may have
        // ended between the two, so the replay reads from there to see it end.
        let start = match grant.team {
            Some(_) => from.min(grant.as_of),
            None => from,
        };
        if head.get().saturating_sub(start.get()) > self.live.limits.max_replay {
            return Err(ReplayError::TooFarBack);
        }
        let read_models = self.live.read_models.clone();
        let mut log = ChannelLog::new(store.clone(), read_models, channel, grant.team, start, head);
        let tracked = self.live.limits.tracked.min(REPLAY_TRACKED);
        let mut tracker = Tracker::new(store, start, tracked);
        let mut sent: u64 = 0;
        loop {
            let page = log.next_page().await?;
            if page.is_empty() {
                break;
            }
            self.live.metrics.replay_read(page.len() as u64);
            let mut texts = Vec::new();
            for event in page.iter().filter(|event| log.concerns(event)) {
                match tracker.advance(event).await? {
                    Change::Todo { todo, members } => {
                        if event.position > from {
                            let frame = frame_for(channel, event, &todo, &members);
                            texts.extend(frame.map(|f| f.text));
                        }
                    }
                    Change::MemberGone { team, user: gone } if ends(grant, user, team, gone) => {
                        self.send(transport, texts, &mut sent).await?;
                        return Err(ReplayError::MembershipEnded);
                    }
                    Change::MemberGone { .. } | Change::Nothing => {}
                }
            }
            self.send(transport, texts, &mut sent).await?;
        }
        self.live.metrics.frames_sent(sent);
        self.subscriptions.replayed_upto(channel, head);
        Ok(())
    }

    async fn send(
        &self,
        transport: &mut Transport,
        texts: Vec<axum::extract::ws::Utf8Bytes>,
        sent: &mut u64,
    ) -> Result<(), ReplayError> {
        if texts.is_empty() {
            return Ok(());
        }
        *sent += texts.len() as u64;
        transport.send_texts(texts).await?;
        Ok(())
    }
}

/// Whether `gone` leaving `team` ends the subscription that `grant` gave `user`.
fn ends(grant: Grant, user: UserId, team: app::domain::TeamId, gone: UserId) -> bool {
    grant.team == Some(team) && user == gone
}
