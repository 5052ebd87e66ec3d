//! What pages read from the SQLite read models. A read transaction sees one snapshot, so
//! rows and the checkpoint read in it agree.

use super::{SqliteReadModels, checkpoint, rows};
use crate::projection::{
    InvitationRecord, MemberRecord, Membership, ProjectionError, ReadModels, Tables, TeamOf,
    TeamRecord, TimelineRow, TodoRow,
};
use app::domain::{Position, TeamId, TodoId, UserId, team::TokenHash};
use async_trait::async_trait;
use sqlx::Row;

#[async_trait]
impl ReadModels for SqliteReadModels {
    async fn membership(
        &self,
        of: TeamOf,
        user: UserId,
    ) -> Result<Option<Membership>, ProjectionError> {
        let mut tx = self.pool.begin().await?;
        let as_of = checkpoint(&mut tx, Tables::LIVE).await?;
        let team = match of {
            TeamOf::Team(team) => {
                sqlx::query("SELECT team_id, name FROM team_rows WHERE team_id = ?")
                    .bind(team.to_string())
            }
            TeamOf::Todo(todo) => sqlx::query(
                "SELECT t.team_id, t.name FROM team_rows t
                 JOIN todo_rows d ON d.team_id = t.team_id WHERE d.todo_id = ?",
            )
            .bind(todo.to_string()),
        }
        .fetch_optional(&mut *tx)
        .await?;
        let Some(team) = team.as_ref().map(rows::team).transpose()? else {
            return Ok(None);
        };
        let member: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?)",
        )
        .bind(team.id.to_string())
        .bind(user.to_string())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(Membership {
            team,
            member,
            as_of,
        }))
    }

    async fn teams_of(&self, user: UserId) -> Result<Vec<TeamRecord>, ProjectionError> {
        let rows = sqlx::query(
            "SELECT t.team_id, t.name FROM team_members m
             JOIN team_rows t ON t.team_id = m.team_id
             WHERE m.user_id = ? ORDER BY t.name COLLATE NOCASE, t.team_id",
        )
        .bind(user.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::team).collect()
    }

    async fn members_and_invitations(
        &self,
        team: TeamId,
    ) -> Result<(Vec<MemberRecord>, Vec<InvitationRecord>, Position), ProjectionError> {
        let mut tx = self.pool.begin().await?;
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
            "SELECT {} FROM team_invitations i WHERE i.team_id = ?
             ORDER BY created_at DESC, invitation_id DESC",
            rows::INVITATION_COLUMNS
        ))
        .bind(team.to_string())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let members = members
            .iter()
            .map(|row| {
                Ok(MemberRecord {
                    user: rows::parse(row, "user_id", UserId::parse)?,
                    joined_at: row.try_get("joined_at")?,
                    owner: row.try_get("owner")?,
                })
            })
            .collect::<Result<_, ProjectionError>>()?;
        let invitations = invitations
            .iter()
            .map(rows::invitation)
            .collect::<Result<_, _>>()?;
        Ok((members, invitations, position))
    }

    async fn invitation_by_hash(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<(InvitationRecord, String)>, ProjectionError> {
        let row = sqlx::query(&format!(
            "SELECT {}, t.name FROM team_invitations i
             JOIN team_rows t ON t.team_id = i.team_id
             WHERE i.token_hash = ?",
            rows::INVITATION_COLUMNS
        ))
        .bind(hash.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((rows::invitation(&row)?, row.try_get("name")?)))
            .transpose()
    }

    async fn team_todos(&self, team: TeamId) -> Result<(Vec<TodoRow>, Position), ProjectionError> {
        let mut tx = self.pool.begin().await?;
        let position = checkpoint(&mut tx, Tables::LIVE).await?;
        let sql = format!(
            "SELECT {} FROM todo_rows WHERE team_id = ? ORDER BY created_at, todo_id",
            rows::TODO_COLUMNS
        );
        let rows = sqlx::query(&sql)
            .bind(team.to_string())
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        let todos = rows.iter().map(rows::todo).collect::<Result<_, _>>()?;
        Ok((todos, position))
    }

    async fn todo_with_timeline(
        &self,
        todo: TodoId,
        viewer: UserId,
    ) -> Result<Option<(TodoRow, Vec<TimelineRow>, Position)>, ProjectionError> {
        let mut tx = self.pool.begin().await?;
        let position = checkpoint(&mut tx, Tables::LIVE).await?;
        let sql = format!(
            "SELECT {} FROM todo_rows WHERE todo_id = ?",
            rows::TODO_COLUMNS
        );
        let Some(row) = sqlx::query(&sql)
            .bind(todo.to_string())
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let timeline = sqlx::query(
            "SELECT position, todo_id, version, event_type, actor, recorded_at, summary,
                    visible_to
             FROM todo_timeline
             WHERE todo_id = ? AND (visible_to IS NULL OR visible_to = ?)
             ORDER BY position",
        )
        .bind(todo.to_string())
        .bind(viewer.to_string())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let timeline = timeline
            .iter()
            .map(rows::timeline)
            .collect::<Result<_, _>>()?;
        Ok(Some((rows::todo(&row)?, timeline, position)))
    }

    async fn team_log(
        &self,
        team: TeamId,
        after: Position,
        limit: u32,
    ) -> Result<(Vec<Position>, Position), ProjectionError> {
        let mut tx = self.pool.begin().await?;
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
}
