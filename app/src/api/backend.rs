//! The seam between server functions (here, in `app`) and the server crate, which implements
//! [`Backend`] and provides it as Leptos context. `app` never sees SQL, sessions or hashes.

use super::{
    Account, AppError, CommandReceipt, InvitePreview, NewInvitation, TeamBoard, TeamMembers,
    TeamReceipt, TeamSummary, TodoDetail,
};
use crate::domain::{
    CommandId, DisplayName, Email, Password, Position, TeamId, TodoId, UserId, Version,
    team::{InviteToken, TeamCommand},
    todo::TodoCommand,
};
use async_trait::async_trait;
use http::request::Parts;
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

/// One command on one team, on behalf of `actor`.
#[derive(Debug, Clone)]
pub struct TeamRequest {
    pub actor: UserId,
    pub command_id: CommandId,
    pub team_id: TeamId,
    pub command: TeamCommand,
}

/// What the sign-up form carries, parsed.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: Email,
    pub display_name: DisplayName,
    pub password: Password,
}

#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Who is asking: the session's user, or `Unauthenticated`.
    async fn current_user(&self, request: &Parts) -> Result<UserId, AppError>;

    /// The session's account, if someone is signed in.
    async fn current_account(&self, request: &Parts) -> Result<Option<Account>, AppError>;

    /// Makes an account and signs it in.
    async fn sign_up(&self, request: &Parts, form: NewAccount) -> Result<Account, AppError>;

    /// Checks the password and signs the account in, with a new session id.
    async fn log_in(
        &self,
        request: &Parts,
        email: Email,
        password: Password,
    ) -> Result<Account, AppError>;

    /// Ends the session.
    async fn log_out(&self, request: &Parts) -> Result<(), AppError>;

    /// Decides and appends a todo command; returns once its events are committed and projected.
    async fn execute(&self, request: CommandRequest) -> Result<CommandReceipt, AppError>;

    /// Decides and appends a team command (create, revoke, leave, remove).
    async fn execute_team(&self, request: TeamRequest) -> Result<TeamReceipt, AppError>;

    /// Makes an invite link for a team the actor belongs to.
    async fn invite(
        &self,
        actor: UserId,
        team: TeamId,
        single_use: bool,
        command_id: CommandId,
    ) -> Result<NewInvitation, AppError>;

    /// Keeps a link just made by a form posted without JavaScript for the session's next
    /// members page of `team`: the answer to such a post is a redirect, which cannot carry it.
    async fn hold_invitation(
        &self,
        request: &Parts,
        team: TeamId,
        made: NewInvitation,
    ) -> Result<(), AppError>;

    /// The link held for this session and `team`, once.
    async fn take_held_invitation(
        &self,
        request: &Parts,
        team: TeamId,
    ) -> Result<Option<NewInvitation>, AppError>;

    /// Where an invite link leads, for a signed-in person.
    async fn preview_invitation(
        &self,
        viewer: UserId,
        token: InviteToken,
    ) -> Result<InvitePreview, AppError>;

    /// Joins the team an invite link belongs to.
    async fn join(
        &self,
        actor: UserId,
        token: InviteToken,
        command_id: CommandId,
    ) -> Result<TeamReceipt, AppError>;

    async fn teams_of(&self, viewer: UserId) -> Result<Vec<TeamSummary>, AppError>;

    async fn team_members(&self, viewer: UserId, team: TeamId) -> Result<TeamMembers, AppError>;

    async fn team_board(&self, viewer: UserId, team: TeamId) -> Result<TeamBoard, AppError>;

    /// A todo with its timeline; with `after`, once the read models have caught up with
    /// that position (a page reloading on a broadcast must not read what came before it).
    async fn todo_detail(
        &self,
        viewer: UserId,
        todo: TodoId,
        after: Option<Position>,
    ) -> Result<TodoDetail, AppError>;
}

/// The context value server functions look up.
#[derive(Clone)]
pub struct BackendHandle(pub Arc<dyn Backend>);
