//! What pages show: teams, a team's board and members, a todo with its timeline, assembled
//! from the read models (after the membership check) and the people's display names.

use super::TidingsBackend;
use crate::{
    failure::failed,
    projection::{InvitationRecord, InvitationState, TeamOf, TeamRecord, TimelineRow, TodoRow},
};
use app::{
    api::{
        AppError, InvitationStatus, InvitationView, MemberView, TeamBoard, TeamMembers,
        TeamSummary, TimelineEntry, TodoDetail, TodoSummary, TodoView,
    },
    domain::{Position, TeamId, TodoId, UserId},
};
use chrono::Utc;

/// What a timeline shows for an actor whose account is gone.
const UNKNOWN_PERSON: &str = "Someone";

impl TidingsBackend {
    pub(super) async fn teams_view(&self, viewer: UserId) -> Result<Vec<TeamSummary>, AppError> {
        let teams = self.read_models.teams_of(viewer).await.map_err(failed)?;
        Ok(teams.into_iter().map(summary).collect())
    }

    pub(super) async fn members_view(
        &self,
        viewer: UserId,
        team: TeamId,
    ) -> Result<TeamMembers, AppError> {
        let team = self.team_for(viewer, team, "The team").await?;
        let (members, invitations, position) = self
            .read_models
            .members_and_invitations(team.id)
            .await
            .map_err(failed)?;
        let names = self
            .names(
                members
                    .iter()
                    .map(|m| m.user)
                    .chain(invitations.iter().map(|i| i.created_by)),
            )
            .await?;
        let name = |user: &UserId| names.get(user).cloned().unwrap_or(UNKNOWN_PERSON.into());
        let now = Utc::now();
        Ok(TeamMembers {
            team,
            viewer,
            members: members
                .into_iter()
                .map(|member| MemberView {
                    id: member.user,
                    display_name: name(&member.user),
                    joined_at: member.joined_at,
                    owner: member.owner,
                })
                .collect(),
            invitations: invitations
                .into_iter()
                .map(|invitation| InvitationView {
                    id: invitation.id,
                    single_use: invitation.single_use,
                    status: status(&invitation, now),
                    created_by: name(&invitation.created_by),
                    created_at: invitation.created_at,
                    expires_at: invitation.expires_at,
                })
                .collect(),
            position,
            // The server function adds the session's held link, if any.
            held_invitation: None,
        })
    }

    pub(super) async fn board_view(
        &self,
        viewer: UserId,
        team: TeamId,
    ) -> Result<TeamBoard, AppError> {
        let team = self.team_for(viewer, team, "The team").await?;
        let (records, position) = self.read_models.team_todos(team.id).await.map_err(failed)?;
        let todos = records
            .into_iter()
            .map(|record| TodoSummary {
                id: record.todo.id,
                title: record.todo.title.to_string(),
                status: record.todo.status,
                // What broadcasts carry, so that a board patched from them stays the same.
                version: record.todo.shared_version,
                updated_at: record.updated_at,
            })
            .collect();
        Ok(TeamBoard {
            team,
            todos,
            position,
        })
    }

    pub(super) async fn detail_view(
        &self,
        viewer: UserId,
        todo: TodoId,
        after: Option<Position>,
    ) -> Result<TodoDetail, AppError> {
        // Membership first: whoever may not see the todo learns nothing from `after`.
        let detail = self.read_todo_detail(viewer, todo).await?;
        match after {
            Some(after) if detail.position < after => {
                self.commands.caught_up(after).await?;
                self.read_todo_detail(viewer, todo).await
            }
            _ => Ok(detail),
        }
    }

    async fn read_todo_detail(&self, viewer: UserId, todo: TodoId) -> Result<TodoDetail, AppError> {
        let member = self.member(viewer, TeamOf::Todo(todo), "The todo").await?;
        let (record, timeline, position) = self
            .read_models
            .todo_with_timeline(todo, viewer)
            .await
            .map_err(failed)?
            .ok_or_else(|| AppError::not_found("The todo"))?;
        let team = summary(member.team().clone());
        let names = self
            .names(
                timeline
                    .iter()
                    .map(|entry| entry.actor)
                    .chain([record.todo.author]),
            )
            .await?;
        let name = |user: &UserId| names.get(user).cloned().unwrap_or(UNKNOWN_PERSON.into());
        Ok(TodoDetail {
            todo: todo_view(viewer, team, record, &name),
            timeline: timeline
                .into_iter()
                .map(|entry| timeline_entry(entry, &name))
                .collect(),
            position,
        })
    }
}

pub(super) fn summary(team: TeamRecord) -> TeamSummary {
    TeamSummary {
        id: team.id,
        name: team.name,
    }
}

pub(super) fn status(
    invitation: &InvitationRecord,
    now: chrono::DateTime<Utc>,
) -> InvitationStatus {
    match invitation.state {
        InvitationState::Used => InvitationStatus::Used,
        InvitationState::Revoked => InvitationStatus::Revoked,
        InvitationState::Open if now >= invitation.expires_at => InvitationStatus::Expired,
        InvitationState::Open => InvitationStatus::Open,
    }
}

fn todo_view(
    viewer: UserId,
    team: TeamSummary,
    record: TodoRow,
    name: &impl Fn(&UserId) -> String,
) -> TodoView {
    let todo = record.todo;
    TodoView {
        id: todo.id,
        team,
        title: todo.title.to_string(),
        description: todo.description.to_string(),
        notes: (todo.author == viewer).then(|| todo.notes.to_string()),
        status: todo.status,
        version: todo.version_for(viewer),
        author_name: name(&todo.author),
        created_at: record.created_at,
        updated_at: record.updated_at,
    }
}

fn timeline_entry(record: TimelineRow, name: &impl Fn(&UserId) -> String) -> TimelineEntry {
    TimelineEntry {
        position: record.position,
        version: record.version,
        event_type: record.event_type,
        actor_name: name(&record.actor),
        recorded_at: record.recorded_at,
        summary: record.summary,
    }
}
