//! The read models' tables. Their DDL lives here, not in a migration, because a rebuild
//! creates the same tables under other names and swaps them in.

use sqlx::Executor;
use sqlx::SqliteConnection;

/// The names of one generation of the read models and of its checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tables {
    pub todos: &'static str,
    pub timeline: &'static str,
    pub teams: &'static str,
    pub members: &'static str,
    pub invitations: &'static str,
    /// The positions of each team's events: its own stream's and its todos'.
    pub team_log: &'static str,
    pub checkpoint: &'static str,
}

impl Tables {
    /// The shape of the tables [`Tables::create`] makes, kept in the database header's
    /// `user_version`. Raise it with every change to their columns: a database whose read
    /// models have an older shape gets them projected anew from the log at start-up
    /// ([`super::prepare`]). 1: members carry the position at which they joined. 2: the
    /// positions of each team's events (`team_log`), which replays read. 3: todos carry the
    /// version the team sees, and timeline lines whom they are for.
    pub const SHAPE: i64 = 3;

    /// The tables that pages read.
    pub const LIVE: Tables = Tables {
        todos: "todo_rows",
        timeline: "todo_timeline",
        teams: "team_rows",
        members: "team_members",
        invitations: "team_invitations",
        team_log: "team_log",
        checkpoint: "todos",
    };

    /// Where a rebuild projects, before it swaps them in.
    pub const NEXT: Tables = Tables {
        todos: "todo_rows_next",
        timeline: "todo_timeline_next",
        teams: "team_rows_next",
        members: "team_members_next",
        invitations: "team_invitations_next",
        team_log: "team_log_next",
        checkpoint: "todos_next",
    };

    /// Creates the tables (without their secondary indexes) and the checkpoint at zero, if
    /// they are missing.
    pub async fn create(self, conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
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
            todos = self.todos,
            timeline = self.timeline,
            teams = self.teams,
            members = self.members,
            invitations = self.invitations,
            team_log = self.team_log,
            checkpoint = self.checkpoint,
        );
        conn.execute(ddl.as_str()).await?;
        Ok(())
    }

    /// The indexes that pages need. Built with fixed names, so only on the live tables.
    pub async fn create_live_indexes(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        conn.execute(
            "CREATE INDEX IF NOT EXISTS todo_rows_by_team ON todo_rows (team_id, created_at);
             CREATE INDEX IF NOT EXISTS todo_timeline_by_todo ON todo_timeline (todo_id, position);
             CREATE INDEX IF NOT EXISTS team_members_by_user ON team_members (user_id);
             CREATE INDEX IF NOT EXISTS team_invitations_by_team
                 ON team_invitations (team_id, created_at);",
        )
        .await?;
        Ok(())
    }

    pub async fn drop(self, conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        let ddl = format!(
            "DROP TABLE IF EXISTS {todos}; DROP TABLE IF EXISTS {timeline};
             DROP TABLE IF EXISTS {teams}; DROP TABLE IF EXISTS {members};
             DROP TABLE IF EXISTS {invitations}; DROP TABLE IF EXISTS {team_log};
             DELETE FROM projection_checkpoints WHERE name = '{checkpoint}';",
            todos = self.todos,
            timeline = self.timeline,
            teams = self.teams,
            members = self.members,
            invitations = self.invitations,
            team_log = self.team_log,
            checkpoint = self.checkpoint,
        );
        conn.execute(ddl.as_str()).await?;
        Ok(())
    }
}
