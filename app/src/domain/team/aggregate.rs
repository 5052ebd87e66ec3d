//! The Team aggregate: `decide` turns a command into events or a refusal, `apply` folds an
//! event into the state. Both are pure: even the clock comes in with the command.

use super::{InvitationCreated, MemberJoined, MemberRemoved, TeamCommand, TeamCreated, TeamEvent};
use crate::domain::{InvitationId, TeamId, TeamName, UserId, Version};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A team as its events left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: TeamId,
    pub name: TeamName,
    /// Each member, with the team's version at which they (last) joined: the order in
    /// which they came, which decides who owns the team.
    pub members: BTreeMap<UserId, Version>,
    /// Each person removed from the team and not let back in since, with the team's version
    /// at which they were removed.
    pub removed: BTreeMap<UserId, Version>,
    pub invitations: BTreeMap<InvitationId, Invitation>,
    pub version: Version,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub single_use: bool,
    pub expires_at: DateTime<Utc>,
    pub state: InvitationState,
    /// Who made it (`None` only for a link whose event predates that field and was read
    /// without its actor).
    pub created_by: Option<UserId>,
    /// The team's version when it was made.
    pub created_at: Version,
    /// Whether its maker owned the team when they made it: only such a link, made after
    /// someone's removal, lets that person back in.
    pub by_owner: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Open,
    /// A single-use link that someone joined through.
    Used,
    Revoked,
}

/// Why a command was refused. The message is meant for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeamError {
    #[error("This team already exists.")]
    AlreadyExists,
    #[error("There is no such team.")]
    NotFound,
    #[error("You are not a member of this team.")]
    NotAMember,
    #[error("This invite link is not valid.")]
    InvitationNotFound,
    #[error("This invite link has expired; ask for a new one.")]
    InvitationExpired,
    #[error("This invite link has already been used; ask for a new one.")]
    InvitationUsed,
    #[error("This invite link was revoked; ask for a new one.")]
    InvitationRevoked,
    #[error("You are this team's last member, and a team cannot be left empty.")]
    LastMember,
    #[error("Only the team's owner, its longest-standing member, can remove members.")]
    NotTheOwner,
    #[error("You cannot remove yourself; leave the team instead.")]
    RemovingYourself,
    #[error("This person is not a member of this team.")]
    MemberNotFound,
    #[error(
        "You were removed from this team; only a new invite link from its owner lets you back in."
    )]
    RemovedFromTeam,
}

/// Decides what `command` means for a team in `state` (`None`: it does not exist yet).
pub fn decide(state: Option<&Team>, command: TeamCommand) -> Result<Vec<TeamEvent>, TeamError> {
    let team = match (state, command) {
        (
            None,
            TeamCommand::Create {
                team_id,
                name,
                creator,
            },
        ) => {
            return Ok(vec![
                TeamEvent::Created(TeamCreated {
                    team_id,
                    name,
                    creator,
                }),
                TeamEvent::MemberJoined(MemberJoined {
                    user_id: creator,
                    invitation_id: None,
                }),
            ]);
        }
        (Some(_), TeamCommand::Create { .. }) => return Err(TeamError::AlreadyExists),
        (None, _) => return Err(TeamError::NotFound),
        (Some(team), command) => (team, command),
    };
    match team {
        (
            team,
            TeamCommand::Invite {
                invitation_id,
                token_hash,
                single_use,
                expires_at,
                by,
            },
        ) => {
            team.require_member(by)?;
            if team.invitations.contains_key(&invitation_id) {
                return Ok(Vec::new());
            }
            Ok(vec![TeamEvent::InvitationCreated(InvitationCreated {
                invitation_id,
                token_hash,
                single_use,
                expires_at,
                created_by: Some(by),
            })])
        }
        (team, TeamCommand::Revoke { invitation_id, by }) => {
            team.require_member(by)?;
            match team.invitations.get(&invitation_id).map(|i| i.state) {
                None => Err(TeamError::InvitationNotFound),
                Some(InvitationState::Revoked) => Ok(Vec::new()),
                Some(InvitationState::Used) => Err(TeamError::InvitationUsed),
                Some(InvitationState::Open) => {
                    Ok(vec![TeamEvent::InvitationRevoked { invitation_id }])
                }
            }
        }
        (
            team,
            TeamCommand::Join {
                user,
                invitation_id,
                now,
            },
        ) => team.join(user, invitation_id, now),
        (team, TeamCommand::Leave { user }) => {
            team.require_member(user)?;
            if team.members.len() == 1 {
                return Err(TeamError::LastMember);
            }
            Ok(vec![TeamEvent::MemberLeft { user_id: user }])
        }
        (team, TeamCommand::Remove { user, by }) => team.remove(user, by),
        (_, TeamCommand::Create { .. }) => unreachable!("handled above"),
    }
}

impl Team {
    pub fn is_member(&self, user: UserId) -> bool {
        self.members.contains_key(&user)
    }

