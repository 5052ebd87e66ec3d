//! SQLite rows of the read models decoded into typed values; a value that does not parse is
//! a corrupt row, named.

use crate::projection::{
    InvitationRecord, InvitationState, ProjectionError, TeamRecord, TimelineRow, TodoRow,
};
use app::domain::{
    Description, InternalNotes, InvitationId, Position, TeamId, TodoId, TodoTitle, UserId, Version,
    todo::{Todo, TodoStatus},
};
use sqlx::{Row, sqlite::SqliteRow};

/// The columns [`todo`] reads.
pub(super) const TODO_COLUMNS: &str = "todo_id, team_id, author, title, description, notes,
    status, version, shared_version, created_at, updated_at, last_position";

/// The columns [`invitation`] reads, of a table aliased `i`.
pub(super) const INVITATION_COLUMNS: &str = "i.invitation_id, i.team_id, i.single_use,
    i.state, i.created_by, i.created_at, i.expires_at";

pub(super) fn todo(row: &SqliteRow) -> Result<TodoRow, ProjectionError> {
    let todo = Todo {
        id: parse(row, "todo_id", TodoId::parse)?,
        team_id: parse(row, "team_id", TeamId::parse)?,
        author: parse(row, "author", UserId::parse)?,
        title: parse(row, "title", TodoTitle::parse)?,
        description: parse(row, "description", Description::parse)?,
        notes: parse(row, "notes", InternalNotes::parse)?,
        status: parse(row, "status", |text| TodoStatus::parse(text).ok_or(()))?,
        version: Version::new(row.try_get::<i64, _>("version")? as u64),
        shared_version: Version::new(row.try_get::<i64, _>("shared_version")? as u64),
    };
    Ok(TodoRow {
        todo,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        last_position: Position::new(row.try_get::<i64, _>("last_position")? as u64),
    })
}

pub(super) fn timeline(row: &SqliteRow) -> Result<TimelineRow, ProjectionError> {
    let visible_to: Option<String> = row.try_get("visible_to")?;
    Ok(TimelineRow {
        position: Position::new(row.try_get::<i64, _>("position")? as u64),
        todo: parse(row, "todo_id", TodoId::parse)?,
        version: Version::new(row.try_get::<i64, _>("version")? as u64),
        event_type: row.try_get("event_type")?,
        actor: parse(row, "actor", UserId::parse)?,
        recorded_at: row.try_get("recorded_at")?,
        summary: row.try_get("summary")?,
        visible_to: visible_to
            .map(|user| UserId::parse(&user))
            .transpose()
            .map_err(|_| ProjectionError::Corrupt("bad visible_to".into()))?,
    })
}

pub(super) fn team(row: &SqliteRow) -> Result<TeamRecord, ProjectionError> {
    Ok(TeamRecord {
        id: parse(row, "team_id", TeamId::parse)?,
        name: row.try_get("name")?,
    })
}

pub(super) fn invitation(row: &SqliteRow) -> Result<InvitationRecord, ProjectionError> {
    Ok(InvitationRecord {
        id: parse(row, "invitation_id", InvitationId::parse)?,
        team: parse(row, "team_id", TeamId::parse)?,
        single_use: row.try_get("single_use")?,
        state: parse(row, "state", |text| InvitationState::parse(text).ok_or(()))?,
        created_by: parse(row, "created_by", UserId::parse)?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

pub(super) fn parse<T, E>(
    row: &SqliteRow,
    column: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<T, ProjectionError> {
    let text: String = row.try_get(column)?;
    parse(&text).map_err(|_| ProjectionError::Corrupt(format!("bad {column} {text:?}")))
}
