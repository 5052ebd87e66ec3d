//! `TidingsBackend`: the server's implementation of the `Backend` trait that `app`'s server
//! functions call. It checks who may see what, runs commands and turns read models into views.

use crate::{
    commands::CommandHandler,
    identity::DevIdentity,
    projection::{
        ProjectionError,
        queries::{self, TimelineRecord, TodoRecord},
    },
};
use app::{
    api::{
        AppError, CommandReceipt, TeamBoard, TeamSummary, TimelineEntry, TodoDetail, TodoSummary,
        TodoView,
        backend::{Backend, CommandRequest},
    },
    domain::{TeamId, TodoId, UserId, todo::TodoCommand},
};
use async_trait::async_trait;
use sqlx::SqlitePool;

pub struct TidingsBackend {
    pool: SqlitePool,
    commands: CommandHandler,
    identity: DevIdentity,
}

impl TidingsBackend {
    pub fn new(pool: SqlitePool, commands: CommandHandler, identity: DevIdentity) -> Self {
        Self {
            pool,
            commands,
            identity,
        }
    }

    fn team(&self, viewer: UserId, team: TeamId) -> Result<TeamSummary, AppError> {
        if viewer == self.identity.user && team == self.identity.team {
            Ok(TeamSummary {
                id: team,
                name: self.identity.team_name.clone(),
            })
        } else {
            Err(AppError::not_found("The team"))
        }
    }

    fn name_of(&self, user: UserId) -> String {
        if user == self.identity.user {
            self.identity.user_name.clone()
        } else {
            "A former member".into()
        }
    }

    fn todo_view(&self, viewer: UserId, team: TeamSummary, record: TodoRecord) -> TodoView {
        let todo = record.todo;
        TodoView {
            id: todo.id,
            team,
            title: todo.title.to_string(),
            description: todo.description.to_string(),
            notes: (todo.author == viewer).then(|| todo.notes.to_string()),
            status: todo.status,
            version: todo.version,
            author_name: self.name_of(todo.author),
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }

    fn timeline_entry(&self, record: TimelineRecord) -> TimelineEntry {
        TimelineEntry {
            position: record.position,
            version: record.version,
            event_type: record.event_type,
            actor_name: self.name_of(record.actor),
            recorded_at: record.recorded_at,
            summary: record.summary,
        }
    }
}

#[async_trait]
impl Backend for TidingsBackend {
    async fn current_user(&self, _request: &http::request::Parts) -> Result<UserId, AppError> {
        Ok(self.identity.user)
    }

    async fn execute(&self, request: CommandRequest) -> Result<CommandReceipt, AppError> {
        match &request.command {
            TodoCommand::Create(created) => {
                self.team(request.actor, created.team_id)?;
            }
            _ => {
                let team = queries::team_of_todo(&self.pool, request.todo_id)
                    .await
                    .map_err(internal)?
                    .ok_or_else(|| AppError::not_found("The todo"))?;
                self.team(request.actor, team)
                    .map_err(|_| AppError::not_found("The todo"))?;
            }
        }
        self.commands.handle(request).await
    }

    async fn teams_of(&self, viewer: UserId) -> Result<Vec<TeamSummary>, AppError> {
        Ok(self.team(viewer, self.identity.team).into_iter().collect())
    }

    async fn team_board(&self, viewer: UserId, team: TeamId) -> Result<TeamBoard, AppError> {
        let team = self.team(viewer, team)?;
        let (records, position) = queries::team_todos(&self.pool, team.id)
            .await
            .map_err(internal)?;
        let todos = records
            .into_iter()
            .map(|record| TodoSummary {
                id: record.todo.id,
                title: record.todo.title.to_string(),
                status: record.todo.status,
                version: record.todo.version,
                updated_at: record.updated_at,
            })
            .collect();
        Ok(TeamBoard {
            team,
            todos,
            position,
        })
    }

    async fn todo_detail(&self, viewer: UserId, todo: TodoId) -> Result<TodoDetail, AppError> {
        let (record, timeline, position) = queries::todo_with_timeline(&self.pool, todo)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::not_found("The todo"))?;
        let team = self
            .team(viewer, record.todo.team_id)
            .map_err(|_| AppError::not_found("The todo"))?;
        Ok(TodoDetail {
            todo: self.todo_view(viewer, team, record),
            timeline: timeline
                .into_iter()
                .map(|entry| self.timeline_entry(entry))
                .collect(),
            position,
        })
    }
}

fn internal(error: ProjectionError) -> AppError {
    tracing::error!(%error, "read model query failed");
    AppError::Internal
}
