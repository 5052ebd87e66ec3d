//! `TidingsBackend`: the server's implementation of the `Backend` trait that `app`'s server
//! functions call, one use case per module. Every path that needs membership gets it from
//! [`Member::check`]; a todo or team the asker may not see is "not found", exactly like one
//! that does not exist.
//!
//! - `accounts`: sign-up, log-in, log-out and the signed-in account.
//! - `commands`: todo and team commands, each checked for membership first.
//! - `invitations`: making, previewing and using invite links.
//! - `held_invitations`: a link made without JavaScript, held for the page the browser
//!   comes back to.
//! - `views`: what pages show, assembled from the read models and display names.

mod accounts;
mod commands;
mod held_invitations;
mod invitations;
mod views;

use crate::{
    accounts::Accounts,
    commands::CommandHandler,
    failure::failed,
    live::SignedIn,
    membership::Member,
    metrics::Metrics,
    projection::{ReadModels, TeamOf},
    rate_limits::RateLimits,
    sessions,
};
use app::{
    api::{
        Account, AppError, CommandReceipt, InvitePreview, NewInvitation, TeamBoard, TeamMembers,
        TeamReceipt, TeamSummary, TodoDetail,
        backend::{Backend, CommandRequest, NewAccount, TeamRequest},
    },
    domain::{CommandId, Email, Password, Position, TeamId, TodoId, UserId, team::InviteToken},
};
use async_trait::async_trait;
use held_invitations::HeldInvitations;
use http::request::Parts;
use std::{collections::HashMap, sync::Arc, time::Instant};

pub struct TidingsBackend {
    read_models: Arc<dyn ReadModels>,
    commands: CommandHandler,
    accounts: Accounts,
    limits: RateLimits,
    metrics: Arc<Metrics>,
    /// The live connections of each session, ended at log-out.
    signed_in: Arc<SignedIn>,
    held: HeldInvitations,
}

impl TidingsBackend {
    pub fn new(
        read_models: Arc<dyn ReadModels>,
        accounts: Accounts,
        commands: CommandHandler,
        limits: RateLimits,
        metrics: Arc<Metrics>,
        signed_in: Arc<SignedIn>,
    ) -> Self {
        Self {
            read_models,
            accounts,
            commands,
            limits,
            metrics,
            signed_in,
            held: HeldInvitations::default(),
        }
    }

    /// Runs a command and records how long it took, refused or not.
    pub(super) async fn timed<T>(
        &self,
        command: impl Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let started = Instant::now();
        let answer = command.await;
        self.metrics.command_took(started.elapsed());
        answer
    }

    /// The proof that `user` belongs to the team (of the todo) `of` names; "not found"
    /// (`what`) otherwise, whether it does not exist or is someone else's.
    pub(super) async fn member(
        &self,
        user: UserId,
        of: TeamOf,
        what: &str,
    ) -> Result<Member, AppError> {
        Member::check(self.read_models.as_ref(), user, of)
            .await
            .map_err(failed)?
            .ok_or_else(|| AppError::not_found(what))
    }

    /// The team, if `viewer` belongs to it; "not found" otherwise.
    pub(super) async fn team_for(
        &self,
        viewer: UserId,
        team: TeamId,
        what: &str,
    ) -> Result<TeamSummary, AppError> {
        let member = self.member(viewer, TeamOf::Team(team), what).await?;
        Ok(views::summary(member.team().clone()))
    }

    pub(super) async fn names(
        &self,
        users: impl IntoIterator<Item = UserId>,
    ) -> Result<HashMap<UserId, String>, AppError> {
        self.accounts.names(users).await.map_err(failed)
    }
}

#[async_trait]
impl Backend for TidingsBackend {
    async fn current_user(&self, request: &Parts) -> Result<UserId, AppError> {
        sessions::user_of(&sessions::session_of(request)?)
            .await?
            .ok_or(AppError::Unauthenticated)
    }

    async fn current_account(&self, request: &Parts) -> Result<Option<Account>, AppError> {
        self.signed_in_account(request).await
    }

    async fn sign_up(&self, request: &Parts, form: NewAccount) -> Result<Account, AppError> {
        self.create_account(request, form).await
    }

    async fn log_in(
        &self,
        request: &Parts,
        email: Email,
        password: Password,
    ) -> Result<Account, AppError> {
        self.authenticate(request, email, password).await
    }

    /// Ends the session, and the live connections opened with it.
    async fn log_out(&self, request: &Parts) -> Result<(), AppError> {
        self.end_session(request).await
    }

    async fn execute(&self, request: CommandRequest) -> Result<CommandReceipt, AppError> {
        self.timed(self.execute_todo(request)).await
    }

    async fn execute_team(&self, request: TeamRequest) -> Result<TeamReceipt, AppError> {
        self.timed(self.execute_team_command(request)).await
    }

    async fn invite(
        &self,
        actor: UserId,
        team: TeamId,
        single_use: bool,
        command_id: CommandId,
    ) -> Result<NewInvitation, AppError> {
        self.timed(self.make_invitation(actor, team, single_use, command_id))
            .await
    }

    async fn join(
        &self,
        actor: UserId,
        token: InviteToken,
        command_id: CommandId,
    ) -> Result<TeamReceipt, AppError> {
        self.timed(self.join_team(actor, token, command_id)).await
    }

    async fn preview_invitation(
        &self,
        viewer: UserId,
        token: InviteToken,
    ) -> Result<InvitePreview, AppError> {
        self.preview(viewer, token).await
    }

    async fn teams_of(&self, viewer: UserId) -> Result<Vec<TeamSummary>, AppError> {
        self.teams_view(viewer).await
    }

    async fn team_members(&self, viewer: UserId, team: TeamId) -> Result<TeamMembers, AppError> {
        self.members_view(viewer, team).await
    }

    async fn hold_invitation(
        &self,
        request: &Parts,
        team: TeamId,
        made: NewInvitation,
    ) -> Result<(), AppError> {
        let session = sessions::key_of(&sessions::session_of(request)?)?;
        self.held.hold(session, team, made, Instant::now());
        Ok(())
    }

    async fn take_held_invitation(
        &self,
        request: &Parts,
        team: TeamId,
    ) -> Result<Option<NewInvitation>, AppError> {
        let session = sessions::key_of(&sessions::session_of(request)?)?;
        Ok(self.held.take(&session, team, Instant::now()))
    }

    async fn team_board(&self, viewer: UserId, team: TeamId) -> Result<TeamBoard, AppError> {
        self.board_view(viewer, team).await
    }

    async fn todo_detail(
        &self,
        viewer: UserId,
        todo: TodoId,
        after: Option<Position>,
    ) -> Result<TodoDetail, AppError> {
        self.detail_view(viewer, todo, after).await
    }
}
