//! The read models' tables in PostgreSQL, by generation, and their shape in
//! `read_model_shape`. Index names start with their table's, so that a swap renames them with
//! it and the next rebuild can make its own.

use crate::projection::Tables;
use sqlx::{Executor, PgConnection};

/// Creates the live read models if they are missing, after dropping those of an older shape.
/// Runs inside the caller's transaction, under a lock that makes concurrent starts wait.
pub(super) async fn prepare(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    conn.execute("LOCK TABLE read_model_shape IN EXCLUSIVE MODE")
        .await?;
    let shape: Option<i64> = sqlx::query_scalar("SELECT shape FROM read_model_shape")
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(shape) = shape
        && shape < Tables::SHAPE
    {
        tracing::info!(
            from = shape,
            to = Tables::SHAPE,
            "the read models changed shape; projecting them again from the log"
        );
        drop(conn, Tables::LIVE).await?;
    }
    create(conn, Tables::LIVE).await?;
    create_indexes(conn, Tables::LIVE).await?;
    sqlx::query(
        "INSERT INTO read_model_shape (id, shape) VALUES (TRUE, $1)
         ON CONFLICT (id) DO UPDATE SET shape = excluded.shape",
    )
    .bind(Tables::SHAPE)
    .execute(conn)
    .await?;
    Ok(())
}

/// Creates the tables (without their secondary indexes) and the checkpoint at zero, if they
/// are missing.
pub(super) async fn create(conn: &mut PgConnection, tables: Tables) -> Result<(), sqlx::Error> {
    let ddl = format!(
        "CREATE TABLE IF NOT EXISTS {todos} (
             todo_id        UUID        NOT NULL,
             team_id        UUID        NOT NULL,
             author         UUID        NOT NULL,
             title          TEXT        NOT NULL,
             description    TEXT        NOT NULL,
             notes          TEXT        NOT NULL,
             status         TEXT        NOT NULL,
             version        BIGINT      NOT NULL,
             shared_version BIGINT      NOT NULL,
             created_at     TIMESTAMPTZ NOT NULL,
             updated_at     TIMESTAMPTZ NOT NULL,
             last_position  BIGINT      NOT NULL,
             CONSTRAINT {todos}_pkey PRIMARY KEY (todo_id)
         );
         CREATE TABLE IF NOT EXISTS {timeline} (
             position    BIGINT      NOT NULL,
             todo_id     UUID        NOT NULL,
             version     BIGINT      NOT NULL,
             event_type  TEXT        NOT NULL,
             actor       UUID        NOT NULL,
             recorded_at TIMESTAMPTZ NOT NULL,
             summary     TEXT        NOT NULL,
             -- The one user who may read the line (the todo's author), or NULL: everyone.
             visible_to  UUID,
             CONSTRAINT {timeline}_pkey PRIMARY KEY (position)
         );
         CREATE TABLE IF NOT EXISTS {teams} (
             team_id    UUID        NOT NULL,
             name       TEXT        NOT NULL,
             created_by UUID        NOT NULL,
             created_at TIMESTAMPTZ NOT NULL,
             CONSTRAINT {teams}_pkey PRIMARY KEY (team_id)
         );
         CREATE TABLE IF NOT EXISTS {members} (
             team_id         UUID        NOT NULL,
             user_id         UUID        NOT NULL,
             joined_at       TIMESTAMPTZ NOT NULL,
             joined_position BIGINT      NOT NULL,
             CONSTRAINT {members}_pkey PRIMARY KEY (team_id, user_id)
         );
         CREATE TABLE IF NOT EXISTS {invitations} (
             invitation_id UUID        NOT NULL,
             team_id       UUID        NOT NULL,
             token_hash    TEXT        NOT NULL,
             single_use    BOOLEAN     NOT NULL,
             state         TEXT        NOT NULL,
             created_by    UUID        NOT NULL,
             created_at    TIMESTAMPTZ NOT NULL,
             expires_at    TIMESTAMPTZ NOT NULL,
             CONSTRAINT {invitations}_pkey PRIMARY KEY (invitation_id),
             CONSTRAINT {invitations}_by_hash UNIQUE (token_hash)
         );
         CREATE TABLE IF NOT EXISTS {team_log} (
             team_id  UUID   NOT NULL,
             position BIGINT NOT NULL,
             CONSTRAINT {team_log}_pkey PRIMARY KEY (team_id, position)
         );
         INSERT INTO projection_checkpoints (name, position) VALUES ('{checkpoint}', 0)
         ON CONFLICT (name) DO NOTHING;",
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

/// The indexes that pages need, if they are missing. A rebuild builds them once its tables
/// are filled, which is quicker than keeping them up to date row by row.
pub(super) async fn create_indexes(
    conn: &mut PgConnection,
    tables: Tables,
) -> Result<(), sqlx::Error> {
    let ddl = format!(
        "CREATE INDEX IF NOT EXISTS {todos}_by_team ON {todos} (team_id, created_at);
         CREATE INDEX IF NOT EXISTS {timeline}_by_todo ON {timeline} (todo_id, position);
         CREATE INDEX IF NOT EXISTS {members}_by_user ON {members} (user_id);
         CREATE INDEX IF NOT EXISTS {invitations}_by_team ON {invitations} (team_id, created_at);",
        todos = tables.todos,
        timeline = tables.timeline,
        members = tables.members,
        invitations = tables.invitations,
    );
    conn.execute(ddl.as_str()).await?;
    Ok(())
}

/// Drops a generation's tables (and with them their indexes) and its checkpoint.
pub(super) async fn drop(conn: &mut PgConnection, tables: Tables) -> Result<(), sqlx::Error> {
    let mut ddl = format!("DROP TABLE IF EXISTS {};", tables.names().join(", "));
    ddl.push_str(&format!(
        "DELETE FROM projection_checkpoints WHERE name = '{}';",
        tables.checkpoint
    ));
    conn.execute(ddl.as_str()).await?;
    Ok(())
}

/// Gives a generation's tables, and their indexes and constraints, the live names.
pub(super) async fn rename_to_live(
    conn: &mut PgConnection,
    tables: Tables,
) -> Result<(), sqlx::Error> {
    for (from, to) in tables.renames() {
        let indexes: Vec<String> =
            sqlx::query_scalar("SELECT indexname::text FROM pg_indexes WHERE tablename = $1")
                .bind(from)
                .fetch_all(&mut *conn)
                .await?;
        conn.execute(format!("ALTER TABLE {from} RENAME TO {to}").as_str())
            .await?;
        for index in indexes {
            let Some(suffix) = index.strip_prefix(from) else {
                continue;
            };
            conn.execute(format!("ALTER INDEX {index} RENAME TO {to}{suffix}").as_str())
                .await?;
        }
    }
    Ok(())
}
