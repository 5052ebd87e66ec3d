//! The read models' tables in SQLite, by generation, and their shape in the database
//! header's `user_version`.

use crate::projection::Tables;
use sqlx::{Executor, SqliteConnection};

/// Creates the live read models if they are missing, after dropping those of an older
/// shape. Runs inside the caller's write transaction.
pub(super) async fn prepare(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let shape: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(&mut *conn)
        .await?;
    if shape < Tables::SHAPE && live_tables_exist(conn).await? {
        tracing::info!(
            from = shape,
            to = Tables::SHAPE,
            "the read models changed shape; projecting them again from the log"
        );
        drop(conn, Tables::LIVE).await?;
    }
    create(conn, Tables::LIVE).await?;
    create_indexes(conn, Tables::LIVE).await?;
    if shape != Tables::SHAPE {
        conn.execute(format!("PRAGMA user_version = {}", Tables::SHAPE).as_str())
            .await?;
    }
    Ok(())
}

/// Whether the live read models were made before: a database new to this server has none.
async fn live_tables_exist(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = ?)")
        .bind(Tables::LIVE.todos)
        .fetch_one(conn)
        .await
}

/// Creates the tables (without their secondary indexes) and the checkpoint at zero, if
/// they are missing.
pub(super) async fn create(conn: &mut SqliteConnection, tables: Tables) -> Result<(), sqlx::Error> {
    let ddl = format!(
        "CREATE TABLE IF NOT EXISTS {todos} (
             todo_id       TEXT    NOT NULL PRIMARY KEY,
             team_id       TEXT    NOT NULL,
             author        TEXT    NOT NULL,
             title         TEXT    NOT NULL,
             description   TEXT    NOT NULL,
             notes         TEXT    NOT NULL,
             status        TEXT    NOT NULL,
             version       INTEGER NOT NULL,
             shared_version INTEGER NOT NULL,
             created_at    TEXT    NOT NULL,
             updated_at    TEXT    NOT NULL,
             last_position INTEGER NOT NULL
         );
         CREATE TABLE IF NOT EXISTS {timeline} (
             position    INTEGER NOT NULL PRIMARY KEY,
             todo_id     TEXT    NOT NULL,
             version     INTEGER NOT NULL,
             event_type  TEXT    NOT NULL,
             actor       TEXT    NOT NULL,
             recorded_at TEXT    NOT NULL,
             summary     TEXT    NOT NULL,
             -- The one user who may read the line (the todo's author), or NULL: everyone.
             visible_to  TEXT
         );
         CREATE TABLE IF NOT EXISTS {teams} (
             team_id    TEXT NOT NULL PRIMARY KEY,
             name       TEXT NOT NULL,
             created_by TEXT NOT NULL,
             created_at TEXT NOT NULL
         );
         CREATE TABLE IF NOT EXISTS {members} (
             team_id         TEXT    NOT NULL,
             user_id         TEXT    NOT NULL,
             joined_at       TEXT    NOT NULL,
             joined_position INTEGER NOT NULL,
             PRIMARY KEY (team_id, user_id)
         ) WITHOUT ROWID;
         CREATE TABLE IF NOT EXISTS {invitations} (
             invitation_id TEXT    NOT NULL PRIMARY KEY,
             team_id       TEXT    NOT NULL,
             token_hash    TEXT    NOT NULL UNIQUE,
             single_use    INTEGER NOT NULL,
             state         TEXT    NOT NULL,
             created_by    TEXT    NOT NULL,
             created_at    TEXT    NOT NULL,
             expires_at    TEXT    NOT NULL
         );
         CREATE TABLE IF NOT EXISTS {team_log} (
             team_id  TEXT    NOT NULL,
             position INTEGER NOT NULL,
             PRIMARY KEY (team_id, position)
         ) WITHOUT ROWID;
         INSERT OR IGNORE INTO projection_checkpoints (name, position) VALUES ('{checkpoint}', 0);",
        todos = tables.todos,
        timeline = tables.timeline,
        teams = tables.teams,
        members = tables.members,
        invitations = tables.invitations,
        team_log = tables.team_log,
        checkpoint = tables.checkpoint,
    );
    conn.execute(ddl.as_str()).await?;
    Ok(())
}

/// A secondary index that pages need, on one of a generation's tables.
struct Index {
    /// Its two names: a rebuild's tables take the one the live tables do not hold, since
    /// SQLite cannot rename an index when the swap renames its table.
    names: [&'static str; 2],
    table: fn(Tables) -> &'static str,
    columns: &'static str,
}

const INDEXES: [Index; 4] = [
    Index {
        names: ["todo_rows_by_team", "todo_rows_by_team_2"],
        table: |tables| tables.todos,
        columns: "team_id, created_at",
    },
    Index {
        names: ["todo_timeline_by_todo", "todo_timeline_by_todo_2"],
        table: |tables| tables.timeline,
        columns: "todo_id, position",
    },
    Index {
        names: ["team_members_by_user", "team_members_by_user_2"],
        table: |tables| tables.members,
        columns: "user_id",
    },
    Index {
        names: ["team_invitations_by_team", "team_invitations_by_team_2"],
        table: |tables| tables.invitations,
        columns: "team_id, created_at",
    },
];

/// Builds the secondary indexes that the generation's tables lack, each under whichever of
/// its names no table holds (the first if both are free).
pub(super) async fn create_indexes(
    conn: &mut SqliteConnection,
    tables: Tables,
) -> Result<(), sqlx::Error> {
    for index in &INDEXES {
        let table = (index.table)(tables);
        let mut holders = Vec::with_capacity(2);
        for name in index.names {
            let holder: Option<String> = sqlx::query_scalar(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name = ?",
            )
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
            holders.push(holder);
        }
        if holders.iter().flatten().any(|holder| holder == table) {
            continue;
        }
        // Were both names taken, the second's `CREATE` fails, naming it.
        let name = if holders[0].is_none() {
            index.names[0]
        } else {
            index.names[1]
        };
        conn.execute(format!("CREATE INDEX {name} ON {table} ({})", index.columns).as_str())
            .await?;
    }
    Ok(())
}

/// Drops a generation's tables and its checkpoint.
pub(super) async fn drop(conn: &mut SqliteConnection, tables: Tables) -> Result<(), sqlx::Error> {
    let mut ddl: String = tables
        .names()
        .iter()
        .map(|name| format!("DROP TABLE IF EXISTS {name};"))
        .collect();
    ddl.push_str(&format!(
        "DELETE FROM projection_checkpoints WHERE name = '{}';",
        tables.checkpoint
    ));
    conn.execute(ddl.as_str()).await?;
    Ok(())
}
