//! The seam between server functions (here, in `app`) and the server crate, which implements
//! [`Backend`] and provides it as Leptos context. `app` never sees SQL.

use super::{AppError, CommandReceipt, TeamBoard, TeamSummary, TodoDetail};
use crate::domain::{CommandId, TeamId, TodoId, UserId, Version, todo::TodoCommand};
use async_trait::async_trait;
use std::sync::Arc;

/// One command on one todo, on behalf of `actor`.
#[derive(Debug, Clone)]
pub struct CommandRequest {
    pub actor: UserId,
    pub command_id: CommandId,
    pub todo_id: TodoId,
    pub expected_version: Version,
    pub command: TodoCommand,
}

#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Who is asking.
    async fn current_user(&self, request: &http::request::Parts) -> Result<UserId, AppError>;

    /// Decides and appends a command; returns once its events are committed and projected.
    async fn execute(&self, request: CommandRequest) -> Result<CommandReceipt, AppError>;

    async fn teams_of(&self, viewer: UserId) -> Result<Vec<TeamSummary>, AppError>;

    async fn team_board(&self, viewer: UserId, team: TeamId) -> Result<TeamBoard, AppError>;

    async fn todo_detail(&self, viewer: UserId, todo: TodoId) -> Result<TodoDetail, AppError>;
}

/// The context value server functions look up.
#[derive(Clone)]
pub struct BackendHandle(pub Arc<dyn Backend>);
