//! The team projection: teams, their members (what every authorisation check reads) and
//! their invite links.

use super::{ProjectionError, Tables, timestamp};
use crate::store::RecordedEvent;
use app::domain::team::{InvitationCreated, MemberJoined, MemberRemoved, TeamEvent};
use sqlx::SqliteConnection;

/// Projects one event of a team's stream into `tables`.
pub async fn project(
    conn: &mut SqliteConnection,
    tables: Tables,
    event: &RecordedEvent,
) -> Result<(), ProjectionError> {
    let decoded = TeamEvent::decode(
        &event.event_type,
        event.schema_version,
        event.payload.clone(),
    )
    .map_err(|error| ProjectionError::Corrupt(format!("event {}: {error}", event.position)))?
    .recorded_by(event.actor);
    let at = timestamp(event);
    match decoded {
        TeamEvent::Created(created) => {
            let sql = format!(
                "INSERT INTO {} (team_id, name, created_by, created_at) VALUES (?, ?, ?, ?)",
                tables.teams
            );
            sqlx::query(&sql)
                .bind(created.team_id.to_string())
                .bind(created.name.as_str())
                .bind(created.creator.to_string())
                .bind(at)
                .execute(conn)
                .await?;
        }
        TeamEvent::InvitationCreated(InvitationCreated {
            invitation_id,
            token_hash,
            single_use,
            expires_at,
            created_by,
        }) => {
            let team = team_of(event)?;
            let sql = format!(
                "INSERT INTO {} (invitation_id, team_id, token_hash, single_use, state,
                                 created_by, created_at, expires_at)
                 VALUES (?, ?, ?, ?, 'open', ?, ?, ?)",
                tables.invitations
            );
            sqlx::query(&sql)
                .bind(invitation_id.to_string())
                .bind(team)
                .bind(token_hash.as_str())
                .bind(single_use)
                .bind(created_by.unwrap_or(event.actor).to_string())
                .bind(at)
                .bind(expires_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                .execute(conn)
                .await?;
        }
        TeamEvent::InvitationRevoked { invitation_id } => {
            let sql = format!(
                "UPDATE {} SET state = 'revoked' WHERE invitation_id = ?",
                tables.invitations
            );
            sqlx::query(&sql)
                .bind(invitation_id.to_string())
                .execute(conn)
                .await?;
        }
        TeamEvent::MemberJoined(MemberJoined {
            user_id,
            invitation_id,
        }) => {
            let team = team_of(event)?;
            let sql = format!(
                "INSERT OR IGNORE INTO {} (team_id, user_id, joined_at, joined_position)
                 VALUES (?, ?, ?, ?)",
                tables.members
            );
            sqlx::query(&sql)
                .bind(team)
                .bind(user_id.to_string())
                .bind(at)
                .bind(event.position.get() as i64)
                .execute(&mut *conn)
                .await?;
            if let Some(invitation_id) = invitation_id {
                let sql = format!(
                    "UPDATE {} SET state = 'used' WHERE invitation_id = ? AND single_use",
                    tables.invitations
                );
                sqlx::query(&sql)
                    .bind(invitation_id.to_string())
                    .execute(conn)
                    .await?;
            }
        }
        TeamEvent::MemberLeft { user_id }
        | TeamEvent::MemberRemoved(MemberRemoved { user_id, .. }) => {
            let sql = format!(
                "DELETE FROM {} WHERE team_id = ? AND user_id = ?",
                tables.members
            );
            sqlx::query(&sql)
                .bind(team_of(event)?)
                .bind(user_id.to_string())
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

fn team_of(event: &RecordedEvent) -> Result<String, ProjectionError> {
    event
        .stream
        .team()
        .map(|team| team.to_string())
        .ok_or_else(|| {
            ProjectionError::Corrupt(format!("event {} is not a team's", event.position))
        })
}
