//! Server functions for teams: create one, see its members and invite links, invite, revoke,
//! join, leave, and remove a member.

use super::{AppError, InvitePreview, NewInvitation, TeamMembers, TeamReceipt};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{
        backend::TeamRequest,
        context::{request_parts, signed_in},
        error::parse_id,
    },
    crate::domain::{
        CommandId, InvitationId, TeamId, TeamName, UserId,
        team::{InviteToken, TeamCommand},
    },
};

/// Makes a team with the asker as its first member.
#[server(endpoint = "create_team")]
pub async fn create_team(name: String, command_id: String) -> Result<TeamReceipt, AppError> {
    let (backend, actor) = signed_in().await?;
    let team_id = TeamId::new();
    let request = TeamRequest {
        actor,
        command_id: parse_id("command_id", &command_id, CommandId::parse)?,
        team_id,
        command: TeamCommand::Create {
            team_id,
            name: TeamName::parse(&name)?,
            creator: actor,
        },
    };
    backend.0.execute_team(request).await
}

/// A team's members and invite links, and the link this session just made without
/// JavaScript, if any (once).
#[server(endpoint = "team_members")]
pub async fn fetch_team_members(team_id: String) -> Result<TeamMembers, AppError> {
    let (backend, viewer) = signed_in().await?;
    let team = parse_id("team_id", &team_id, TeamId::parse)?;
    let mut members = backend.0.team_members(viewer, team).await?;
    members.held_invitation = backend
        .0
        .take_held_invitation(&request_parts()?, team)
        .await?;
    Ok(members)
}

/// Makes an invite link: `kind` is `single` (one person, within 7 days) or `reusable`
/// (anyone, within 7 days).
#[server(endpoint = "create_invitation")]
pub async fn create_invitation(
    team_id: String,
    kind: String,
    command_id: String,
) -> Result<NewInvitation, AppError> {
    let (backend, actor) = signed_in().await?;
    let single_use = match kind.as_str() {
        "single" => true,
        "reusable" => false,
        _ => {
            return Err(AppError::invalid(
                "kind",
                "An invite link is either “single” (one person) or “reusable”.",
            ));
        }
    };
    let team = parse_id("team_id", &team_id, TeamId::parse)?;
    let command_id = parse_id("command_id", &command_id, CommandId::parse)?;
    let made = backend
        .0
        .invite(actor, team, single_use, command_id)
        .await?;
    let request = request_parts()?;
    if answered_with_a_redirect(&request) {
        backend
            .0
            .hold_invitation(&request, team, made.clone())
            .await?;
    }
    Ok(made)
}

/// Whether Leptos answers this server-function call with a redirect back to its page rather
/// than with the value: it does for a form posted without JavaScript, which asks for HTML.
#[cfg(feature = "ssr")]
fn answered_with_a_redirect(request: &http::request::Parts) -> bool {
    request
        .headers
        .get(http::header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Revokes an open invite link.
#[server(endpoint = "revoke_invitation")]
pub async fn revoke_invitation(
    team_id: String,
    invitation_id: String,
    command_id: String,
) -> Result<TeamReceipt, AppError> {
    team_command(&team_id, &command_id, |by| {
        Ok(TeamCommand::Revoke {
            invitation_id: parse_id("invitation_id", &invitation_id, InvitationId::parse)?,
            by,
        })
    })
    .await
}

/// Leaves a team.
#[server(endpoint = "leave_team")]
pub async fn leave_team(team_id: String, command_id: String) -> Result<TeamReceipt, AppError> {
    team_command(&team_id, &command_id, |user| {
        Ok(TeamCommand::Leave { user })
    })
    .await
}

/// The team's owner (its longest-standing member) takes another member out of the team.
#[server(endpoint = "remove_member")]
pub async fn remove_member(
    team_id: String,
    user_id: String,
    command_id: String,
) -> Result<TeamReceipt, AppError> {
    team_command(&team_id, &command_id, |by| {
        Ok(TeamCommand::Remove {
            user: parse_id("user_id", &user_id, UserId::parse)?,
            by,
        })
    })
    .await
}

/// Where an invite link leads.
#[server(endpoint = "preview_invitation")]
pub async fn preview_invitation(token: String) -> Result<InvitePreview, AppError> {
    let (backend, viewer) = signed_in().await?;
    let token = InviteToken::parse(&token).map_err(|error| AppError::invalid("token", error))?;
    backend.0.preview_invitation(viewer, token).await
}

/// Joins a team through an invite link.
#[server(endpoint = "join_team")]
pub async fn join_team(token: String, command_id: String) -> Result<TeamReceipt, AppError> {
    let (backend, actor) = signed_in().await?;
    let token = InviteToken::parse(&token).map_err(|error| AppError::invalid("token", error))?;
    let command_id = parse_id("command_id", &command_id, CommandId::parse)?;
    backend.0.join(actor, token, command_id).await
}

/// Runs a command the signed-in user sends to an existing team. The ids are parsed in the
/// order the forms list them: the command's, the team's, then what `command` parses.
#[cfg(feature = "ssr")]
async fn team_command(
    team_id: &str,
    command_id: &str,
    command: impl FnOnce(UserId) -> Result<TeamCommand, AppError>,
) -> Result<TeamReceipt, AppError> {
    let (backend, actor) = signed_in().await?;
    let request = TeamRequest {
        actor,
        command_id: parse_id("command_id", command_id, CommandId::parse)?,
        team_id: parse_id("team_id", team_id, TeamId::parse)?,
        command: command(actor)?,
    };
    backend.0.execute_team(request).await
}
