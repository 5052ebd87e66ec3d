//! The names of the read models' tables. Each backend keeps their DDL (`sqlite::schema`,
//! `postgres::schema`), not a migration, because a rebuild creates the same tables under
//! other names and swaps them in.

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
    /// The shape of the tables the backends create, kept in the database (SQLite: the
    /// header's `user_version`; PostgreSQL: `read_model_shape`). Raise it with every change
    /// to their columns: a database whose read models have an older shape gets them
    /// projected anew from the log at start-up ([`super::ProjectionStore::prepare`]).
    /// 1: members carry the position at which they joined. 2: the positions of each team's
    /// events (`team_log`), which replays read. 3: todos carry the version the team sees,
    /// and timeline lines whom they are for.
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

    /// The generation's tables.
    pub fn names(self) -> [&'static str; 6] {
        [
            self.todos,
            self.timeline,
            self.teams,
            self.members,
            self.invitations,
            self.team_log,
        ]
    }

    /// Each table's name in this generation, beside its name in the live one.
    pub fn renames(self) -> [(&'static str, &'static str); 6] {
        let live = Self::LIVE.names();
        let mut names = self.names().map(|name| (name, name));
        for (pair, live) in names.iter_mut().zip(live) {
            pair.1 = live;
        }
        names
    }
}
