//! Who may subscribe to which channel, from the membership read model: checked by
//! `/broadcasting/auth` and again on every `pusher:subscribe`.

use crate::projection::{
    ProjectionError,
    queries::{self, TeamOf},
};
use app::{
    domain::{Position, TeamId, UserId},
    live::Channel,
};
use sqlx::SqlitePool;

/// Why `user` may subscribe: through membership of `team`, read as of `as_of`, or (`None`)
/// as the channel's own user. When the membership ends, the subscription ends with it; one
/// that ended after `as_of` refuses it (the hub keeps the revocations' positions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub team: Option<TeamId>,
    pub as_of: Position,
}

/// The grant, or `None` when `user` may not subscribe to `channel`.
pub async fn grant(
    pool: &SqlitePool,
    user: UserId,
    channel: Channel,
) -> Result<Option<Grant>, ProjectionError> {
    let of = match channel {
        Channel::User(owner) => {
            return Ok((owner == user).then_some(Grant {
                team: None,
                as_of: Position::ZERO,
            }));
        }
        Channel::Team(team) => TeamOf::Team(team),
        Channel::Todo(todo) => TeamOf::Todo(todo),
    };
    let membership = queries::membership(pool, of, user).await?;
    Ok(membership
        .filter(|membership| membership.member)
        .map(|membership| Grant {
            team: Some(membership.team),
            as_of: membership.as_of,
        }))
}
