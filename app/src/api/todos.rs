//! The server functions: every todo command and query. Arguments arrive as text from forms
//! and are parsed into typed values here, so a bad one is refused before anything runs.

use super::{AppError, CommandReceipt, SentText, TeamBoard, TeamSummary, TodoDetail};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{
        backend::{BackendHandle, CommandRequest},
        context::signed_in,
        error::parse_id,
    },
    crate::domain::{
        CommandId, Description, InternalNotes, Position, TeamId, TodoId, TodoTitle, UserId,
        Version,
        todo::{TodoAction, TodoCommand, TodoCreated},
    },
};

/// Creates a draft in a team.
#[server(endpoint = "create_todo")]
pub async fn create_todo(
    team_id: String,
    title: String,
    description: String,
    command_id: String,
) -> Result<CommandReceipt, AppError> {
    let (backend, actor) = signed_in().await?;
    let todo_id = TodoId::new();
    let command = TodoCommand::Create(TodoCreated {
        todo_id,
        team_id: parse_id("team_id", &team_id, TeamId::parse)?,
        author: actor,
        title: TodoTitle::parse(&title)?,
        description: Description::parse(&description)?,
        notes: InternalNotes::default(),
    });
    let request = CommandRequest {
        actor,
        command_id: parse_id("command_id", &command_id, CommandId::parse)?,
        todo_id,
        expected_version: Version::NONE,
        command,
    };
    backend.0.execute(request).await
}

/// Replaces a todo's title and description, and its internal notes when `notes` is sent
/// (only the author's form has that field; sent empty, it clears them).
#[server(endpoint = "update_todo")]
pub async fn update_todo(
    todo_id: String,
    expected_version: u64,
    title: String,
    description: String,
    #[server(default)] notes: SentText,
    command_id: String,
) -> Result<CommandReceipt, AppError> {
    let (backend, actor) = signed_in().await?;
    let command = TodoCommand::Update {
        by: actor,
        title: TodoTitle::parse(&title)?,
        description: Description::parse(&description)?,
        notes: notes.as_deref().map(InternalNotes::parse).transpose()?,
    };
    run(
        backend,
        actor,
        &todo_id,
        expected_version,
        &command_id,
        command,
    )
    .await
}

/// Moves a todo along its lifecycle: `action` is activate, complete, reopen or archive.
#[server(endpoint = "transition_todo")]
pub async fn transition_todo(
    todo_id: String,
    expected_version: u64,
    action: String,
    command_id: String,
) -> Result<CommandReceipt, AppError> {
    let command = match TodoAction::parse(&action) {
        Some(TodoAction::Activate) => TodoCommand::Activate,
        Some(TodoAction::Complete) => TodoCommand::Complete,
        Some(TodoAction::Reopen) => TodoCommand::Reopen,
        Some(TodoAction::Archive) => TodoCommand::Archive,
        Some(TodoAction::Update) | None => {
            let shown: String = action.chars().take(40).collect();
            return Err(AppError::invalid(
                "action",
                format!(
                    "“{shown}” is not a status change; use activate, complete, reopen or archive."
                ),
            ));
        }
    };
    let (backend, actor) = signed_in().await?;
    run(
        backend,
        actor,
        &todo_id,
        expected_version,
        &command_id,
        command,
    )
    .await
}

#[cfg(feature = "ssr")]
async fn run(
    backend: BackendHandle,
    actor: UserId,
    todo_id: &str,
    expected_version: u64,
    command_id: &str,
    command: TodoCommand,
) -> Result<CommandReceipt, AppError> {
    let request = CommandRequest {
        actor,
        command_id: parse_id("command_id", command_id, CommandId::parse)?,
        todo_id: parse_id("todo_id", todo_id, TodoId::parse)?,
        expected_version: Version::new(expected_version),
        command,
    };
    backend.0.execute(request).await
}

/// The teams the viewer belongs to.
#[server(endpoint = "my_teams")]
pub async fn my_teams() -> Result<Vec<TeamSummary>, AppError> {
    let (backend, viewer) = signed_in().await?;
    backend.0.teams_of(viewer).await
}

/// A team's todos, with the log position they reflect.
#[server(endpoint = "team_board")]
pub async fn fetch_team_board(team_id: String) -> Result<TeamBoard, AppError> {
    let (backend, viewer) = signed_in().await?;
    let team = parse_id("team_id", &team_id, TeamId::parse)?;
    backend.0.team_board(viewer, team).await
}

/// A todo with its activity timeline, with the log position they reflect: at least `after`,
/// when given (the position of a broadcast that the page reloads for).
#[server(endpoint = "todo_detail")]
pub async fn fetch_todo_detail(
    todo_id: String,
    after: Option<u64>,
) -> Result<TodoDetail, AppError> {
    let (backend, viewer) = signed_in().await?;
    let todo = parse_id("todo_id", &todo_id, TodoId::parse)?;
    backend
        .0
        .todo_detail(viewer, todo, after.map(Position::new))
        .await
}
