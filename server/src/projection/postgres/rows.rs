//! PostgreSQL rows of the read models decoded into typed values; a value that does not parse
//! is a corrupt row, named.

use crate::projection::{
    InvitationRecord, InvitationState, ProjectionError, TeamRecord, TimelineRow, TodoRow,
};
use app::domain::{
    Description, IdError, InternalNotes, Position, TodoTitle, Version,
    todo::{Todo, TodoStatus},
};
use sqlx::{Row, postgres::PgRow};
use uuid::Uuid;

/// The columns [`todo`] reads.
pub(super) const TODO_COLUMNS: &str = "todo_id, team_id, author, title, description, notes,
    status, version, shared_version, created_at, updated_at, last_position";

/// The columns [`invitation`] reads, of a table aliased `i`.
pub(super) const INVITATION_COLUMNS: &str = "i.invitation_id, i.team_id, i.single_use,
    i.state, i.created_by, i.created_at, i.expires_at";

pub(super) fn todo(row: &PgRow) -> Result<TodoRow, ProjectionError> {
    let todo = Todo {
        id: id(row, "todo_id")?,
        team_id: id(row, "team_id")?,
        author: id(row, "author")?,
        title: text(row, "title", TodoTitle::parse)?,
        description: text(row, "description", Description::parse)?,
        notes: text(row, "notes", InternalNotes::parse)?,
        status: text(row, "status", |text| TodoStatus::parse(text).ok_or(()))?,
        version: Version::new(row.try_get::<i64, _>("version")? as u64),
        shared_version: Version::new(row.try_get::<i64, _>("shared_version")? as u64),
    };
    Ok(TodoRow {
        todo,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        last_position: position(row, "last_position")?,
    })
}

pub(super) fn timeline(row: &PgRow) -> Result<TimelineRow, ProjectionError> {
    let visible_to: Option<Uuid> = row.try_get("visible_to")?;
    Ok(TimelineRow {
        position: position(row, "position")?,
        todo: id(row, "todo_id")?,
        version: Version::new(row.try_get::<i64, _>("version")? as u64),
        event_type: row.try_get("event_type")?,
        actor: id(row, "actor")?,
        recorded_at: row.try_get("recorded_at")?,
        summary: row.try_get("summary")?,
        visible_to: visible_to
            .map(TryInto::try_into)
            .transpose()
            .map_err(|error: IdError| ProjectionError::Corrupt(format!("visible_to: {error}")))?,
    })
}

pub(super) fn team(row: &PgRow) -> Result<TeamRecord, ProjectionError> {
    Ok(TeamRecord {
        id: id(row, "team_id")?,
        name: row.try_get("name")?,
    })
}

pub(super) fn invitation(row: &PgRow) -> Result<InvitationRecord, ProjectionError> {
    Ok(InvitationRecord {
        id: id(row, "invitation_id")?,
        team: id(row, "team_id")?,
        single_use: row.try_get("single_use")?,
        state: text(row, "state", |text| InvitationState::parse(text).ok_or(()))?,
        created_by: id(row, "created_by")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

/// An id column: a UUID that must be the id's kind (v7).
pub(super) fn id<T: TryFrom<Uuid, Error = IdError>>(
    row: &PgRow,
    column: &str,
) -> Result<T, ProjectionError> {
    let uuid: Uuid = row.try_get(column)?;
    T::try_from(uuid).map_err(|error| ProjectionError::Corrupt(format!("{column}: {error}")))
}

pub(super) fn position(row: &PgRow, column: &str) -> Result<Position, ProjectionError> {
    let value: i64 = row.try_get(column)?;
    u64::try_from(value)
        .map(Position::new)
        .map_err(|_| ProjectionError::Corrupt(format!("{column}: {value}")))
}

fn text<T, E>(
    row: &PgRow,
    column: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<T, ProjectionError> {
    let text: String = row.try_get(column)?;
    parse(&text).map_err(|_| ProjectionError::Corrupt(format!("bad {column} {text:?}")))
}