    /// The member who may remove others: the longest-standing one. That is the creator
    /// until they leave; then it passes on, in the order the others joined, so that a team
    /// always has someone who can remove members. `None` only before the first member joins.
    pub fn owner(&self) -> Option<UserId> {
        self.members
            .iter()
            .min_by_key(|(_, joined)| **joined)
            .map(|(user, _)| *user)
    }

    /// `user` joins through an open, unexpired link. Someone removed from the team needs a
    /// link that the owner made after the removal: one made before it (by anyone), or since
    /// by another member, does not let them back in.
    fn join(
        &self,
        user: UserId,
        invitation_id: InvitationId,
        now: DateTime<Utc>,
    ) -> Result<Vec<TeamEvent>, TeamError> {
        let invitation = self
            .invitations
            .get(&invitation_id)
            .ok_or(TeamError::InvitationNotFound)?;
        if self.is_member(user) {
            return Ok(Vec::new());
        }
        match invitation.state {
            InvitationState::Revoked => return Err(TeamError::InvitationRevoked),
            InvitationState::Used => return Err(TeamError::InvitationUsed),
            InvitationState::Open => {}
        }
        if now >= invitation.expires_at {
            return Err(TeamError::InvitationExpired);
        }
        if let Some(removed_at) = self.removed.get(&user)
            && !(invitation.by_owner && invitation.created_at > *removed_at)
        {
            return Err(TeamError::RemovedFromTeam);
        }
        Ok(vec![TeamEvent::MemberJoined(MemberJoined {
            user_id: user,
            invitation_id: Some(invitation_id),
        })])
    }

    /// `by` takes `user` out of the team: only the owner may, and never themselves (so the
    /// owner cannot be removed). The open links that `user` made are revoked with it, so
    /// that none of them lets anyone in, `user` included.
    fn remove(&self, user: UserId, by: UserId) -> Result<Vec<TeamEvent>, TeamError> {
        self.require_member(by)?;
        if user == by {
            return Err(TeamError::RemovingYourself);
        }
        if self.owner() != Some(by) {
            return Err(TeamError::NotTheOwner);
        }
        if !self.is_member(user) {
            return Err(TeamError::MemberNotFound);
        }
        let revoked = self
            .invitations
            .iter()
            .filter(|(_, link)| {
                link.state == InvitationState::Open && link.created_by == Some(user)
            })
            .map(|(id, _)| TeamEvent::InvitationRevoked { invitation_id: *id });
        Ok(std::iter::once(TeamEvent::MemberRemoved(MemberRemoved {
            user_id: user,
            removed_by: by,
        }))
        .chain(revoked)
        .collect())
    }

    fn require_member(&self, user: UserId) -> Result<(), TeamError> {
        if self.is_member(user) {
            Ok(())
        } else {
            Err(TeamError::NotAMember)
        }
    }
}

/// Folds one event into the state. Events come from the log, so they are trusted to be legal.
pub fn apply(state: Option<Team>, event: &TeamEvent) -> Option<Team> {
    match (state, event) {
        (None, TeamEvent::Created(created)) => Some(Team {
            id: created.team_id,
            name: created.name.clone(),
            members: BTreeMap::new(),
            removed: BTreeMap::new(),
            invitations: BTreeMap::new(),
            version: Version::NONE.next(),
        }),
        (Some(mut team), event) => {
            team.version = team.version.next();
            match event {
                TeamEvent::Created(_) => {}
                TeamEvent::InvitationCreated(created) => {
                    let by_owner =
                        created.created_by.is_some() && created.created_by == team.owner();
                    team.invitations.insert(
                        created.invitation_id,
                        Invitation {
                            single_use: created.single_use,
                            expires_at: created.expires_at,
                            state: InvitationState::Open,
                            created_by: created.created_by,
                            created_at: team.version,
                            by_owner,
                        },
                    );
                }
                TeamEvent::InvitationRevoked { invitation_id } => {
                    if let Some(invitation) = team.invitations.get_mut(invitation_id) {
                        invitation.state = InvitationState::Revoked;
                    }
                }
                TeamEvent::MemberJoined(joined) => {
                    team.members.entry(joined.user_id).or_insert(team.version);
                    team.removed.remove(&joined.user_id);
                    let invitation = joined
                        .invitation_id
                        .and_then(|id| team.invitations.get_mut(&id));
                    if let Some(invitation) = invitation
                        && invitation.single_use
                    {
                        invitation.state = InvitationState::Used;
                    }
                }
                TeamEvent::MemberLeft { user_id } => {
                    team.members.remove(user_id);
                }
                TeamEvent::MemberRemoved(MemberRemoved { user_id, .. }) => {
                    team.members.remove(user_id);
                    team.removed.insert(*user_id, team.version);
                }
            }
            Some(team)
        }
        (None, _) => None,
    }
}

/// Replays a stream from its first event.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a TeamEvent>) -> Option<Team> {
    events.into_iter().fold(None, apply)
}
