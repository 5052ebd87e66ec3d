//! What people ask of a team.

use super::TokenHash;
use crate::domain::{InvitationId, TeamId, TeamName, UserId};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamCommand {
    /// Makes a team, with its creator as the first member.
    Create {
        team_id: TeamId,
        name: TeamName,
        creator: UserId,
    },
    /// A member makes an invite link, single-use or not, valid until `expires_at`.
    Invite {
        invitation_id: InvitationId,
        token_hash: TokenHash,
        single_use: bool,
        expires_at: DateTime<Utc>,
        by: UserId,
    },
    /// A member revokes an open invite link.
    Revoke {
        invitation_id: InvitationId,
        by: UserId,
    },
    /// Someone joins through an invite link; `now` decides whether it has expired.
    Join {
        user: UserId,
        invitation_id: InvitationId,
        now: DateTime<Utc>,
    },
    /// A member leaves.
    Leave { user: UserId },
    /// The team's owner (see [`super::Team::owner`]) takes another member out of the team.
    Remove { user: UserId, by: UserId },
}
