//! Invite links: made by a member (the token shown once, only its hash kept), previewed by
//! whoever holds one, and used to join.

use super::{TidingsBackend, views::status};
use crate::{
    failure::failed,
    invite_tokens,
    membership::Member,
    projection::{InvitationRecord, TeamOf},
};
use app::{
    api::{AppError, InvitationStatus, InvitePreview, NewInvitation, TeamReceipt, TeamSummary},
    domain::{
        CommandId, InvitationId, TeamId, UserId,
        team::{InviteToken, TeamCommand, TeamError},
    },
};
use chrono::{Duration, Utc};

/// How long an invite link stays valid.
const INVITATION_DAYS: i64 = 7;

impl TidingsBackend {
    pub(super) async fn preview(
        &self,
        viewer: UserId,
        token: InviteToken,
    ) -> Result<InvitePreview, AppError> {
        let (invitation, team_name) = self.invitation(&token).await?;
        let already_member = Member::check(
            self.read_models.as_ref(),
            viewer,
            TeamOf::Team(invitation.team),
        )
        .await
        .map_err(failed)?
        .is_some();
        if !already_member {
            usable(&invitation)?;
        }
        Ok(InvitePreview {
            team: TeamSummary {
                id: invitation.team,
                name: team_name,
            },
            already_member,
            expires_at: invitation.expires_at,
        })
    }

    pub(super) async fn make_invitation(
        &self,
        actor: UserId,
        team: TeamId,
        single_use: bool,
        command_id: CommandId,
    ) -> Result<NewInvitation, AppError> {
        self.limits.check_command(actor)?;
        self.team_for(actor, team, "The team").await?;
        let token = invite_tokens::generate().map_err(failed)?;
        let invitation_id = InvitationId::new();
        let expires_at = Utc::now() + Duration::days(INVITATION_DAYS);
        let command = TeamCommand::Invite {
            invitation_id,
            token_hash: invite_tokens::hash(&token),
            single_use,
            expires_at,
            by: actor,
        };
        let receipt = self
            .commands
            .handle_team(team, command_id, actor, command)
            .await?;
        if receipt.duplicate {
            // The first attempt's link was shown once and is not kept; this one was not made.
            return Err(AppError::Refused {
                message: "This invite link was already made. Make a new one.".into(),
            });
        }
        Ok(NewInvitation {
            id: invitation_id,
            path: format!("/join/{}", token.as_str()),
            single_use,
            expires_at,
        })
    }

    pub(super) async fn join_team(
        &self,
        actor: UserId,
        token: InviteToken,
        command_id: CommandId,
    ) -> Result<TeamReceipt, AppError> {
        self.limits.check_command(actor)?;
        let (invitation, _) = self.invitation(&token).await?;
        let command = TeamCommand::Join {
            user: actor,
            invitation_id: invitation.id,
            now: Utc::now(),
        };
        self.commands
            .handle_team(invitation.team, command_id, actor, command)
            .await
    }

    /// The invite link with this token, with its team's name.
    async fn invitation(
        &self,
        token: &InviteToken,
    ) -> Result<(InvitationRecord, String), AppError> {
        self.read_models
            .invitation_by_hash(&invite_tokens::hash(token))
            .await
            .map_err(failed)?
            .ok_or_else(|| AppError::not_found("The invite link"))
    }
}

/// Refuses an invite link that is used, revoked or expired, with the reason.
fn usable(invitation: &InvitationRecord) -> Result<(), AppError> {
    let refusal = match status(invitation, Utc::now()) {
        InvitationStatus::Open => return Ok(()),
        InvitationStatus::Used => TeamError::InvitationUsed,
        InvitationStatus::Revoked => TeamError::InvitationRevoked,
        InvitationStatus::Expired => TeamError::InvitationExpired,
    };
    Err(refusal.into())
}
