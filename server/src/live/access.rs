//! Who may subscribe to which channel: a member of the channel's team ([`Member`]), or the
//! channel's own user. Checked by `/broadcasting/auth` and again on every `pusher:subscribe`.

use crate::{
    membership::Member,
    projection::{ProjectionError, ReadModels, TeamOf},
};
use app::{
    domain::{Position, TeamId, UserId},
    live::Channel,
};

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
    read_models: &dyn ReadModels,
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
    let member = Member::check(read_models, user, of).await?;
    Ok(member.map(|member| Grant {
        team: Some(member.team().id),
        as_of: member.as_of(),
    }))
}
