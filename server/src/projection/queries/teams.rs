//! Reading the team read models: who belongs to which team, and the invite links.

use crate::projection::{ProjectionError, Tables, checkpoint};
use app::domain::{InvitationId, Position, TeamId, TodoId, UserId, team::TokenHash};
use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool, sqlite::SqliteRow};

/// A team, by id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRecord {
    pub id: TeamId,
    pub name: String,
}

/// A member of a team; `owner`: the longest-standing one, who may remove the others
/// (`app::domain::team::Team::owner`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub user: UserId,
    pub joined_at: DateTime<Utc>,
    pub owner: bool,
}

/// An invite link's row. `state` is `open`, `used` or `revoked`; expiry is left to the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    pub id: InvitationId,
    pub team: TeamId,
    pub single_use: bool,
    pub state: String,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The team, if `user` is one of its members; `None` for a stranger or an unknown team, so
/// that the two cannot be told apart.
pub async fn team_of_member(
    pool: &SqlitePool,
    team: TeamId,
    user: UserId,
) -> Result<Option<TeamRecord>, ProjectionError> {
    let row = sqlx::query(
        "SELECT t.team_id, t.name FROM team_rows t
         JOIN team_members m ON m.team_id = t.team_id
         WHERE t.team_id = ? AND m.user_id = ?",
    )
    .bind(team.to_string())
    .bind(user.to_string())
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(team_record).transpose()
}

/// The teams `user` belongs to, by name.
pub async fn teams_of(pool: &SqlitePool, user: UserId) -> Result<Vec<TeamRecord>, ProjectionError> {
    let rows = sqlx::query(
        "SELECT t.team_id, t.name FROM team_members m
         JOIN team_rows t ON t.team_id = m.team_id
         WHERE m.user_id = ? ORDER BY t.name COLLATE NOCASE, t.team_id",
    )
    .bind(user.to_string())
    .fetch_all(pool)
    .await?;
    rows.iter().map(team_record).collect()
}

/// A team's members (in the order they joined) and invite links (newest first), and the
/// position they reflect.
pub async fn members_and_invitations(
    pool: &SqlitePool,
    team: TeamId,
) -> Result<(Vec<MemberRecord>, Vec<InvitationRecord>, Position), ProjectionError> {
    let mut tx = pool.begin().await?;
    let position = checkpoint(&mut tx, Tables::LIVE).await?;
    let members = sqlx::query(
        "SELECT user_id, joined_at,
                joined_position = MIN(joined_position) OVER () AS owner
         FROM team_members WHERE team_id = ?
         ORDER BY joined_position",
    )
    .bind(team.to_string())
    .fetch_all(&mut *tx)
    .await?;
    let invitations = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM team_invitations i WHERE i.team_id = ?
         ORDER BY created_at DESC, invitation_id DESC"
    ))
    .bind(team.to_string())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let members = members
        .iter()
        .map(|row| {
            Ok(MemberRecord {
                user: parse(row, "user_id", UserId::parse)?,
                joined_at: row.try_get("joined_at")?,
                owner: row.try_get("owner")?,
            })
        })
        .collect::<Result<_, ProjectionError>>()?;
    let invitations = invitations
        .iter()
        .map(invitation_record)
        .collect::<Result<_, _>>()?;
    Ok((members, invitations, position))
}

/// The invite link whose token has this hash, with its team's name.
pub async fn invitation_by_hash(
    pool: &SqlitePool,
    hash: &TokenHash,
) -> Result<Option<(InvitationRecord, String)>, ProjectionError> {
    let row = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS}, t.name FROM team_invitations i
         JOIN team_rows t ON t.team_id = i.team_id
         WHERE i.token_hash = ?"
    ))
    .bind(hash.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(|row| Ok((invitation_record(&row)?, row.try_get("name")?)))
        .transpose()
}

const INVITATION_COLUMNS: &str = "i.invitation_id, i.team_id, i.single_use, i.state,
                                  i.created_by, i.created_at, i.expires_at";

fn team_record(row: &SqliteRow) -> Result<TeamRecord, ProjectionError> {
    Ok(TeamRecord {
        id: parse(row, "team_id", TeamId::parse)?,
        name: row.try_get("name")?,
    })
}

fn invitation_record(row: &SqliteRow) -> Result<InvitationRecord, ProjectionError> {
    Ok(InvitationRecord {
        id: parse(row, "invitation_id", InvitationId::parse)?,
        team: parse(row, "team_id", TeamId::parse)?,
        single_use: row.try_get("single_use")?,
        state: row.try_get("state")?,
        created_by: parse(row, "created_by", UserId::parse)?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

fn parse<T, E>(
    row: &SqliteRow,
    column: &str,
    parse: fn(&str) -> Result<T, E>,
) -> Result<T, ProjectionError> {
    let text: String = row.try_get(column)?;
    parse(&text).map_err(|_| ProjectionError::Corrupt(format!("bad {column} {text:?}")))
}

/// Where a channel's membership comes from: a team, or the team of a todo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamOf {
    Team(TeamId),
    Todo(TodoId),
}

/// Whether `user` belongs to the team, and the position the answer reflects (rows and
/// checkpoint read in one transaction); `None` when there is no such todo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub team: TeamId,
    pub member: bool,
    pub as_of: Position,
}

pub async fn membership(
    pool: &SqlitePool,
    of: TeamOf,
    user: UserId,
) -> Result<Option<Membership>, ProjectionError> {
    let mut tx = pool.begin().await?;
    let as_of = checkpoint(&mut tx, Tables::LIVE).await?;
    let team = match of {
        TeamOf::Team(team) => team,
        TeamOf::Todo(todo) => {
            let team: Option<String> =
                sqlx::query_scalar("SELECT team_id FROM todo_rows WHERE todo_id = ?")
                    .bind(todo.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
            match team {
                Some(team) => TeamId::parse(&team).map_err(|_| {
                    ProjectionError::Corrupt(format!("todo row: bad team_id {team:?}"))
                })?,
                None => return Ok(None),
            }
        }
    };
    let member: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?")
            .bind(team.to_string())
            .bind(user.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(Some(Membership {
        team,
        member: member.is_some(),
        as_of,
    }))
}

/// The positions of `team`'s events after `after`, at most `limit` of them, and the position
/// the read models reflect: none after it is listed yet.
pub async fn team_log(
    pool: &SqlitePool,
    team: TeamId,
    after: Position,
    limit: u32,
) -> Result<(Vec<Position>, Position), ProjectionError> {
    let mut tx = pool.begin().await?;
    let reached = checkpoint(&mut tx, Tables::LIVE).await?;
    let positions: Vec<i64> = sqlx::query_scalar(
        "SELECT position FROM team_log WHERE team_id = ? AND position > ?
         ORDER BY position LIMIT ?",
    )
    .bind(team.to_string())
    .bind(i64::try_from(after.get()).unwrap_or(i64::MAX))
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let positions = positions
        .into_iter()
        .map(|p| Position::new(p as u64))
        .collect();
    Ok((positions, reached))
}
