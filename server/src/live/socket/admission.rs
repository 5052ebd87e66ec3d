//! Checking a `pusher:subscribe`: the signature (bound to this socket, the channel and the
//! channel data), who subscribes (the session's user; the signed channel data may only name
//! that same user, or any user on a connection without a session, which then speaks for that
//! user alone), room on the connection, membership, and the user's seat. The hub then adds
//! the subscription unless the membership was revoked after the position it was read at.

use super::{Connection, subscriptions::TooMany};
use crate::live::{
    access::{self, Grant},
    hub::Refused,
};
use crate::seats::SeatError;
use app::{domain::UserId, live::Channel};
use std::sync::Arc;

/// A refused subscription: its HTTP-like status and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl From<TooMany> for Refusal {
    fn from(too_many: TooMany) -> Self {
        Self::new(429, too_many.to_string())
    }
}

/// How many times a membership read older than the hub's memory is read again.
const READS: usize = 3;

impl Connection {
    /// Admits the subscription and joins the hub, or says why not.
    pub(super) async fn admit(
        &mut self,
        channel: Channel,
        auth: &str,
        channel_data: Option<&str>,
    ) -> Result<Grant, Refusal> {
        let signed = self
            .live
            .signer
            .verify(self.socket_id, channel, channel_data, auth);
        if !signed {
            return Err(Refusal::new(
                401,
                "The signature does not match this connection and channel.",
            ));
        }
        let user = self.subscriber(channel_data)?;
        self.subscriptions.room_for(channel)?;
        for _ in 0..READS {
            let grant = match access::grant(self.live.read_models.as_ref(), user, channel).await {
                Ok(Some(grant)) => grant,
                Ok(None) => return Err(forbidden()),
                Err(error) => {
                    tracing::error!(%error, "checking a subscription failed");
                    return Err(Refusal::new(500, "Something went wrong on our side."));
                }
            };
            self.take_seat(user).await?;
            let mailbox = Arc::clone(&self.mailbox);
            match self
                .live
                .hub
                .subscribe(channel, self.id, user, grant, mailbox)
            {
                Ok(()) => {
                    self.subscriptions.add(channel)?;
                    return Ok(grant);
                }
                Err(Refused::Revoked(_)) => return Err(forbidden()),
                Err(Refused::Stale(_)) => continue,
            }
        }
        Err(Refusal::new(503, "Please try again."))
    }

    /// The user the subscription is for: the one the signed channel data names, which must
    /// be the connection's own when it has one; else the connection's.
    fn subscriber(&self, channel_data: Option<&str>) -> Result<UserId, Refusal> {
        let Some(data) = channel_data else {
            return self
                .user
                .ok_or_else(|| Refusal::new(403, "Please sign in to continue."));
        };
        let named = serde_json::from_str::<serde_json::Value>(data)
            .ok()
            .and_then(|value| {
                value["user_id"]
                    .as_str()
                    .and_then(|id| UserId::parse(id).ok())
            })
            .ok_or_else(|| Refusal::new(400, "The channel data names no user."))?;
        match self.user {
            Some(own) if own != named => Err(Refusal::new(
                403,
                "The channel data names another user than this connection's.",
            )),
            _ => Ok(named),
        }
    }

    /// A connection counts for the user of its first admitted subscription, and speaks for
    /// that user alone from then on.
    async fn take_seat(&mut self, user: UserId) -> Result<(), Refusal> {
        if self.seat.is_some() {
            return Ok(());
        }
        let seat = self.live.seats.take(user).await.map_err(|error| {
            let status = match error {
                SeatError::Full { .. } => 429,
                SeatError::Database(_) => 503,
            };
            Refusal::new(status, super::seat_refusal(&error))
        })?;
        self.seat = Some(seat);
        self.user = Some(user);
        self.sessionless_seat = None;
        Ok(())
    }
}

fn forbidden() -> Refusal {
    Refusal::new(403, "You may not subscribe to this channel.")
}
