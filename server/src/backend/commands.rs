//! Commands on todos and teams: each counts against the asker's rate limit and is checked
//! for membership before it is handled.

use super::TidingsBackend;
use crate::projection::TeamOf;
use app::{
    api::{
        AppError, CommandReceipt, TeamReceipt,
        backend::{CommandRequest, TeamRequest},
    },
    domain::{team::TeamCommand, todo::TodoCommand},
};

impl TidingsBackend {
    pub(super) async fn execute_todo(
        &self,
        request: CommandRequest,
    ) -> Result<CommandReceipt, AppError> {
        self.limits.check_command(request.actor)?;
        match &request.command {
            TodoCommand::Create(created) => {
                self.team_for(request.actor, created.team_id, "The team")
                    .await?;
            }
            _ => {
                self.member(request.actor, TeamOf::Todo(request.todo_id), "The todo")
                    .await?;
            }
        }
        self.commands.handle(request).await
    }

    pub(super) async fn execute_team_command(
        &self,
        request: TeamRequest,
    ) -> Result<TeamReceipt, AppError> {
        self.limits.check_command(request.actor)?;
        if !matches!(request.command, TeamCommand::Create { .. }) {
            self.team_for(request.actor, request.team_id, "The team")
                .await?;
        }
        self.commands
            .handle_team(
                request.team_id,
                request.command_id,
                request.actor,
                request.command,
            )
            .await
    }
}
