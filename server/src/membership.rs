//! The membership check, in one place. A [`Member`] is the proof that a user belonged to a
//! team when the read models were at a position; only [`Member::check`] makes one, so a use
//! case that takes a `Member` cannot have skipped the check. Pages, commands and channel
//! subscriptions all go through it.

use crate::projection::{ProjectionError, ReadModels, TeamOf, TeamRecord};
use app::domain::{Position, UserId};

/// `user` belongs to `team`, as of `as_of`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    user: UserId,
    team: TeamRecord,
    as_of: Position,
}

impl Member {
    /// The proof that `user` belongs to the team (of the todo) `of` names; `None` for a
    /// stranger and for a team or todo that does not exist, so that the two cannot be told
    /// apart.
    pub async fn check(
        read_models: &dyn ReadModels,
        user: UserId,
        of: TeamOf,
    ) -> Result<Option<Self>, ProjectionError> {
        let membership = read_models.membership(of, user).await?;
        Ok(membership
            .filter(|membership| membership.member)
            .map(|membership| Self {
                user,
                team: membership.team,
                as_of: membership.as_of,
            }))
    }

    pub fn user(&self) -> UserId {
        self.user
    }

    pub fn team(&self) -> &TeamRecord {
        &self.team
    }

    /// The position of the log the membership was read at.
    pub fn as_of(&self) -> Position {
        self.as_of
    }
}
