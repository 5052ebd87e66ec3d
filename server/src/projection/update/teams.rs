//! How one event of a team's stream changes the team, its members and its invite links.

use super::{TeamChange, corrupt};
use crate::{projection::ProjectionError, store::RecordedEvent};
use app::domain::{
    TeamId,
    team::{InvitationCreated, MemberJoined, MemberRemoved, TeamEvent},
};

/// Adds what `event`, of `team`'s stream, changes to `changes`.
pub(super) fn changes(
    event: &RecordedEvent,
    team: TeamId,
    changes: &mut Vec<TeamChange>,
) -> Result<(), ProjectionError> {
    let decoded = TeamEvent::decode(&event.event_type, event.schema_version, &event.payload)
        .map_err(|error| corrupt(event, error))?
        .recorded_by(event.actor);
    let at = event.recorded_at;
    match decoded {
        TeamEvent::Created(created) => changes.push(TeamChange::Created {
            team: created.team_id,
            name: created.name.as_str().to_owned(),
            created_by: created.creator,
            created_at: at,
        }),
        TeamEvent::InvitationCreated(InvitationCreated {
            invitation_id,
            token_hash,
            single_use,
            expires_at,
            created_by,
        }) => changes.push(TeamChange::InvitationCreated {
            invitation: invitation_id,
            team,
            token_hash: token_hash.as_str().to_owned(),
            single_use,
            created_by: created_by.unwrap_or(event.actor),
            created_at: at,
            expires_at,
        }),
        TeamEvent::InvitationRevoked { invitation_id } => {
            changes.push(TeamChange::InvitationRevoked(invitation_id));
        }
        TeamEvent::MemberJoined(MemberJoined {
            user_id,
            invitation_id,
        }) => {
            changes.push(TeamChange::MemberJoined {
                team,
                user: user_id,
                joined_at: at,
                joined_position: event.position,
            });
            if let Some(invitation) = invitation_id {
                changes.push(TeamChange::InvitationUsed(invitation));
            }
        }
        TeamEvent::MemberLeft { user_id }
        | TeamEvent::MemberRemoved(MemberRemoved { user_id, .. }) => {
            changes.push(TeamChange::MemberGone {
                team,
                user: user_id,
            });
        }
    }
    Ok(())
}
