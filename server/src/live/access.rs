//! Who may subscribe to which channel, from the membership read model: checked by
//! `/broadcasting/auth` and again on every `pusher:subscribe`.

use crate::projection::{ProjectionError, queries};
use app::{
    domain::{TeamId, UserId},
    live::Channel,
};
use sqlx::SqlitePool;

/// Why `user` may subscribe: through membership of `team`, or (`None`) as the channel's own
/// user. When the membership ends, the subscription ends with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub team: Option<TeamId>,
}

/// The grant, or `None` when `user` may not subscribe to `channel`.
pub async fn grant(
    pool: &SqlitePool,
    user: UserId,
    channel: Channel,
) -> Result<Option<Grant>, ProjectionError> {
    let team = match channel {
        Channel::User(owner) => {
            return Ok((owner == user).then_some(Grant { team: None }));
        }
        Channel::Team(team) => team,
        Channel::Todo(todo) => match queries::team_of_todo(pool, todo).await? {
            Some(team) => team,
            None => return Ok(None),
        },
    };
    let member = queries::team_of_member(pool, team, user).await?.is_some();
    Ok(member.then_some(Grant { team: Some(team) }))
}
