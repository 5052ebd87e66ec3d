//! The positions of each team's events: its own stream's (members joining and leaving) and
//! those of its todos. The log has no index by team, so a replay of a team's or a todo's
//! channel reads these positions and then only those events, rather than every event after
//! its position.

use super::{ProjectionError, Tables};
use app::domain::{Position, TeamId};
use sqlx::SqliteConnection;

/// Records that the event at `position` belongs to `team`.
pub async fn record(
    conn: &mut SqliteConnection,
    tables: Tables,
    team: TeamId,
    position: Position,
) -> Result<(), ProjectionError> {
    let insert = format!(
        "INSERT INTO {} (team_id, position) VALUES (?, ?)",
        tables.team_log
    );
    sqlx::query(&insert)
        .bind(team.to_string())
        .bind(position.get() as i64)
        .execute(conn)
        .await?;
    Ok(())
}
