//! `TidingsBackend`: the server's implementation of the `Backend` trait that `app`'s server
//! functions call. Every method checks who asks against the membership read model; a todo or
//! team the asker may not see is "not found", exactly like one that does not exist.

use crate::{
    accounts::{AccountError, AccountRecord, Accounts},
    commands::CommandHandler,
    failure::failed,
    invite_tokens,
    live::SignedIn,
    membership::Member,
    metrics::Metrics,
    projection::{
        InvitationRecord, InvitationState, ReadModels, TeamOf, TeamRecord, TimelineRow, TodoRow,
    },
    rate_limits::RateLimits,
    sessions,
};
use app::{
    api::{
        Account, AppError, CommandReceipt, InvitationStatus, InvitationView, InvitePreview,
        MemberView, NewInvitation, TeamBoard, TeamMembers, TeamReceipt, TeamSummary, TimelineEntry,
        TodoDetail, TodoSummary, TodoView,
        backend::{Backend, CommandRequest, NewAccount, TeamRequest},
    },
    domain::{
        CommandId, Email, InvitationId, Password, Position, TeamId, TodoId, UserId,
        team::{InviteToken, TeamCommand, TeamError},
        todo::TodoCommand,
    },
};
use async_trait::async_trait;
use axum::extract::ConnectInfo;
use chrono::{Duration, Utc};
use http::request::Parts;
use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
    time::Instant,
};

/// How long an invite link stays valid.
const INVITATION_DAYS: i64 = 7;
/// What a timeline shows for an actor whose account is gone.
const UNKNOWN_PERSON: &str = "Someone";

pub struct TidingsBackend {
    read_models: Arc<dyn ReadModels>,
    commands: CommandHandler,
    accounts: Accounts,
    limits: RateLimits,
    metrics: Arc<Metrics>,
    /// The live connections of each session, ended at log-out.
    signed_in: Arc<SignedIn>,
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
        }
    }

    /// Runs a command and records how long it took, refused or not.
    async fn timed<T>(
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
    async fn member(&self, user: UserId, of: TeamOf, what: &str) -> Result<Member, AppError> {
        Member::check(self.read_models.as_ref(), user, of)
            .await
            .map_err(failed)?
            .ok_or_else(|| AppError::not_found(what))
    }

    /// The team, if `viewer` belongs to it; "not found" otherwise.
    async fn team_for(
        &self,
        viewer: UserId,
        team: TeamId,
        what: &str,
    ) -> Result<TeamSummary, AppError> {
        let member = self.member(viewer, TeamOf::Team(team), what).await?;
        Ok(summary(member.team().clone()))
    }

    async fn names(
        &self,
        users: impl IntoIterator<Item = UserId>,
    ) -> Result<HashMap<UserId, String>, AppError> {
        self.accounts.names(users).await.map_err(failed)
    }

    async fn sign_in(&self, request: &Parts, account: AccountRecord) -> Result<Account, AppError> {
        sessions::sign_in(&sessions::session_of(request)?, account.id).await?;
        self.account_view(account).await
    }

    async fn account_view(&self, account: AccountRecord) -> Result<Account, AppError> {
        Ok(Account {
            teams: self.teams_of(account.id).await?,
            id: account.id,
            email: account.email,
            display_name: account.display_name,
        })
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
        let Some(user) = sessions::user_of(&sessions::session_of(request)?).await? else {
            return Ok(None);
        };
        match self.accounts.find(user).await.map_err(failed)? {
            Some(account) => Ok(Some(self.account_view(account).await?)),
            None => Ok(None),
        }
    }

    async fn sign_up(&self, request: &Parts, form: NewAccount) -> Result<Account, AppError> {
        self.limits.check_address(client_address(request))?;
        let account = self
            .accounts
            .sign_up(&form.email, &form.display_name, &form.password)
            .await
            .map_err(|error| match error {
                AccountError::EmailTaken => AppError::Taken {
                    field: "email".into(),
                    message: "An account with this email already exists. Log in instead.".into(),
                },
                other => failed(other),
            })?;
        tracing::info!(user = %account.id, "account created");
        self.sign_in(request, account).await
    }

    async fn log_in(
        &self,
        request: &Parts,
        email: Email,
        password: Password,
    ) -> Result<Account, AppError> {
        let address = client_address(request);
        self.limits.check_address(address)?;
        let admission = self.limits.admit_log_in(&email, address)?;
        let account = self
            .accounts
            .authenticate(&email, &password)
            .await
            .map_err(|error| match error {
                AccountError::BadCredentials => AppError::BadCredentials,
                other => failed(other),
            })?;
        self.limits.logged_in(&email, address, admission);
        self.sign_in(request, account).await
    }

    /// Ends the session, and the live connections opened with it.
    async fn log_out(&self, request: &Parts) -> Result<(), AppError> {
        let session = sessions::session_of(request)?;
        let id = session.id();
        sessions::sign_out(&session).await?;
        if let Some(id) = id {
            self.signed_in.sign_out(id);
        }
        Ok(())
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

    async fn teams_of(&self, viewer: UserId) -> Result<Vec<TeamSummary>, AppError> {
        let teams = self.read_models.teams_of(viewer).await.map_err(failed)?;
        Ok(teams.into_iter().map(summary).collect())
    }

    async fn team_members(&self, viewer: UserId, team: TeamId) -> Result<TeamMembers, AppError> {
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
        })
    }

    async fn team_board(&self, viewer: UserId, team: TeamId) -> Result<TeamBoard, AppError> {
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

    async fn todo_detail(
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
}

/// The queries' reading, once membership is known to allow it.
impl TidingsBackend {
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

/// The commands themselves, each checked for membership first.
impl TidingsBackend {
    async fn execute_todo(&self, request: CommandRequest) -> Result<CommandReceipt, AppError> {
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

    async fn execute_team_command(&self, request: TeamRequest) -> Result<TeamReceipt, AppError> {
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

    async fn make_invitation(
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

    async fn join_team(
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
}

impl TidingsBackend {
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

fn summary(team: TeamRecord) -> TeamSummary {
    TeamSummary {
        id: team.id,
        name: team.name,
    }
}

fn status(invitation: &InvitationRecord, now: chrono::DateTime<Utc>) -> InvitationStatus {
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

/// The client's address, for the per-address log-in limit: the TCP peer. Behind a reverse
/// proxy every client shares the proxy's address; see the README.
fn client_address(request: &Parts) -> IpAddr {
    request
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}
